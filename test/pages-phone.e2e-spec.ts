import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { ARTIFACTS, launchBrowser, serve, signIn } from './utils/browser.js';
import { binaryParser, crawl, routeOf } from './utils/crawl.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { pageLogin } from './utils/pages.js';

const ROLES = ['admin', 'caseworker', 'officer1', 'insurance', 'leader'] as const;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
/** Not pages: exports, downloads, files, the API, signing out. */
const NOT_PAGES = /^\/(api|logout|assets|attachments)\b|[?&]format=|\/(template|export|push-list|download)\b/;

/**
 * Issue #16, SPEC §6.1: every page is readable on a 390 px phone — nothing scrolls sideways, lists
 * are one card per row. Each role's pages (from the 工作台, following links: one page of each kind)
 * are opened at 390 px and at 1280 px in Chromium on the demo district as of 2020-05-20, and a
 * screenshot of each is kept in test/artifacts/phone/.
 */
describe('pages at phone width (issue 16)', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    t = await createTestApp({}, { freshDatabase: true });
    t.clock.set('2020-05-20T02:00:00Z');
    base = await serve(t);
    browser = await launchBrowser();
    mkdirSync(join(ARTIFACTS, 'phone'), { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await t.close();
  });

  it.each(ROLES)('%s: no page scrolls sideways at 390 px', async (username) => {
    const password = username === 'admin' ? TEST_ADMIN_PASSWORD : undefined;
    const agent = await pageLogin(t.http, username, password);
    const fetched = await crawl((url) => agent.get(url).buffer(true).parse(binaryParser), ['/'], {
      perRoute: 1,
      max: 60,
      skip: NOT_PAGES,
    });
    const pages = fetched.filter((f) => f.status === 200 && f.text.includes('<html')).map((f) => f.url);
    expect(pages.length).toBeGreaterThan(3);

    const contexts: BrowserContext[] = [];
    try {
      const [phone, desktop] = await Promise.all(
        [PHONE, DESKTOP].map(async (viewport) => {
          const context = await browser.newContext({ viewport, locale: 'zh-CN' });
          contexts.push(context);
          const page = await context.newPage();
          await signIn(page, base, username, password);
          return page;
        }),
      );
      const sideways: string[] = [];
      for (const url of pages) {
        const name = `${username}${routeOf(url).replace(/[/:]+/g, '-')}`.replace(/-$/, '');
        await phone.goto(`${base}${url}`);
        // The page itself, and any box that scrolls sideways inside it (a wide table in a wrapper). A bar
        // chart keeps its labels legible and scrolls within its own figure; the table under it holds
        // the same figures as cards.
        const wide = await phone.evaluate<string[]>(`[
          ...(document.documentElement.scrollWidth > document.documentElement.clientWidth ? ['页面'] : []),
          ...[...document.querySelectorAll('body *')]
            .filter((e) => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1)
            .filter((e) => !e.matches('figure.chart'))
            .map((e) => (e.closest('section')?.querySelector('h2')?.textContent ?? e.tagName).trim()),
        ]`);
        sideways.push(...wide.map((what) => `${url}: ${what}`));
        await phone.screenshot({ path: join(ARTIFACTS, 'phone', `${name}-phone.png`), fullPage: true });
        await desktop.goto(`${base}${url}`);
        await desktop.screenshot({ path: join(ARTIFACTS, 'phone', `${name}-desktop.png`) });
      }
      expect(sideways).toEqual([]);
    } finally {
      await Promise.all(contexts.map((c) => c.close()));
    }
  });
});
