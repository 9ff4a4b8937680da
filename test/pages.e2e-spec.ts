import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Item } from '../src/ledger/item.entity.js';
import { LedgerEntry } from '../src/ledger/ledger-entry.entity.js';
import { Region } from '../src/regions/region.entity.js';
import { SUBDISTRICT_B } from './factories/households.js';
import { type CampaignBody, newCampaign, newItem, unique } from './factories/items.js';
import { launchBrowser, screenshot, serve, signIn } from './utils/browser.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';

/**
 * The pages in headless Chromium against the real app on a localhost port: what an officer, a
 * caseworker and the leadership do, end to end. Screenshots go to test/artifacts/ for review.
 */
describe('pages in a browser', () => {
  let t: TestApp;
  let db: DataSource;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let caseworker: string;
  let campaign: CampaignBody;
  /** Every dialog a page opened (alert(), confirm()…): an injected script would show up here. */
  const dialogs: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DataSource);
    base = await serve(t);
    browser = await launchBrowser();
    caseworker = await t.login('caseworker');
    campaign = await newCampaign(t, await t.login('admin', TEST_ADMIN_PASSWORD), { name: `浏览器测试专项${unique()}` });
  });

  afterAll(async () => {
    await browser?.close();
    await t.close();
  });

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });

  afterEach(() => context.close());

  const itemRow = (id: number) => db.getRepository(Item).findOneByOrFail({ id });
  const ledgerOf = (itemId: number) => db.getRepository(LedgerEntry).find({ where: { itemId }, order: { seq: 'ASC' } });

  it('an officer sees only their sub-district, closes an item with a resolution and finds it closed in the ledger', async () => {
    const mine = await newItem(t, caseworker, campaign.id, { title: `柳树村卫生室缺少血压计${unique()}` });
    const theirs = await newItem(t, caseworker, campaign.id, { regionCode: SUBDISTRICT_B });

    await signIn(page, base, 'officer1');
    await page.click('nav.nav >> text=整改台账');
    await page.waitForURL(`${base}/items`);
    const regions = await page.locator('.items-table tbody tr td:nth-child(2)').allTextContents();
    expect(regions.length).toBeGreaterThan(0);
    expect(new Set(regions.map((r) => r.trim()))).toEqual(new Set(['城关街道']));

    await page.selectOption('select[name="campaignId"]', String(campaign.id));
    await Promise.all([page.waitForURL(/campaignId=/), page.click('button:has-text("查询")')]);
    const titles = await page.locator('.items-table .item-title').allTextContents();
    expect(titles.map((s) => s.trim())).toEqual([mine.title]);
    expect(titles.join()).not.toContain(theirs.title);

    await Promise.all([page.waitForURL(`${base}/items/${mine.id}`), page.click(`text=${mine.title}`)]);
    await page.fill('textarea[name="resolution"]', '已购置电子血压计并培训村医使用');
    await screenshot(page, 'item-page-form');
    await Promise.all([page.waitForURL(`${base}/items/${mine.id}?done=close`), page.click('button:has-text("销号")')]);

    await expect(page.locator('.alert-success').textContent()).resolves.toContain('已销号');
    await expect(page.locator('.item-status .badge.status-closed').textContent()).resolves.toBe('已销号');
    const last = page.locator('.timeline-entry').last();
    await expect(last.locator('.entry-type').textContent()).resolves.toBe('销号');
    await expect(last.locator('.note').textContent()).resolves.toBe('已购置电子血压计并培训村医使用');
    await expect(last.textContent()).resolves.toContain('城关街道 王专干');
    // Closed: no more forms for the officer.
    await expect(page.locator('textarea[name="resolution"]').count()).resolves.toBe(0);
    await screenshot(page, 'item-page');

    expect(await itemRow(mine.id)).toMatchObject({ status: 'closed', resolution: '已购置电子血压计并培训村医使用' });
    const ledger = await ledgerOf(mine.id);
    expect(ledger.map((e) => e.type)).toEqual(['created', 'closed']);
    expect(ledger[1]).toMatchObject({ note: '已购置电子血压计并培训村医使用', actorName: '城关街道 王专干' });
  });

  it("an officer opening another sub-district's item gets the 404 page", async () => {
    const theirs = await newItem(t, caseworker, campaign.id, { regionCode: SUBDISTRICT_B });
    await signIn(page, base, 'officer1');
    const res = await page.goto(`${base}/items/${theirs.id}`);
    expect(res?.status()).toBe(404);
    await expect(page.locator('h1').textContent()).resolves.toContain('页面不存在');
    await expect(page.content()).resolves.not.toContain(theirs.title);
  });

  it('a form posted without the CSRF token is refused (fetch from the page)', async () => {
    const item = await newItem(t, caseworker, campaign.id);
    await signIn(page, base, 'officer1');
    await page.goto(`${base}/items/${item.id}`);
    const status = await page.evaluate(async (id) => {
      const res = await fetch(`/items/${id}/progress`, { method: 'POST', body: new URLSearchParams({ note: '伪造' }) });
      return res.status;
    }, item.id);
    expect(status).toBe(403);
    expect((await ledgerOf(item.id)).map((e) => e.type)).toEqual(['created']);
  });

  it('renders a title with a <script> tag as text: escaped in the markup, no dialog', async () => {
    const title = `<script>alert(1)</script>${unique()}`;
    const item = await newItem(t, caseworker, campaign.id, { title, description: '<img src=x onerror=alert(2)>' });
    await request(t.http)
      .post(`/api/items/${item.id}/progress`)
      .set('Authorization', caseworker)
      .send({ note: '<b onmouseover=alert(3)>进展</b>' })
      .expect(200);
    dialogs.length = 0;

    await signIn(page, base, 'caseworker');
    await page.goto(`${base}/items/${item.id}`);
    await expect(page.locator('h1.item-heading').textContent()).resolves.toBe(title);
    const html = await page.content();
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('&lt;b onmouseover=alert(3)&gt;进展&lt;/b&gt;');
    await expect(page.locator('main script, main img, main b').count()).resolves.toBe(0);

    await page.goto(`${base}/items?campaignId=${campaign.id}`);
    expect(await page.content()).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    await page.goto(`${base}/bulletin?campaignId=${campaign.id}`);
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
  });

  it('a stale version shows the conflict message and keeps what the officer typed', async () => {
    const item = await newItem(t, caseworker, campaign.id);
    await signIn(page, base, 'officer1');
    await page.goto(`${base}/items/${item.id}`);
    // Meanwhile a caseworker starts the item: version 1 → 2.
    await request(t.http).post(`/api/items/${item.id}/start`).set('Authorization', caseworker).send({}).expect(200);

    await page.fill('textarea[name="resolution"]', '已逐户核实并补录信息');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/items/${item.id}/close`)),
      page.click('button:has-text("销号")'),
    ]);
    expect(response.status()).toBe(409);
    await expect(page.locator('.alert-error').textContent()).resolves.toContain('已被他人修改');
    await expect(page.locator('textarea[name="resolution"]').inputValue()).resolves.toBe('已逐户核实并补录信息');
    await expect(page.locator('input[name="version"]').first().inputValue()).resolves.toBe('2');
    expect(await itemRow(item.id)).toMatchObject({ status: 'in_progress', version: 2 });
  });

  it('the dashboard draws its chart: one bar per sub-district', async () => {
    const subdistricts = await db.getRepository(Region).countBy({ level: 'subdistrict' });
    await signIn(page, base, 'leader');
    await expect(page.locator('h1').first().textContent()).resolves.toBe('工作台');
    // The newest campaign is shown first; the demo district's own has the real figures to look at.
    await page.selectOption('.campaign-picker select', { label: '2020年健康扶贫问题整改' });
    await Promise.all([page.waitForURL(/campaignId=/), page.click('.campaign-picker button')]);
    const chart = page.locator('svg.bar-chart');
    await expect(chart.count()).resolves.toBe(1);
    await expect(chart.locator('g.bar').count()).resolves.toBe(subdistricts);
    await expect(chart.locator('g.bar .bar-label').first().textContent()).resolves.toBe('城关街道');
    await expect(page.locator('.countdown').textContent()).resolves.toMatch(/距截止还有 \d+ 天|今天截止|已逾期 \d+ 天/);
    await screenshot(page, 'dashboard');
  });

  it('an officer’s dashboard shows their own sub-district only, village by village', async () => {
    await signIn(page, base, 'officer2');
    // Other suites sharing this database may have made newer campaigns: read the demo district's own.
    await page.selectOption('.campaign-picker select', { label: '2020年健康扶贫问题整改' });
    await Promise.all([page.waitForURL(/campaignId=/), page.click('.campaign-picker button')]);
    const villages = (await db.getRepository(Region).findBy({ parentCode: SUBDISTRICT_B })).map((r) => r.name);
    const labels = await page.locator('svg.bar-chart .bar-label').allTextContents();
    expect(labels.length).toBeGreaterThan(0);
    expect(labels.every((label) => villages.includes(label) || label === '街道本级')).toBe(true);
    await expect(page.locator('.chart-card h2').textContent()).resolves.toBe('各村（社区）销号进度');
  });

  it('the bulletin prints without the application around it', async () => {
    await signIn(page, base, 'leader');
    await page.click('nav.nav >> text=工作简报');
    await page.waitForURL(`${base}/bulletin`);
    await page.selectOption('.campaign-picker select', { label: '2020年健康扶贫问题整改' });
    await Promise.all([page.waitForURL(/campaignId=/), page.click('.campaign-picker button')]);
    await expect(page.locator('.bulletin-head h1').textContent()).resolves.toBe('工作简报');
    await expect(page.locator('.bulletin svg.bar-chart g.bar').count()).resolves.toBeGreaterThan(0);
    await screenshot(page, 'bulletin');
    await page.emulateMedia({ media: 'print' });
    await expect(page.locator('nav.nav').isVisible()).resolves.toBe(false);
    await expect(page.locator('.topbar').isVisible()).resolves.toBe(false);
    await expect(page.locator('.bulletin').isVisible()).resolves.toBe(true);
    await screenshot(page, 'bulletin-print');
  });

  it('fits a narrow screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page, base, 'officer1');
    await page.goto(`${base}/items`);
    // The page itself does not scroll sideways; wide tables scroll inside their wrapper.
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'items-narrow');
  });
});
