import request from 'supertest';
import { DataSource, In } from 'typeorm';
import { ItemCounts1765700000000 } from '../migrations/1765700000000-ItemCounts.js';
import { authUserOf } from '../src/auth/auth-user.js';
import { User } from '../src/auth/user.entity.js';
import { inTransaction } from '../src/database/transaction.js';
import { ItemsService } from '../src/ledger/items.service.js';
import { SYSTEM_ACTOR } from '../src/ledger/ledger.service.js';
import { SUBDISTRICT_A, SUBDISTRICT_B } from './factories/households.js';
import { newCampaign, newItem, unique } from './factories/items.js';
import { toCsv } from './factories/rosters.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';

const KEY = 'regionCode, status, campaignId, responsibleDept';

/** Issue #21: the list's total from item_counts, kept by triggers on items, exact after every change. */
describe('item_counts: the busy list’s exact total', () => {
  let t: TestApp;
  let db: DataSource;
  let admin: string;
  let caseworker: string;
  let officer1: string;
  let officer2: string;
  let campaignId: number;
  let reviewedId: number;

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2020-04-15T02:00:00Z');
    db = t.app.get(DataSource);
    admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    caseworker = await t.login('caseworker');
    officer1 = await t.login('officer1');
    officer2 = await t.login('officer2');
    campaignId = (await newCampaign(t, admin, { deadline: '2020-05-31' })).id;
    reviewedId = (await newCampaign(t, admin, { deadline: '2020-05-31', closeReview: true, evidenceRequired: false }))
      .id;
  });

  afterAll(() => t.close());

  const post = (path: string, token: string, body: object = {}) =>
    request(t.http).post(path).set('Authorization', token).send(body);

  /** item_counts as it is (keys at 0 left out), and as a GROUP BY of items gives it: they must be equal. */
  const counts = async () => {
    const kept = await db.query<Record<string, unknown>[]>(
      `SELECT ${KEY}, slot, total FROM item_counts WHERE total <> 0 ORDER BY ${KEY}, slot`,
    );
    const grouped = await db.query<Record<string, unknown>[]>(
      `SELECT ${KEY}, id % 8 AS slot, COUNT(*) AS total FROM items GROUP BY ${KEY}, id % 8 ORDER BY ${KEY}, slot`,
    );
    const norm = (rows: Record<string, unknown>[]) =>
      rows.map(
        (r) =>
          `${String(r.regionCode)} ${String(r.status)} ${Number(r.campaignId)} ${String(r.responsibleDept)} ${Number(r.slot)} ${Number(r.total)}`,
      );
    return { kept: norm(kept), grouped: norm(grouped) };
  };
  const expectExact = async () => {
    const { kept, grouped } = await counts();
    expect(kept).toEqual(grouped);
  };

  /** The list's total as `token` reads it (pageSize 1: a full page, so the total is not the page's length). */
  const listTotal = async (token: string, query: string) =>
    (
      (await request(t.http).get(`/api/items?pageSize=1&${query}`).set('Authorization', token).expect(200)).body as {
        total: number;
      }
    ).total;
  const sqlCount = async (where: string, params: unknown[] = []) =>
    Number((await db.query<{ n: number | string }[]>(`SELECT COUNT(*) AS n FROM items WHERE ${where}`, params))[0].n);

  it('the officer’s and the caseworker’s totals equal a COUNT, before and after closes, at once', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await newItem(t, caseworker, campaignId)).id as number);
    }
    await newItem(t, caseworker, campaignId, { regionCode: SUBDISTRICT_B });
    const check = async () => {
      expect(await listTotal(officer1, `campaignId=${campaignId}`)).toBe(
        await sqlCount('campaignId = ? AND regionCode = ?', [campaignId, SUBDISTRICT_A]),
      );
      expect(await listTotal(officer1, `campaignId=${campaignId}&closed=false`)).toBe(
        await sqlCount("campaignId = ? AND regionCode = ? AND status <> 'closed'", [campaignId, SUBDISTRICT_A]),
      );
      expect(await listTotal(officer1, `campaignId=${campaignId}&status=closed`)).toBe(
        await sqlCount("campaignId = ? AND regionCode = ? AND status = 'closed'", [campaignId, SUBDISTRICT_A]),
      );
      expect(await listTotal(caseworker, `campaignId=${campaignId}&closed=false`)).toBe(
        await sqlCount("campaignId = ? AND status <> 'closed'", [campaignId]),
      );
      expect(await listTotal(caseworker, 'closed=false')).toBe(await sqlCount("status <> 'closed'"));
      expect(await listTotal(caseworker, 'responsibleDept=health')).toBe(await sqlCount("responsibleDept = 'health'"));
    };
    await check();
    const openBefore = await listTotal(officer1, `campaignId=${campaignId}&closed=false`);
    expect(openBefore).toBe(5);

    // One close, then the total the closing officer reads next.
    await post(`/api/items/${ids[0]}/close`, officer1, { resolution: '已整改完成', version: 1 }).expect(200);
    expect(await listTotal(officer1, `campaignId=${campaignId}&closed=false`)).toBe(4);
    expect(await listTotal(officer1, `campaignId=${campaignId}&status=closed`)).toBe(1);

    // Two closes at the same moment (two connections on MariaDB), then the rest together.
    const closes = await Promise.all(
      [ids[1], ids[2]].map((id, i) =>
        post(`/api/items/${id}/close`, i ? caseworker : officer1, { resolution: '同时销号测试', version: 1 }),
      ),
    );
    expect(closes.map((r) => r.status)).toEqual([200, 200]);
    expect(await listTotal(officer1, `campaignId=${campaignId}&closed=false`)).toBe(2);
    const users = await db.getRepository(User).findBy({ username: In(['officer1', 'caseworker']) });
    const actors = users.map(authUserOf);
    const many: number[] = [];
    for (let i = 0; i < 16; i++) {
      many.push((await newItem(t, caseworker, campaignId)).id as number);
    }
    const items = t.app.get(ItemsService);
    const settled = await Promise.allSettled(
      many.map((id, i) => items.close(actors[i % 2], id, { resolution: '并发销号测试', version: 1 })),
    );
    expect(settled.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await listTotal(officer1, `campaignId=${campaignId}&closed=false`)).toBe(2);
    expect(await listTotal(officer1, `campaignId=${campaignId}&status=closed`)).toBe(19);
    await check();
    await expectExact();
  });

  it('stays exact through start, a close request, its rejection and approval, reopen and 移交', async () => {
    const { id } = (await newItem(t, caseworker, reviewedId)) as { id: number };
    const open = () => listTotal(officer1, `campaignId=${reviewedId}&status=open`);
    const pending = () => listTotal(caseworker, `campaignId=${reviewedId}&status=pending_review`);
    await newItem(t, caseworker, reviewedId);
    expect([await open(), await pending()]).toEqual([2, 0]);
    await post(`/api/items/${id}/start`, officer1, { version: 1 }).expect(200);
    expect(await open()).toBe(1);
    expect(await listTotal(officer1, `campaignId=${reviewedId}&status=in_progress`)).toBe(1);
    await post(`/api/items/${id}/close`, officer1, { resolution: '申请销号测试', version: 2 }).expect(200);
    expect([await open(), await pending()]).toEqual([1, 1]);
    await post(`/api/items/${id}/review`, caseworker, { decision: 'reject', comment: '材料不全', version: 3 }).expect(
      200,
    );
    expect(await pending()).toBe(0);
    expect(await listTotal(officer1, `campaignId=${reviewedId}&closed=false`)).toBe(2);
    const status = (
      (await request(t.http).get(`/api/items/${id}`).set('Authorization', officer1).expect(200)).body as {
        version: number;
      }
    ).version;
    await post(`/api/items/${id}/close`, officer1, { resolution: '再次申请销号', version: status }).expect(200);
    expect(await pending()).toBe(1);
    await post(`/api/items/${id}/review`, caseworker, { decision: 'approve', version: status + 1 }).expect(200);
    expect([await pending(), await listTotal(officer1, `campaignId=${reviewedId}&closed=true`)]).toEqual([0, 1]);
    await post(`/api/items/${id}/reopen`, caseworker, { reason: '复查发现问题', version: status + 2 }).expect(200);
    expect(await listTotal(officer1, `campaignId=${reviewedId}&closed=false`)).toBe(2);

    // 移交: to the insurance bureau, then to another sub-district.
    await post(`/api/items/${id}/reassign`, caseworker, { responsibleDept: 'insurance', version: status + 3 }).expect(
      200,
    );
    expect(await listTotal(caseworker, `campaignId=${reviewedId}&responsibleDept=insurance`)).toBe(1);
    expect(await listTotal(caseworker, `campaignId=${reviewedId}&responsibleDept=health`)).toBe(1);
    await post(`/api/items/${id}/reassign`, caseworker, { regionCode: SUBDISTRICT_B, version: status + 4 }).expect(200);
    expect(await listTotal(officer1, `campaignId=${reviewedId}`)).toBe(1);
    expect(await listTotal(officer2, `campaignId=${reviewedId}`)).toBe(1);
    expect(await listTotal(caseworker, `campaignId=${reviewedId}`)).toBe(2);
    await expectExact();
  });

  it('counts filing by the system (many at once) and a batch of findings', async () => {
    const batchCampaign = (await newCampaign(t, admin, { deadline: '2020-05-31' })).id;
    const items = t.app.get(ItemsService);
    const filed = await inTransaction(db, (em) =>
      items.createMany(
        em,
        Array.from({ length: 30 }, (_, i) => ({
          campaignId: batchCampaign,
          category: 'data' as const,
          title: `系统发现${i}`,
          regionCode: i % 3 ? SUBDISTRICT_A : SUBDISTRICT_B,
          responsibleDept: 'health' as const,
          source: 'check' as const,
          dedupeKey: `counts-test:${unique()}`,
        })),
        SYSTEM_ACTOR,
      ),
    );
    expect(filed).toBe(30);
    expect(await listTotal(officer1, `campaignId=${batchCampaign}&closed=false`)).toBe(20);
    expect(await listTotal(officer2, `campaignId=${batchCampaign}&closed=false`)).toBe(10);

    const csv = toCsv(
      ['街道', '类别', '问题', '问题描述', '责任部门', '截止日期', '对象身份证号'],
      Array.from({ length: 4 }, (_, i) => [
        '城关街道',
        'data',
        `督导发现${unique()}${i}`,
        '',
        '医保局',
        '2020-05-20',
        '',
      ]),
    );
    await request(t.http)
      .post('/api/items/batch')
      .set('Authorization', admin)
      .field('campaignId', String(batchCampaign))
      .attach('file', Buffer.from(csv), 'findings.csv')
      .expect(201);
    expect(await listTotal(officer1, `campaignId=${batchCampaign}`)).toBe(24);
    expect(await listTotal(caseworker, `campaignId=${batchCampaign}&responsibleDept=insurance`)).toBe(4);
    await expectExact();
  });

  it('reads the total from item_counts where its columns cover the filters, and COUNTs the items otherwise', async () => {
    const query = `campaignId=${campaignId}&closed=false`;
    const exact = await listTotal(officer1, query);
    const withCategory = await listTotal(officer1, `${query}&category=contract`);
    const bump = (by: number) =>
      db.query(
        'UPDATE item_counts SET total = total + ? WHERE regionCode = ? AND campaignId = ? AND status = ? AND slot = 0',
        [by, SUBDISTRICT_A, campaignId, 'open'],
      );
    await bump(1000);
    try {
      expect(await listTotal(officer1, query)).toBe(exact + 1000);
      expect(await listTotal(officer1, `${query}&category=contract`)).toBe(withCategory);
    } finally {
      await bump(-1000);
    }
  });

  it('a failed change leaves the counts as they were (the trigger runs in its transaction)', async () => {
    const before = await counts();
    await expect(
      inTransaction(db, async (em) => {
        await em.query("UPDATE items SET status = 'closed' WHERE campaignId = ?", [campaignId]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await counts()).toEqual(before);
  });

  it('counts a row deleted, and ignores updates of other columns (the escalation’s levels)', async () => {
    const { id } = (await newItem(t, caseworker, campaignId)) as { id: number };
    const before = await counts();
    await db.query('UPDATE items SET escalationLevel = 2, title = ? WHERE id = ?', ['改了标题', id]);
    expect(await counts()).toEqual(before);
    await db.query('DELETE FROM ledger_entries WHERE itemId = ?', [id]);
    await db.query('DELETE FROM items WHERE id = ?', [id]);
    await expectExact();
  });

  it('the migration fills item_counts from the items there are (undone, then applied again)', async () => {
    const migration = new ItemCounts1765700000000();
    const runner = db.createQueryRunner();
    try {
      await migration.down(runner);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    const { kept, grouped } = await counts();
    expect(grouped.length).toBeGreaterThan(5);
    expect(kept).toEqual(grouped);
    // And the triggers are back: a close still moves the count.
    const { id } = (await newItem(t, caseworker, campaignId)) as { id: number };
    const open = await listTotal(officer1, `campaignId=${campaignId}&closed=false`);
    await post(`/api/items/${id}/close`, officer1, { resolution: '迁移后销号', version: 1 }).expect(200);
    expect(await listTotal(officer1, `campaignId=${campaignId}&closed=false`)).toBe(open - 1);
    await expectExact();
  });
});
