import ExcelJS from 'exceljs';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { inTransaction } from '../src/database/transaction.js';
import { Item } from '../src/ledger/item.entity.js';
import { ItemsService } from '../src/ledger/items.service.js';
import { WORKLIST_KINDS } from '../src/reports/worklist-kinds.js';
import { launchBrowser, screenshot, serve, signIn } from './utils/browser.js';
import { createTestApp, type TestApp } from './utils/create-test-app.js';
import { type OracleLists, oracleWorklists } from './utils/worklist-oracle.js';

const AS_OF = '2020-05-20';
const KINDS = WORKLIST_KINDS;
const CHENGGUAN = '610199001';

interface Row {
  refId: number;
  person: { id: number; name: string; idNumber: string } | null;
  household: { id: number; registryNo: string } | null;
  village: { code: string; name: string } | null;
  street: { code: string; name: string };
  dueOn: string;
  daysLate: number;
}

const dayNumber = (d: string) =>
  Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))) / 86_400_000;

/** Issue #17: the working lists on the demo district as of 2020-05-20, against counts taken from the raw rows. */
describe('working lists (SPEC §6.3, issue #17)', () => {
  let t: TestApp;
  let db: DataSource;
  let caseworker: string;
  let officer: string;
  let oracle: OracleLists;

  beforeAll(async () => {
    t = await createTestApp({}, { freshDatabase: true });
    t.clock.set('2020-05-20T02:00:00Z');
    db = t.app.get(DataSource);
    [caseworker, officer] = await Promise.all([t.login('caseworker'), t.login('officer1')]);
    const [campaign] = await db.query<{ treatmentStartDays: number }[]>(
      'SELECT treatmentStartDays FROM campaigns WHERE year = 2020 ORDER BY id DESC LIMIT 1',
    );
    oracle = await oracleWorklists(db, AS_OF, Number(campaign?.treatmentStartDays ?? 30));
  });

  afterAll(() => t.close());

  const get = (path: string, token = caseworker) => request(t.http).get(path).set('Authorization', token);

  /** Every row of a list, page by page (200 a page). */
  async function everyRow(kind: string, token = caseworker, query = ''): Promise<{ rows: Row[]; total: number }> {
    const rows: Row[] = [];
    for (let page = 1; ; page++) {
      const res = await get(`/api/worklists/${kind}?pageSize=200&page=${page}${query}`, token).expect(200);
      rows.push(...(res.body.items as Row[]));
      if (rows.length >= res.body.total || res.body.items.length === 0) {
        return { rows, total: res.body.total as number };
      }
    }
  }

  it('holds, for each list, exactly the rows counted from the raw tables, most urgent first', async () => {
    for (const kind of KINDS) {
      const { rows, total } = await everyRow(kind);
      const expected = oracle[kind];
      expect([kind, total]).toEqual([kind, expected.size]);
      expect([kind, rows.map((r) => r.refId).sort((a, b) => a - b)]).toEqual([
        kind,
        [...expected.keys()].sort((a, b) => a - b),
      ]);
      const due = rows.map((r) => r.dueOn);
      expect([kind, due]).toEqual([kind, [...due].sort()]);
      for (const r of rows) {
        expect(r.daysLate).toBe(dayNumber(AS_OF) - dayNumber(r.dueOn));
      }
    }
    // The demo district has something on every list but the next week's follow-ups may be few: most are non-empty.
    expect(KINDS.filter((k) => oracle[k].size > 0).length).toBeGreaterThanOrEqual(5);
  });

  it('names the person with a masked ID, the household, the village and the street', async () => {
    const { rows } = await everyRow('followups_overdue');
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.person!.idNumber).toMatch(/^\d{6}\*{8}\d{3}[\dX]$/);
      expect(r.household!.registryNo).not.toBe('');
      expect(r.street.name).toMatch(/街道|镇/);
      expect(r.village === null || r.village.code.startsWith(r.street.code.slice(0, 9))).toBe(true);
    }
    expect(JSON.stringify(rows)).not.toMatch(/\d{17}[\dX]/);
  });

  it("keeps an officer's lists to their own sub-district, even when another is asked for", async () => {
    for (const kind of KINDS) {
      const own = [...oracle[kind]].filter(([, street]) => street === CHENGGUAN).map(([id]) => id);
      const { rows, total } = await everyRow(kind, officer);
      expect([kind, total]).toEqual([kind, own.length]);
      expect(rows.every((r) => r.street.code.startsWith(CHENGGUAN))).toBe(true);
      const other = await get(`/api/worklists/${kind}?regionCode=610199002000&pageSize=1`, officer).expect(200);
      expect([kind, other.body.total]).toEqual([kind, own.length]);
    }
  });

  it('narrows to a village with regionCode, and to the insurance items for the insurance bureau', async () => {
    const { rows } = await everyRow('followups_overdue', officer);
    const village = rows.find((r) => r.village)!.village!.code;
    const narrowed = await everyRow('followups_overdue', officer, `&regionCode=${village}`);
    expect(narrowed.total).toBe(rows.filter((r) => r.village?.code === village).length);
    expect(narrowed.rows.every((r) => r.village?.code === village)).toBe(true);
    const insurance = await get('/api/worklists/items_due?pageSize=1', await t.login('insurance')).expect(200);
    expect(insurance.body.total).toBe(oracle.items_due_insurance.size);
  });

  it('exports every row as a workbook with Chinese headers and masked IDs', async () => {
    const { rows } = await everyRow('contracts_noncompliant');
    const res = await get('/api/worklists/contracts_noncompliant?format=xlsx')
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-disposition']).toContain('.xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body as ExcelJS.Buffer);
    const sheet = workbook.worksheets[0];
    expect(sheet.getRow(1).values).toEqual(
      expect.arrayContaining(['姓名', '身份证号(脱敏)', '户编号', '村(社区)', '街道']),
    );
    const body = sheet.getSheetValues().slice(2) as unknown[][];
    expect(body.length).toBe(rows.length);
    expect(body.map((cells) => [cells[2], cells[3], cells[7]])).toEqual(
      rows.map((r) => [r.person!.name, r.person!.idNumber, r.dueOn]),
    );
  });

  it('answers an unknown kind with 404 and a bad regionCode, asOf or sort with 400 naming it', async () => {
    await get('/api/worklists/overdue_everything').expect(404);
    await get("/api/worklists/items_due' OR '1'='1").expect(404);
    for (const [param, value] of [
      ['regionCode', "610199' OR 1=1 --"],
      ['regionCode', '6101990%'],
      ['asOf', '2020-02-30'],
      ['asOf', '2020-05-2.*'],
      ['sort', 'dueOn; DROP TABLE items'],
      ['format', 'csv'],
    ]) {
      const res = await get(`/api/worklists/followups_overdue?${param}=${encodeURIComponent(value)}`).expect(400);
      expect(JSON.stringify(res.body.message)).toContain(param);
    }
    await get('/api/worklists/items_due', await t.login('leader')).expect(403);
  });

  it('draws a list up as of another day', async () => {
    const earlier = await get('/api/worklists/followups_overdue?asOf=2020-03-01&pageSize=1').expect(200);
    expect(earlier.body.asOf).toBe('2020-03-01');
    const other = await oracleWorklists(db, '2020-03-01', 30);
    expect(earlier.body.total).toBe(other.followups_overdue.size);
  });

  it("never names another sub-district's resident through an item of the officer's", async () => {
    const [east] = await db.query<{ id: number; name: string }[]>(
      "SELECT p.id, p.name FROM persons p INNER JOIN households h ON h.id = p.householdId WHERE h.regionCode LIKE '610199002%' ORDER BY p.id LIMIT 1",
    );
    const [campaign] = await db.query<{ id: number }[]>('SELECT id FROM campaigns ORDER BY id LIMIT 1');
    const dedupeKey = `worklists-east:${Date.now()}`;
    await inTransaction(db, (em) =>
      t.app.get(ItemsService).createMany(
        em,
        [
          {
            campaignId: Number(campaign.id),
            category: 'data',
            title: '核实对象信息',
            subjectType: 'person',
            subjectId: Number(east.id),
            regionCode: '610199001000',
            responsibleDept: 'health',
            source: 'check',
            dedupeKey,
          },
        ],
        { id: null, name: '系统' },
      ),
    );
    const item = await db.getRepository(Item).findOneByOrFail({ dedupeKey });
    const { rows } = await everyRow('items_due', officer);
    const row = rows.find((r) => r.refId === item.id)!;
    expect(row).toMatchObject({ person: null, household: null, street: { code: '610199001000' } });
    expect(JSON.stringify(rows)).not.toContain(east.name);
    const all = await everyRow('items_due');
    expect(all.rows.find((r) => r.refId === item.id)!.person!.name).toBe(east.name);
  });

  describe('pages (Chromium)', () => {
    let browser: Browser;
    let base: string;

    beforeAll(async () => {
      base = await serve(t);
      browser = await launchBrowser();
    });

    afterAll(() => browser?.close());

    for (const size of [
      { name: 'desktop', width: 1280, height: 900 },
      { name: 'phone', width: 390, height: 844 },
    ]) {
      it(`takes an officer from 工作台 to one village's overdue follow-ups in two clicks (${size.name})`, async () => {
        const context = await browser.newContext({ viewport: { width: size.width, height: size.height } });
        const page = await context.newPage();
        await signIn(page, base, 'officer1');
        await page.goto(`${base}/`);
        const todo = page.locator('[data-worklist="followups_overdue"]');
        expect(Number(await todo.getAttribute('data-count'))).toBe(
          [...oracle.followups_overdue.values()].filter((s) => s === CHENGGUAN).length,
        );
        await screenshot(page, `worklists-dashboard-${size.name}`);
        await todo.click();
        await page.waitForURL(/\/worklists\/followups_overdue/);
        const villageLink = page.locator('.village-filter a[data-village]').first();
        const village = await villageLink.getAttribute('data-village');
        const expected = Number(await villageLink.getAttribute('data-count'));
        await villageLink.click();
        await page.waitForURL(new RegExp(`regionCode=${village}`));
        expect(await page.locator('h1').textContent()).toContain('随访逾期');
        const shown = await page.locator('tr[data-row]').count();
        expect(shown).toBe(Math.min(expected, 20));
        expect(await page.locator('.pager').textContent()).toContain(`共 ${expected} 条`);
        const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
        expect(scrollWidth).toBeLessThanOrEqual(size.width);
        await screenshot(page, `worklists-village-${size.name}`);
        await context.close();
      });
    }
  });
});
