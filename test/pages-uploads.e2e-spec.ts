import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { idCheckChar } from '../src/common/id-number.js';
import { ImportJob } from '../src/imports/import-job.entity.js';
import { Item } from '../src/ledger/item.entity.js';
import { householdInput, maskedId, newIdNumber, newRegistryNo, VILLAGE_A } from './factories/households.js';
import { newCampaign } from './factories/items.js';
import { HOUSEHOLD_HEADER, INSURANCE_HEADER, toCsv, waitUntilFinished } from './factories/rosters.js';
import { launchBrowser, screenshot, serve, signIn } from './utils/browser.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { csrfOf, pageLogin } from './utils/pages.js';

/** The same number with a wrong check character. */
const badCheck = (id: string): string => id.slice(0, 17) + (idCheckChar(id.slice(0, 17)) === '0' ? '1' : '0');

describe('pages: 导入 and 数据比对 (uploads through the forms)', () => {
  let t: TestApp;
  let db: DataSource;
  let uploads: string;
  let caseworker: string;
  let insurance: string;

  beforeAll(async () => {
    uploads = mkdtempSync(join(tmpdir(), 'hpa-uploads-'));
    t = await createTestApp({ UPLOAD_DIR: uploads });
    db = t.app.get(DataSource);
    caseworker = await t.login('caseworker');
    insurance = await t.login('insurance');
  });

  afterAll(() => t.close());

  const leftovers = () => readdirSync(uploads).length;

  /** A roster of one new household (head and spouse) and a row whose ID number has a wrong check character. */
  function householdRoster() {
    const registryNo = newRegistryNo();
    const [head, spouse, bad] = [newIdNumber('male'), newIdNumber('female'), newIdNumber('male')];
    const csv = toCsv(HOUSEHOLD_HEADER, [
      [registryNo, VILLAGE_A, '因病', '在册未脱贫', 2016, head, '导入户主', '户主'],
      [registryNo, VILLAGE_A, '因病', '在册未脱贫', 2016, spouse, '导入配偶', '配偶'],
      [registryNo, VILLAGE_A, '因病', '在册未脱贫', 2016, badCheck(bad), '错号成员', '子女'],
    ]);
    return { csv, bad: badCheck(bad) };
  }

  it('shows 导入 to caseworkers and 数据比对 to insurance staff; officers may open neither', async () => {
    const nav = (html: string) => /<nav class="nav"[\s\S]*?<\/nav>/.exec(html)?.[0] ?? '';
    const cw = nav((await (await pageLogin(t.http, 'caseworker')).get('/').expect(200)).text);
    expect(cw).toContain('href="/imports"');
    expect(cw).not.toContain('href="/reconciliations"');
    const ins = nav((await (await pageLogin(t.http, 'insurance')).get('/').expect(200)).text);
    expect(ins).toContain('href="/reconciliations"');
    expect(ins).not.toContain('href="/imports"');
    const admin = nav((await (await pageLogin(t.http, 'admin', TEST_ADMIN_PASSWORD)).get('/').expect(200)).text);
    expect(admin).toMatch(/整改台账[\s\S]*导入[\s\S]*数据比对[\s\S]*提醒[\s\S]*工作简报[\s\S]*用户/);
    const officer = await pageLogin(t.http, 'officer1');
    await officer.get('/imports').expect(403);
    await officer.get('/reconciliations').expect(403);
  });

  it('a caseworker uploads a roster through the form and follows it to the rejected rows', async () => {
    const agent = await pageLogin(t.http, 'caseworker');
    const form = await agent.get('/imports').expect(200);
    expect(form.text).toContain('enctype="multipart/form-data"');
    const { csv, bad } = householdRoster();
    const res = await agent
      .post('/imports')
      .field('_csrf', csrfOf(form.text))
      .attach('file', Buffer.from(csv), '花名册.csv')
      .expect(303);
    const id = Number(/^\/imports\/(\d+)$/.exec(res.headers.location)?.[1]);
    expect(id).toBeGreaterThan(0);
    await waitUntilFinished(t, caseworker, `/api/imports/${id}`);

    const page = await agent.get(`/imports/${id}`).expect(200);
    expect(page.text).toContain('花名册.csv');
    expect(page.text).toContain('已完成');
    expect(page.text).not.toContain('http-equiv="refresh"');
    expect(page.text).toMatch(/<td class="num">4<\/td>/); // the bad row is line 4 (the header is line 1)
    expect(page.text).toContain(maskedId(bad));
    expect(page.text).not.toContain(bad);
    expect(page.text).toContain(`href="/api/imports/${id}/errors.csv"`);
    const list = await agent.get('/imports').expect(200);
    expect(list.text).toContain(`href="/imports/${id}"`);
  });

  it('refuses an upload without the CSRF token (403) and keeps neither the file nor a job', async () => {
    const agent = await pageLogin(t.http, 'caseworker');
    const [files, jobs] = [leftovers(), await db.getRepository(ImportJob).count()];
    const res = await agent.post('/imports').attach('file', Buffer.from(householdRoster().csv), 'r.csv');
    expect(res.status).toBe(403);
    expect(res.text).toContain('安全校验码');
    expect(leftovers()).toBe(files);
    expect(await db.getRepository(ImportJob).count()).toBe(jobs);
  });

  it('refuses a file that is not a roster, says why, and keeps no file', async () => {
    const agent = await pageLogin(t.http, 'caseworker');
    const form = await agent.get('/imports').expect(200);
    const files = leftovers();
    const xls = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0]), Buffer.alloc(100)]);
    const res = await agent.post('/imports').field('_csrf', csrfOf(form.text)).attach('file', xls, 'old.xls');
    expect(res.status).toBe(400);
    expect(res.text).toContain('文件未能接收');
    expect(res.text).toContain('.xls');
    expect(leftovers()).toBe(files);
  });

  it("a queued job's page reloads itself every 2 s; a finished one does not", async () => {
    const result = await db.getRepository(ImportJob).insert({
      kind: 'households',
      status: 'queued',
      fileName: 'waiting.csv',
      storedName: 'waiting.upload',
      format: 'csv',
      encoding: 'utf8',
    });
    const id = (result.identifiers[0] as { id: number }).id;
    try {
      const agent = await pageLogin(t.http, 'caseworker');
      const page = await agent.get(`/imports/${id}`).expect(200);
      expect(page.text).toContain('<meta http-equiv="refresh" content="2" />');
      expect(page.text).toContain('排队中');
    } finally {
      await db.getRepository(ImportJob).update({ id }, { status: 'failed', error: 'test' });
    }
  });

  it('insurance staff reconcile a roster, read the discrepancies by kind and file them as items once', async () => {
    const admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    const campaign = await newCampaign(t, admin);
    const input = householdInput();
    await request(t.http).post('/api/households').set('Authorization', caseworker).send(input).expect(201);
    const [head] = input.members;
    const roster = toCsv(INSURANCE_HEADER, [
      [head.idNumber, '另一个名字', 2020, '是', '是'],
      [badCheck(newIdNumber()), '错号', 2020, '是', '是'],
    ]);

    const agent = await pageLogin(t.http, 'insurance');
    const form = await agent.get('/reconciliations').expect(200);
    expect(form.text).toContain('name="year"');
    const res = await agent
      .post('/reconciliations')
      .field('_csrf', csrfOf(form.text))
      .field('year', '2020')
      .attach('file', Buffer.from(roster), '参保花名册.csv')
      .expect(303);
    const id = Number(/^\/reconciliations\/(\d+)$/.exec(res.headers.location)?.[1]);
    await waitUntilFinished(t, insurance, `/api/reconciliations/${id}`);

    const page = await agent.get(`/reconciliations/${id}?kind=name_mismatch`).expect(200);
    expect(page.text).toContain('姓名不一致');
    expect(page.text).toContain('另一个名字');
    expect(page.text).toContain(maskedId(head.idNumber));
    expect(page.text).not.toContain(head.idNumber);
    expect(page.text).toContain(`href="/api/reconciliations/${id}/discrepancies.csv?kind&#x3D;name_mismatch"`);

    const token = csrfOf(page.text);
    const none = await agent
      .post(`/reconciliations/${id}/items`)
      .type('form')
      .send({ _csrf: token, campaignId: campaign.id });
    expect(none.status).toBe(400);
    expect(none.text).toContain('请至少勾选一类差异');

    const filed = await agent
      .post(`/reconciliations/${id}/items`)
      .type('form')
      .send({ _csrf: token, kinds: 'name_mismatch', campaignId: String(campaign.id) })
      .expect(303);
    expect(filed.headers.location).toBe(`/reconciliations/${id}?created=1&skipped=0`);
    const after = await agent.get(filed.headers.location).expect(200);
    expect(after.text).toContain('已生成整改问题 1 个');
    const items = await db.getRepository(Item).findBy({ campaignId: campaign.id, source: 'reconciliation' });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ category: 'insurance', responsibleDept: 'insurance', status: 'open' });

    const again = await agent
      .post(`/reconciliations/${id}/items`)
      .type('form')
      .send({ _csrf: token, kinds: ['name_mismatch', 'invalid_id'], campaignId: String(campaign.id) })
      .expect(303);
    expect(again.headers.location).toBe(`/reconciliations/${id}?created=0&skipped=1`);
    expect(await db.getRepository(Item).countBy({ campaignId: campaign.id, source: 'reconciliation' })).toBe(1);
  });

  describe('in a browser', () => {
    let browser: Browser;
    let base: string;

    beforeAll(async () => {
      base = await serve(t);
      browser = await launchBrowser();
    });

    afterAll(() => browser?.close());

    it('uploads a roster with the file chooser and watches the import finish', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
      const page = await context.newPage();
      await signIn(page, base, 'caseworker');
      await page.click('nav.nav >> text=导入');
      await page.setInputFiles('input[name="file"]', {
        name: '贫困户花名册.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(householdRoster().csv),
      });
      await Promise.all([page.waitForURL(/\/imports\/\d+$/), page.click('button:has-text("上传并导入")')]);
      // Queued or running pages reload themselves until the job is done.
      await page.waitForSelector('.badge.job-done', { timeout: 30_000 });
      await expect(page.locator('.facts').textContent()).resolves.toMatch(/拒收行\s*1/);
      await screenshot(page, 'import-page');
      await context.close();
    });

    it.each([
      ['desktop', 1280],
      ['phone', 390],
    ])('cancels a waiting import with 取消导入 (%s)', async (name, width) => {
      const result = await db.getRepository(ImportJob).insert({
        kind: 'households',
        status: 'queued',
        fileName: '待取消.csv',
        storedName: `cancel-${name}.upload`,
        format: 'csv',
        encoding: 'utf8',
      });
      const id = (result.identifiers[0] as { id: number }).id;
      const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'zh-CN' });
      const page = await context.newPage();
      await signIn(page, base, 'caseworker');
      await page.goto(`${base}/imports/${id}`);
      await screenshot(page, `import-cancel-${name}`);
      await Promise.all([page.waitForURL(`${base}/imports/${id}`), page.click('button:has-text("取消导入")')]);
      await page.waitForSelector('.badge.job-cancelled');
      await expect(page.locator('.alert-info').textContent()).resolves.toContain('导入已取消');
      await expect(page.locator('button:has-text("取消导入")').count()).resolves.toBe(0);
      await screenshot(page, `import-cancelled-${name}`);
      expect(await db.getRepository(ImportJob).findOneByOrFail({ id })).toMatchObject({ status: 'cancelled' });
      await context.close();
    });

    it.each([
      ['desktop', 1280],
      ['phone', 390],
    ])("shows an officer a resident's birth year, and a sensitive diagnosis as 敏感病种 (%s)", async (name, width) => {
      const [{ householdId }] = await db.query<{ householdId: number }[]>(
        `SELECT p.householdId AS householdId FROM conditions c INNER JOIN persons p ON p.id = c.personId
         INNER JOIN households h ON h.id = p.householdId
         WHERE c.diseaseCode = 'severe_mental' AND h.regionCode LIKE '610199001%' ORDER BY p.id LIMIT 1`,
      );
      const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'zh-CN' });
      const page = await context.newPage();
      await signIn(page, base, 'officer1');
      await page.goto(`${base}/households/${householdId}`);
      const text = (await page.locator('main').textContent()) ?? '';
      expect(text).toMatch(/\d{4}年出生/);
      expect(text).not.toMatch(/\d{4}年\d{1,2}月\d{1,2}日出生/);
      expect(text).toContain('敏感病种');
      expect(text).not.toContain('严重精神障碍');
      await screenshot(page, `household-officer-${name}`);
      await context.close();
    });
  });
});
