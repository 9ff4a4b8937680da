import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import request from 'supertest';
import { SUBDISTRICT_A, SUBDISTRICT_B, VILLAGE_A } from '../factories/households.js';
import { signIn } from './browser.js';
import type { TestApp } from './create-test-app.js';

/** The regions of an empty register (no demo district): one district, two streets, one village. */
export const EMPTY_REGISTER_REGIONS = [
  { code: '610199000000', name: '示范区', level: 'district' },
  { code: SUBDISTRICT_A, name: '城关街道', level: 'subdistrict', parentCode: '610199000000' },
  { code: SUBDISTRICT_B, name: '东塬街道', level: 'subdistrict', parentCode: '610199000000' },
  { code: VILLAGE_A, name: '柳树村', level: 'village', parentCode: SUBDISTRICT_A },
];

/** Creates the regions of an empty register and the given users (all with `password`), as the admin. */
export async function seedEmptyRegister(
  t: TestApp,
  admin: string,
  users: { username: string; role: string; regionCode?: string; displayName: string }[],
  password: string,
): Promise<void> {
  for (const region of EMPTY_REGISTER_REGIONS) {
    await request(t.http).post('/api/regions').set('Authorization', admin).send(region).expect(201);
  }
  for (const user of users) {
    await request(t.http)
      .post('/api/users')
      .set('Authorization', admin)
      .send({ ...user, password })
      .expect(201);
  }
}

/** A fresh browser context signed in through the login form, `width` px wide. */
export async function signedIn(
  browser: Browser,
  base: string,
  username: string,
  password?: string,
  width = 1280,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await signIn(page, base, username, password);
  return { context, page };
}

/** The trimmed text of the first element a locator finds. */
export const textOf = async (locator: Locator): Promise<string> => ((await locator.first().textContent()) ?? '').trim();

/** How far the page scrolls sideways (0 or less: it fits). */
export const sideways = (page: Page): Promise<number> =>
  page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');

/** Submits a form and waits for the page that answers it: the POST's own (refused) or the redirect's. */
export async function submitForm(page: Page, form: Locator): Promise<number> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    form.locator('button[type="submit"]').first().click(),
  ]);
  await page.waitForLoadState('load');
  return response.status();
}

/** Opens a folded health form of the household page by its summary and answers the form. */
export async function openHealthForm(scope: Locator, summary: string): Promise<Locator> {
  const details = scope.locator('details.health-form', {
    has: scope.page().locator(`summary:has-text("${summary}")`),
  });
  if ((await details.getAttribute('open')) === null) {
    await details.locator('summary').click();
  }
  return details.locator('form');
}

/** The 工作台's indicator row of a street: each indicator's "numerator/denominator", in table order. */
export async function dashboardFigures(page: Page, base: string, streetName: string): Promise<string[]> {
  await page.goto(`${base}/`);
  const row = page.locator('table.indicators tr', { has: page.locator(`td:text-is("${streetName}")`) });
  return (await row.locator('td.num .small').allTextContents()).map((s) => s.trim());
}
