import ExcelJS from 'exceljs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Campaign } from '../src/ledger/campaign.entity.js';
import { Item } from '../src/ledger/item.entity.js';
import { LedgerEntry } from '../src/ledger/ledger-entry.entity.js';
import { householdInput, maskedId, VILLAGE_A } from './factories/households.js';
import { newCampaign, newItem, unique } from './factories/items.js';
import { launchBrowser, screenshot, serve, signIn } from './utils/browser.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { csrfOf, pageLogin } from './utils/pages.js';

const HEADER = ['街道', '类别', '问题', '问题描述', '责任部门', '截止日期', '对象身份证号'];
const WIDTHS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

/**
 * Issue #16, the items part, in Chromium: an admin creates a campaign, registers a finding (a bad
 * field first), downloads the template, uploads a batch with a bad row (nothing written, the row's
 * line listed) and then the corrected one, reassigns an item and moves a deadline with a reason;
 * an officer reaches another sub-district's item forms only as 404. Screenshots in test/artifacts/.
 */
describe('pages: 登记整改问题, 批量登记, 移交, 调整期限 and 整改专项 (issue 16)', () => {
  let t: TestApp;
  let db: DataSource;
  let base: string;
  let browser: Browser;
  let admin: string;
  /** A person of 城关街道 with a name no other test uses. */
  let person: { id: number; name: string; idNumber: string; householdId: number };

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2020-04-15T02:00:00Z');
    db = t.app.get(DataSource);
    base = await serve(t);
    browser = await launchBrowser();
    admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    const household = householdInput({ regionCode: VILLAGE_A });
    household.members[0].name = `查找${unique()}`;
    const created = await request(t.http).post('/api/households').set('Authorization', admin).send(household);
    expect(created.status).toBe(201);
    const body = created.body as { id: number; members: { id: number; name: string }[] };
    person = {
      id: body.members.find((m) => m.name === household.members[0].name)!.id,
      name: household.members[0].name,
      idNumber: household.members[0].idNumber,
      householdId: body.id,
    };
  });

  afterAll(async () => {
    await browser?.close();
    await t.close();
  });

  async function as(username: string, width: number, height: number): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', acceptDownloads: true });
    const page = await context.newPage();
    await signIn(page, base, username, username === 'admin' ? TEST_ADMIN_PASSWORD : undefined);
    return { context, page };
  }

  const text = async (page: Page, selector: string) =>
    ((await page.locator(selector).first().textContent()) ?? '').trim();
  const sideways = (page: Page) =>
    page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  const entriesOf = async (itemId: number) =>
    (await db.getRepository(LedgerEntry).find({ where: { itemId }, order: { seq: 'ASC' } })).map((e) => e.type);
  /** Posts a page form and answers the response (the page comes back). */
  const submit = async (page: Page, url: string, button: string) => {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().startsWith(`${base}${url}`) && r.request().method() === 'POST'),
      page.click(button),
    ]);
    await page.waitForLoadState('load');
    return response;
  };

  async function xlsx(rows: string[][]): Promise<Buffer> {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('督导发现问题');
    [HEADER, ...rows].forEach((row) => sheet.addRow(row));
    return Buffer.from(await workbook.xlsx.writeBuffer());
  }

  it('an admin creates a campaign, registers findings one by one and from Excel, reassigns and moves a deadline (desktop)', async () => {
    const { context, page } = await as('admin', 1280, 900);

    // 整改专项: thresholds in the wrong order first (the field says why, the text stays), then right.
    const name = `督导整改专项${unique()}`;
    await Promise.all([page.waitForURL(`${base}/campaigns`), page.click('nav.nav >> text=整改专项')]);
    await page.fill('.campaign-create input[name="name"]', name);
    await page.fill('.campaign-create input[name="year"]', '2020');
    await page.fill('.campaign-create input[name="deadline"]', '2020-05-31');
    await page.fill('.campaign-create input[name="reminderDays"]', '3');
    await page.fill('.campaign-create input[name="warningDays"]', '7');
    expect((await submit(page, '/campaigns', '.campaign-create button[type="submit"]')).status()).toBe(400);
    await expect(text(page, '.campaign-create .field-error')).resolves.toBe('提醒天数须大于预警天数。');
    await expect(page.inputValue('.campaign-create input[name="name"]')).resolves.toBe(name);
    await page.fill('.campaign-create input[name="reminderDays"]', '14');
    await page.selectOption('.campaign-create select[name="closeReview"]', 'false');
    expect((await submit(page, '/campaigns', '.campaign-create button[type="submit"]')).status()).toBe(303);
    await expect(text(page, '.alert-success')).resolves.toBe('整改专项已创建。');
    const campaign = await db.getRepository(Campaign).findOneByOrFail({ name });
    expect(campaign).toMatchObject({ year: 2020, deadline: '2020-05-31', reminderDays: 14, warningDays: 7 });
    expect(campaign.closeReview).toBe(false);
    // Its settings: 销号审核 on again.
    const card = page.locator('.campaign-card', { hasText: name });
    await card.locator('select[name="closeReview"]').selectOption('true');
    await Promise.all([page.waitForURL(/done=updated/), card.locator('button[type="submit"]').click()]);
    expect((await db.getRepository(Campaign).findOneByOrFail({ id: campaign.id })).closeReview).toBe(true);

    // 登记整改问题: a one-character title is refused at its field, what was typed stays.
    await page.goto(`${base}/items`);
    await Promise.all([page.waitForURL(`${base}/items/new`), page.click('.register-actions >> text=登记整改问题')]);
    await page.selectOption('select[name="campaignId"]', String(campaign.id));
    await page.selectOption('select[name="category"]', 'contract');
    await page.fill('input[name="title"]', '未');
    await page.fill('textarea[name="description"]', '督导组入户发现：患者未签约家庭医生');
    // The subject by name: the candidates are masked; chosen, it gives the sub-district.
    await page.fill('input[name="subjectQuery"]', person.name);
    await submit(page, '/items/new', 'button[value="lookup"]');
    const candidate = page.locator('.candidates li', { hasText: person.name });
    await expect(candidate.locator('code').textContent()).resolves.toBe(maskedId(person.idNumber));
    await candidate.locator('input[type="radio"]').check();
    expect((await submit(page, '/items/new', 'button[value="file"]')).status()).toBe(400);
    await expect(text(page, '.item-new-form .field-error')).resolves.toBe('问题至少需要 2 个字');
    await expect(page.inputValue('textarea[name="description"]')).resolves.toBe('督导组入户发现：患者未签约家庭医生');
    await expect(page.locator('.candidates input[type="radio"]:checked').getAttribute('value')).resolves.toBe(
      String(person.id),
    );
    // By the full ID number: found, and the number is never written back into the page.
    await page.fill('input[name="subjectQuery"]', person.idNumber);
    await submit(page, '/items/new', 'button[value="lookup"]');
    expect(await page.content()).not.toContain(person.idNumber);
    await expect(text(page, '.subject-lookup .muted')).resolves.toContain(maskedId(person.idNumber));
    await page.locator('.candidates li', { hasText: person.name }).locator('input[type="radio"]').check();
    const title = `高血压患者未签约${unique()}`;
    await page.fill('input[name="title"]', title);
    await screenshot(page, 'items-new-desktop');
    await Promise.all([page.waitForURL(/\/items\/\d+\?done=created/), page.click('button[value="file"]')]);
    await expect(text(page, '.alert-success')).resolves.toBe('已登记整改问题。');
    const filed = await db.getRepository(Item).findOneByOrFail({ title });
    expect(filed).toMatchObject({ subjectType: 'person', subjectId: person.id, regionCode: '610199001000' });
    await expect(entriesOf(filed.id)).resolves.toEqual(['created']);
    // The person links to their household.
    await expect(page.locator('.facts a', { hasText: person.name }).getAttribute('href')).resolves.toBe(
      `/households/${person.householdId}`,
    );

    // 批量登记: the template, then a file with one bad row (nothing written, its line listed), then the corrected file.
    await page.goto(`${base}/items/batch?campaignId=${campaign.id}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=下载模板（Excel）')]);
    const template = new ExcelJS.Workbook();
    await template.xlsx.readFile(await download.path());
    expect((template.worksheets[0].getRow(1).values as unknown[]).slice(1)).toEqual(HEADER);
    const titles = [`卫生室缺血压计${unique()}`, `参保信息有误${unique()}`, `未随访${unique()}`];
    const rows = [
      ['城关街道', '基础设施', titles[0], '', '', '2020-05-20', ''],
      ['东塬街道', '没有的类别', titles[1], '', '', '', ''],
      ['610199001000', 'contract', titles[2], '', '卫健局', '', person.idNumber],
    ];
    await page.setInputFiles('.batch-form input[name="file"]', {
      name: '督导发现问题.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: await xlsx(rows),
    });
    expect((await submit(page, '/items/batch', '.batch-form button[type="submit"]')).status()).toBe(400);
    await expect(text(page, '.alert-error')).resolves.toContain('第 3 行');
    await expect(text(page, '.batch-rows tbody tr')).resolves.toMatch(/^第 3 行\s*类别\s*类别“没有的类别”无效/);
    await expect(page.locator('.batch-rows tbody tr').count()).resolves.toBe(1);
    await screenshot(page, 'items-batch-refused-desktop');
    expect(await db.getRepository(Item).countBy({ campaignId: campaign.id })).toBe(1);

    rows[1][1] = '基本医保';
    await page.setInputFiles('.batch-form input[name="file"]', {
      name: '督导发现问题.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: await xlsx(rows),
    });
    await Promise.all([page.waitForURL(/filed=3/), page.click('.batch-form button[type="submit"]')]);
    await expect(text(page, '.alert-success')).resolves.toContain('已登记 3 条整改问题');
    const batch = await db
      .getRepository(Item)
      .find({ where: titles.map((title) => ({ title })), order: { id: 'ASC' } });
    expect(batch.map((i) => [i.title, i.regionCode, i.responsibleDept, i.deadline, i.subjectId])).toEqual([
      [titles[0], '610199001000', 'health', '2020-05-20', null],
      [titles[1], '610199002000', 'insurance', '2020-05-31', null],
      [titles[2], '610199001000', 'health', '2020-05-31', person.id],
    ]);
    for (const item of batch) {
      await expect(entriesOf(item.id)).resolves.toEqual(['created']);
    }

    // 移交: 城关 → 东塬 with its reason, one entry (a form without a reason: the next test).
    const moved = batch[0];
    await page.goto(`${base}/items/${moved.id}`);
    await page.selectOption('.reassign-form select[name="regionCode"]', '610199002000');
    await page.fill('.reassign-form textarea[name="note"]', '卫生室属东塬街道管辖');
    await Promise.all([page.waitForURL(/done=reassign/), page.click('.reassign-form button[type="submit"]')]);
    await expect(text(page, '.alert-success')).resolves.toBe('已移交。');
    expect(await db.getRepository(Item).findOneByOrFail({ id: moved.id })).toMatchObject({
      regionCode: '610199002000',
      version: 2,
    });

    // 调整期限: a new date with its reason, one entry.
    await page.fill('.deadline-form input[name="deadline"]', '2020-06-30');
    await page.fill('.deadline-form textarea[name="note"]', '血压计采购需走政府采购流程');
    await Promise.all([page.waitForURL(/done=deadline/), page.click('.deadline-form button[type="submit"]')]);
    await expect(text(page, '.alert-success')).resolves.toBe('已调整截止日期。');
    expect((await db.getRepository(Item).findOneByOrFail({ id: moved.id })).deadline).toBe('2020-06-30');
    await expect(entriesOf(moved.id)).resolves.toEqual(['created', 'reassigned', 'deadline_changed']);
    const notes = await db.getRepository(LedgerEntry).find({ where: { itemId: moved.id }, order: { seq: 'ASC' } });
    expect(notes.map((e) => e.note)).toEqual([null, '卫生室属东塬街道管辖', '血压计采购需走政府采购流程']);
    await screenshot(page, 'items-show-forms-desktop');

    // The campaign's figures (an admin's: the whole district): 4 items, all open, none overdue.
    await page.goto(`${base}/campaigns`);
    const figures = page.locator('.campaign-card', { hasText: name }).locator('.campaign-figures dd');
    await expect(figures.allTextContents()).resolves.toEqual(['4', '0', '0', '0']);
    await screenshot(page, 'campaigns-desktop');
    await context.close();
  });

  it('keeps a stale 移交 or 调整期限 with its text, and its message says someone changed the item', async () => {
    const campaign = await newCampaign(t, admin);
    const item = (await newItem(t, admin, campaign.id)) as { id: number; version: number };
    const agent = await pageLogin(t.http, 'admin', TEST_ADMIN_PASSWORD);
    const csrf = csrfOf((await agent.get(`/items/${item.id}`).expect(200)).text);
    // A reason is required: the field says so, the chosen date stays, nothing is written.
    const bare = await agent
      .post(`/items/${item.id}/deadline`)
      .type('form')
      .send({ _csrf: csrf, version: item.version, deadline: '2020-06-01', note: ' ' })
      .expect(400);
    expect(bare.text).toMatch(/class="field-error" role="alert">请填写调整原因</);
    expect(bare.text).toContain('value="2020-06-01"');
    await expect(entriesOf(item.id)).resolves.toEqual(['created']);
    await agent
      .post(`/items/${item.id}/deadline`)
      .type('form')
      .send({ _csrf: csrf, version: item.version, deadline: '2020-06-01', note: '第一次调整' })
      .expect(303);
    const stale = await agent
      .post(`/items/${item.id}/deadline`)
      .type('form')
      .send({ _csrf: csrf, version: item.version, deadline: '2020-06-15', note: '第二次调整的原因' });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('已被他人修改');
    expect(stale.text).toContain('第二次调整的原因');
    await expect(entriesOf(item.id)).resolves.toEqual(['created', 'deadline_changed']);
    // Without the CSRF token: 403, nothing changes.
    await agent
      .post(`/items/${item.id}/reassign`)
      .type('form')
      .send({ version: 2, regionCode: '610199002000', note: '无令牌' })
      .expect(403);
    await expect(entriesOf(item.id)).resolves.toEqual(['created', 'deadline_changed']);
  });

  it("an officer reaches another sub-district's item forms only as 404, and has none of the registration pages", async () => {
    const campaign = await newCampaign(t, admin);
    const east = (await newItem(t, admin, campaign.id, { regionCode: '610199002000' })) as { id: number };
    const officer = await pageLogin(t.http, 'officer1');
    const csrf = csrfOf((await officer.get('/items').expect(200)).text);
    await officer.get(`/items/${east.id}`).expect(404);
    for (const form of ['comments', 'progress', 'start', 'close', 'assignee']) {
      await officer
        .post(`/items/${east.id}/${form}`)
        .type('form')
        .send({ _csrf: csrf, note: '越权', version: 1 })
        .expect(404);
    }
    // 移交 and 调整期限 are a manager's: refused whoever's item it is.
    for (const form of ['reassign', 'deadline']) {
      await officer
        .post(`/items/${east.id}/${form}`)
        .type('form')
        .send({ _csrf: csrf, note: '越权', version: 1, deadline: '2020-06-01' })
        .expect(403);
    }
    await officer.get('/items/new').expect(403);
    await officer.get('/items/batch').expect(403);
    const list = await officer.get('/items').expect(200);
    expect(list.text).not.toContain('href="/items/new"');
    await expect(entriesOf(east.id)).resolves.toEqual(['created']);
  });

  it.each(WIDTHS)('shows the pages at $name width without sideways scrolling', async ({ name, width, height }) => {
    const { context, page } = await as('admin', width, height);
    for (const [path, shot] of [
      ['/campaigns', 'campaigns'],
      ['/items/new', 'items-new'],
      ['/items/batch', 'items-batch'],
    ] as const) {
      await page.goto(`${base}${path}`);
      expect(await sideways(page)).toBeLessThanOrEqual(0);
      if (name === 'phone' || path === '/items/batch') {
        await screenshot(page, `${shot}-${name}`);
      }
    }
    const campaign = await newCampaign(t, admin);
    const item = (await newItem(t, admin, campaign.id, { subjectType: 'person', subjectId: person.id })) as {
      id: number;
    };
    await page.goto(`${base}/items/${item.id}`);
    await expect(page.locator('.reassign-form').count()).resolves.toBe(1);
    await expect(page.locator('.deadline-form').count()).resolves.toBe(1);
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    if (name === 'phone') {
      await screenshot(page, 'items-show-forms-phone');
    }
    await context.close();
  });
});
