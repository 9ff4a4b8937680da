import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Item } from '../src/ledger/item.entity.js';
import { RiskAlert } from '../src/risk/risk-alert.entity.js';
import { type Funnel, type FunnelRow, OUTSIDE_REGISTER } from '../src/risk/risk-alerts.service.js';
import { pdfDocument } from './factories/evidence.js';
import { householdInput, maskedId, newIdNumber } from './factories/households.js';
import { settlementCsv, settlementRow } from './factories/settlements.js';
import { launchBrowser, screenshot, serve, signIn } from './utils/browser.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';

const WIDTHS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;
const YEAR = 2023;

/**
 * Issue #20, done when, in Chromium at desktop and phone width: the insurance bureau uploads its
 * settlements on 风险预警; the admin sets the year's thresholds and runs the warning; the officer
 * opens the alert's item, uploads the evidence and records 医疗救助 (`assisted`); the caseworker
 * approves; the page shows the outcome. Screenshots go to test/artifacts/.
 */
describe('pages: 因病返贫致贫预警 from upload to outcome (issue 20)', () => {
  let t: TestApp;
  let db: DataSource;
  let base: string;
  let browser: Browser;
  let uploads: string;
  let caseworker: string;

  beforeAll(async () => {
    uploads = mkdtempSync(join(tmpdir(), 'hpa-pages-risk-'));
    t = await createTestApp({ UPLOAD_DIR: uploads });
    t.clock.set('2024-02-01T02:00:00Z');
    db = t.app.get(DataSource);
    base = await serve(t);
    browser = await launchBrowser();
    caseworker = await t.login('caseworker');
    await t.login('admin', TEST_ADMIN_PASSWORD);
  });

  afterAll(async () => {
    await browser?.close();
    await t.close();
    rmSync(uploads, { recursive: true, force: true });
  });

  async function as(username: string, width: number, height: number): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN' });
    const page = await context.newPage();
    await signIn(page, base, username, username === 'admin' ? TEST_ADMIN_PASSWORD : undefined);
    return { context, page };
  }

  const text = async (page: Page, selector: string) =>
    ((await page.locator(selector).first().textContent()) ?? '').trim();
  const sideways = (page: Page) =>
    page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');

  it.each(WIDTHS)(
    'upload → run → item → assisted with evidence → approved ($name)',
    async ({ name, width, height }) => {
      const input = householdInput();
      await request(t.http).post('/api/households').set('Authorization', caseworker).send(input).expect(201);
      const patient = input.members[0].idNumber;
      const outsider = newIdNumber('female');
      const file = settlementCsv([
        settlementRow({ idNumber: patient, settledOn: `${YEAR}-05-10`, total: '30000', fund: '18000', major: '3000' }),
        settlementRow({ idNumber: outsider, settledOn: `${YEAR}-08-01`, total: '25000', fund: '9000' }),
        settlementRow({ idNumber: patient, settledOn: `${YEAR + 1}-01-01`, total: '100' }),
      ]);

      // 1. The insurance bureau uploads the year's settlements.
      const insurance = await as('insurance', width, height);
      let page = insurance.page;
      await Promise.all([page.waitForURL(/\/risk/), page.click('nav.nav >> text=风险预警')]);
      await page.fill('#upload-year', String(YEAR));
      await page.setInputFiles('.upload-form input[name="file"]', {
        name: '医保结算.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(file),
      });
      await Promise.all([
        page.waitForURL(/\/risk\/settlements\/\d+$/),
        page.click('.upload-form button[type="submit"]'),
      ]);
      for (let i = 0; i < 100 && !(await text(page, '.badge')).includes('已完成'); i++) {
        await page.waitForTimeout(100);
        await page.reload();
      }
      await expect(text(page, '.badge')).resolves.toBe('已完成');
      await expect(text(page, '.upload-inserted')).resolves.toBe('2');
      await expect(page.locator('tbody tr').first().textContent()).resolves.toContain('第 4 行');
      await expect(page.locator('tbody tr').first().textContent()).resolves.toContain(`不在本次上传的年度 ${YEAR} 内`);
      expect(await sideways(page)).toBeLessThanOrEqual(0);
      await screenshot(page, `risk-upload-${name}`);
      // Insurance staff upload; the thresholds and the run are the admin's.
      await page.goto(`${base}/risk?year=${YEAR}`);
      await expect(page.locator('.thresholds-form').count()).resolves.toBe(0);
      await expect(page.locator('.run-form').count()).resolves.toBe(0);
      await insurance.context.close();

      // 2. The admin: a ratio out of range is refused with the field's message, then the thresholds and the run.
      const admin = await as('admin', width, height);
      page = admin.page;
      await page.goto(`${base}/risk?year=${YEAR}`);
      await page.fill('#ruralIncome', '10000');
      await page.fill('#registeredRatio', '6');
      await page.fill('#otherRatio', '1');
      const [refused] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/risk/thresholds')),
        page.click('.thresholds-form button[type="submit"]'),
      ]);
      expect(refused.status()).toBe(400);
      await expect(text(page, '.thresholds-form .field-error')).resolves.toContain('不超过 5');
      await expect(page.locator('#registeredRatio').inputValue()).resolves.toBe('6');
      await page.fill('#registeredRatio', '0.5');
      await Promise.all([page.waitForURL(/done=thresholds/), page.click('.thresholds-form button[type="submit"]')]);
      await expect(text(page, '.risk-thresholds')).resolves.toContain('5000');
      await Promise.all([page.waitForURL(/done=run/), page.click('.run-form button[type="submit"]')]);
      const row = page.locator('.risk-alerts tbody tr', { hasText: maskedId(patient) });
      await expect(row.count()).resolves.toBe(1);
      await expect(row.textContent()).resolves.toContain('9000');
      await expect(page.locator('.risk-alerts', { hasText: maskedId(outsider) }).count()).resolves.toBe(1);
      await expect(page.locator('.risk-alerts').textContent()).resolves.not.toContain(patient);
      expect(await sideways(page)).toBeLessThanOrEqual(0);
      await screenshot(page, `risk-alerts-${name}`);
      await admin.context.close();
      const [alert] = await db.getRepository(RiskAlert).findBy({ idNumber: patient, year: YEAR });
      expect(alert).toMatchObject({ kind: 'registered', burdenFen: 900000 });
      const itemId = alert.itemId!;

      // 3. The officer: evidence, 核实结果 医疗救助, 申请销号.
      const officer = await as('officer1', width, height);
      page = officer.page;
      await page.goto(`${base}/items/${itemId}`);
      await page.setInputFiles('.upload-evidence input[name="file"]', {
        name: '医疗救助审批表.pdf',
        mimeType: 'application/pdf',
        buffer: pdfDocument(`medical aid ${name}`),
      });
      await Promise.all([page.waitForURL(/done=/), page.click('.upload-evidence button[type="submit"]')]);
      await page.fill('textarea[name="resolution"]', '入户核实，已办理医疗救助');
      const [noOutcome] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith(`/items/${itemId}/close`)),
        page.click('.close-form button[type="submit"]'),
      ]);
      expect(noOutcome.status()).toBe(400);
      await expect(page.locator('textarea[name="resolution"]').inputValue()).resolves.toBe('入户核实，已办理医疗救助');
      await page.selectOption('.close-form select[name="outcome"]', 'assisted');
      await Promise.all([page.waitForURL(/done=close/), page.click('.close-form button[type="submit"]')]);
      await expect(text(page, '.item-status .badge')).resolves.toBe('待审核');
      await expect(text(page, '.risk-outcome')).resolves.toContain('医疗救助');
      expect(await sideways(page)).toBeLessThanOrEqual(0);
      await screenshot(page, `risk-item-requested-${name}`);
      await officer.context.close();

      // 4. The caseworker approves; the risk page shows the outcome.
      const reviewer = await as('caseworker', width, height);
      page = reviewer.page;
      await page.goto(`${base}/items/${itemId}`);
      await Promise.all([page.waitForURL(/done=approve/), page.click('.review-form button[value="approve"]')]);
      await expect(text(page, '.item-status .badge')).resolves.toBe('已销号');
      await page.goto(`${base}/risk?year=${YEAR}`);
      await expect(
        page.locator('.risk-alerts tbody tr', { hasText: maskedId(patient) }).textContent(),
      ).resolves.toContain('医疗救助');
      expect(await sideways(page)).toBeLessThanOrEqual(0);
      await screenshot(page, `risk-outcome-${name}`);
      await reviewer.context.close();

      expect(await db.getRepository(Item).findOneByOrFail({ id: itemId })).toMatchObject({
        status: 'closed',
        source: 'risk_alert',
        outcome: 'assisted',
      });
    },
  );

  it('shows the funnel on the 工作台 and in the bulletin: the district to the admin, an officer their street alone', async () => {
    const admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    const { body } = await request(t.http).get(`/api/risk/alerts?year=${YEAR}`).set('Authorization', admin).expect(200);
    const funnel = body.funnel as Funnel;
    const [{ regionCode }] = await db.query<{ regionCode: string }[]>(
      "SELECT regionCode FROM users WHERE username = 'officer1'",
    );
    const street = funnel.byRegion.find((r) => r.regionCode === regionCode)!;
    // The loop above ran at both widths: two alerts of this street, both closed with 医疗救助.
    expect(street).toMatchObject({ alerts: 2, items: 2, outcomes: 2, byOutcome: { assisted: 2 } });
    const sentence = (r: FunnelRow) =>
      `${r.name}有医保结算 ${r.persons} 人、${r.settlements} 笔，个人负担达到预警线 ${r.alerts} 人，已建整改问题 ${r.items} 个，已核实销号 ${r.outcomes} 个`;

    const district = await as('admin', 1280, 900);
    await district.page.goto(`${base}/`);
    await expect(text(district.page, '.risk-funnel tr.total')).resolves.toContain(funnel.district.name);
    await expect(district.page.locator('.risk-funnel tbody tr').count()).resolves.toBe(funnel.byRegion.length + 1);
    await district.page.goto(`${base}/bulletin`);
    await expect(text(district.page, '.risk-funnel-summary')).resolves.toContain(sentence(funnel.district));
    await district.context.close();

    const officer = await as('officer1', 390, 844);
    await officer.page.goto(`${base}/`);
    const rows = officer.page.locator('.risk-funnel tbody tr');
    await expect(rows.count()).resolves.toBe(1);
    await expect(rows.first().textContent()).resolves.toContain(street.name);
    await expect(text(officer.page, '.risk-funnel')).resolves.not.toContain(funnel.district.name);
    await expect(text(officer.page, '.risk-funnel')).resolves.not.toContain(OUTSIDE_REGISTER);
    await officer.page.goto(`${base}/bulletin`);
    await expect(text(officer.page, '.risk-funnel-summary')).resolves.toContain(sentence(street));
    await officer.context.close();
  });
});
