import { getQueueToken } from '@nestjs/bull';
import type { Job, Queue } from 'bull';
import request from 'supertest';
import { DataSource, In } from 'typeorm';
import { User } from '../src/auth/user.entity.js';
import { EscalationRun } from '../src/escalation/escalation-run.entity.js';
import type { EscalationJobData } from '../src/escalation/escalation.processor.js';
import { EscalationScheduler, escalationJobId } from '../src/escalation/escalation.scheduler.js';
import { EscalationService } from '../src/escalation/escalation.service.js';
import { Item } from '../src/ledger/item.entity.js';
import { LedgerEntry } from '../src/ledger/ledger-entry.entity.js';
import { Notification } from '../src/notifications/notification.entity.js';
import { ESCALATION_JOB, QUEUES } from '../src/queue/queues.js';
import { SUBDISTRICT_A } from './factories/households.js';
import { newCampaign, newItem, unique } from './factories/items.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { PrivateRedis, waitFor } from './utils/spawn-app.js';

type Dept = 'health' | 'insurance';

/** 10:00 in Shanghai on that day. */
const at = (day: string) => `${day}T02:00:00Z`;

/**
 * Who is told at each step of an item of SUBDISTRICT_A (城关街道), written out from the SPEC §2 table
 * for the users of a freshly loaded demo district: officer1 is that sub-district's officer,
 * caseworker the health department's, insurance the insurance department's, leader the viewer.
 */
const RECIPIENTS: Record<Dept, Record<1 | 2 | 3 | 4, string[]>> = {
  health: {
    1: ['officer1'],
    2: ['officer1', 'caseworker'],
    3: ['officer1', 'caseworker', 'admin'],
    4: ['officer1', 'caseworker', 'admin', 'leader'],
  },
  insurance: {
    1: ['officer1'],
    2: ['officer1', 'insurance'],
    3: ['officer1', 'insurance', 'admin'],
    4: ['officer1', 'insurance', 'admin', 'leader'],
  },
};

/** The users' ids, in id order. */
async function idsOf(db: DataSource, usernames: string[]): Promise<number[]> {
  const users = await db.getRepository(User).findBy({ username: In(usernames) });
  expect(users.map((u) => u.username).sort()).toEqual([...usernames].sort());
  return users.map((u) => u.id).sort((a, b) => a - b);
}

const levelsOf = async (db: DataSource) =>
  new Map(
    (await db.getRepository(Item).find({ select: { id: true, escalationLevel: true } })).map((i) => [
      i.id,
      i.escalationLevel,
    ]),
  );

/** The items whose level went up between two snapshots, counted by the level reached. */
function raisedBetween(before: Map<number, number>, after: Map<number, number>) {
  const byLevel: Record<string, number> = { '1': 0, '2': 0, '3': 0, '4': 0 };
  let escalated = 0;
  for (const [id, level] of after) {
    if (level > (before.get(id) ?? 0)) {
      escalated++;
      byLevel[String(level)]++;
    }
  }
  return { escalated, byLevel };
}

/** The env for a second app instance on the first one's database. */
const sameDatabase = (t: TestApp): Record<string, string> =>
  t.config.DB_TYPE === 'mysql' ? { DB_NAME: t.config.DB_NAME } : { DB_PATH: t.config.DB_PATH };

describe('deadline escalation: runs by hand, ledger, notifications', () => {
  let t: TestApp;
  let db: DataSource;
  let admin: string;
  let caseworker: string;
  let officer1: string;

  beforeAll(async () => {
    t = await createTestApp({}, { freshDatabase: true });
    db = t.app.get(DataSource);
    admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    caseworker = await t.login('caseworker');
    officer1 = await t.login('officer1');
  });

  afterAll(() => t.close());

  const run = (body: object, token = admin) =>
    request(t.http).post('/api/escalations/run').set('Authorization', token).send(body);
  const escalatedEntries = (itemId: number) =>
    db.getRepository(LedgerEntry).find({ where: { itemId, type: 'escalated' }, order: { seq: 'ASC' } });
  /**
   * The notices that tell of an item: its own, and the digests (到期汇总: more than five of one level
   * for one user in a run — the demo campaign's items escalate in the same runs) that name it.
   */
  const noticesOf = async (itemId: number) =>
    (await db.getRepository(Notification).find({ order: { id: 'ASC' } })).filter((n) =>
      n.kind === 'digest' ? n.body.includes(`编号${itemId}）`) : n.itemId === itemId,
    );
  const itemRow = (id: number) => db.getRepository(Item).findOneByOrFail({ id });
  const verify = async (id: number) =>
    (await request(t.http).get(`/api/items/${id}/ledger/verify`).set('Authorization', admin).expect(200)).body;

  /** Exactly one notice per recipient of that level, and nothing else, for the step to `level`. */
  async function expectNotices(itemId: number, level: 1 | 2 | 3 | 4, dept: Dept) {
    const notices = (await noticesOf(itemId)).filter((n) => n.level === level);
    expect(notices.map((n) => n.userId).sort((a, b) => a - b)).toEqual(await idsOf(db, RECIPIENTS[dept][level]));
  }

  it('raises a campaign’s items day by day: one entry per step, one notice per recipient per step', async () => {
    const campaign = await newCampaign(t, admin); // 2020, deadline 2020-05-31, thresholds 14 / 3 / 7
    const health = await newItem(t, caseworker, campaign.id);
    const insurance = await newItem(t, caseworker, campaign.id, { category: 'insurance' });
    const closed = await newItem(t, caseworker, campaign.id);
    expect(insurance.responsibleDept).toBe('insurance');
    await request(t.http)
      .post(`/api/items/${closed.id}/close`)
      .set('Authorization', officer1)
      .send({ resolution: '已整改完毕，销号', version: 1 })
      .expect(200);

    // SPEC §2: 14 days or fewer left → 1, 3 or fewer → 2, after the deadline → 3, 7 or more days overdue → 4.
    const days: [string, number][] = [
      ['2020-05-16', 0],
      ['2020-05-17', 1],
      ['2020-05-27', 1],
      ['2020-05-28', 2],
      ['2020-05-31', 2],
      ['2020-06-01', 3],
      ['2020-06-06', 3],
      ['2020-06-07', 4],
      ['2020-06-08', 4],
    ];
    const steps: { asOf: string; from: number; to: number }[] = [];
    let level = 0;
    for (const [day, expected] of days) {
      t.clock.set(at(day));
      const before = await levelsOf(db);
      const res = await run({}).expect(200);
      const after = await levelsOf(db);
      // The answer counts exactly what changed in the database (the demo campaign's items included).
      expect(res.body).toMatchObject({ asOf: day, trigger: 'manual', dryRun: false, ...raisedBetween(before, after) });
      expect(Object.keys(res.body.byLevel).sort()).toEqual(['1', '2', '3', '4']);
      for (const item of [health, insurance]) {
        expect((await itemRow(item.id)).escalationLevel).toBe(expected);
      }
      if (expected > level) {
        steps.push({ asOf: day, from: level, to: expected });
        level = expected;
      }
      for (const item of [health, insurance]) {
        const entries = await escalatedEntries(item.id);
        expect(entries.map((e) => JSON.parse(e.payload!))).toEqual(steps);
        expect(entries.every((e) => e.actorId === null && e.actorName === '系统')).toBe(true);
      }
    }
    expect(steps.map((s) => s.to)).toEqual([1, 2, 3, 4]);

    for (const [item, dept] of [
      [health, 'health'],
      [insurance, 'insurance'],
    ] as const) {
      for (const step of [1, 2, 3, 4] as const) {
        await expectNotices(item.id, step, dept);
      }
      // 1 + 2 + 3 + 4 recipients over the four steps, and no other notice.
      expect(await noticesOf(item.id)).toHaveLength(10);
      expect(await verify(item.id)).toMatchObject({ valid: true, firstBrokenSeq: null });
      // The escalation left the version alone: the officer's close with the version they saw still works.
      expect((await itemRow(item.id)).version).toBe(1);
    }
    const texts = await noticesOf(health.id);
    // officer1 is told of the demo campaign's items in the same runs: more than five, one digest a level.
    const first = texts.find((n) => n.level === 1)!;
    expect(first.kind).toBe('digest');
    expect(first.title).toMatch(/^【提醒汇总】今日 \d+ 项整改问题达到「提醒」$/);
    expect(first.body).toContain(`（城关街道，截止2020年5月31日，编号${health.id}）`);
    const last = texts.filter((n) => n.level === 4);
    expect(last.length).toBeGreaterThan(0);
    for (const notice of last) {
      expect(notice.body).toContain('截至2020年6月7日');
    }

    // The closed item was never touched.
    expect(await itemRow(closed.id)).toMatchObject({ status: 'closed', escalationLevel: 0, version: 2 });
    expect(await escalatedEntries(closed.id)).toHaveLength(0);
    expect(await noticesOf(closed.id)).toHaveLength(0);

    await request(t.http)
      .post(`/api/items/${health.id}/close`)
      .set('Authorization', officer1)
      .send({ resolution: '逾期后完成整改，销号', version: 1 })
      .expect(200);
    expect(await verify(health.id)).toMatchObject({ valid: true, entries: 6 });
  });

  it('a backfill straight to level 4 writes one escalated entry and the level-4 notices only', async () => {
    // Filed before any threshold (an item filed already due is escalated as it is filed: see below).
    t.clock.set(at('2020-05-01'));
    const campaign = await newCampaign(t, admin, { year: 2020 });
    const item = await newItem(t, caseworker, campaign.id);
    t.clock.set(at('2020-06-20'));
    const res = await run({ asOf: '2020-06-08' }).expect(200);
    expect(res.body).toMatchObject({ asOf: '2020-06-08', trigger: 'backfill' });
    expect(res.body.byLevel['4']).toBeGreaterThanOrEqual(1);
    expect((await itemRow(item.id)).escalationLevel).toBe(4);
    const entries = await escalatedEntries(item.id);
    expect(entries.map((e) => JSON.parse(e.payload!))).toEqual([{ from: 0, to: 4, asOf: '2020-06-08' }]);
    expect(entries[0].note).toBe('督办');
    const notices = await noticesOf(item.id);
    expect(new Set(notices.map((n) => n.level))).toEqual(new Set([4]));
    await expectNotices(item.id, 4, 'health');
    expect(await verify(item.id)).toMatchObject({ valid: true, entries: 2 });
  });

  it('the same day twice changes nothing the second time', async () => {
    t.clock.set(at('2020-05-01'));
    const campaign = await newCampaign(t, admin, { deadline: '2020-06-25' });
    const item = await newItem(t, caseworker, campaign.id);
    t.clock.set(at('2020-06-20'));
    const first = await run({}).expect(200);
    expect(first.body.escalated).toBeGreaterThanOrEqual(1);
    expect((await itemRow(item.id)).escalationLevel).toBe(1);
    const counts = async () => ({
      entries: await db.getRepository(LedgerEntry).countBy({ type: 'escalated' }),
      notices: await db.getRepository(Notification).count(),
      levels: [...(await levelsOf(db)).entries()],
    });
    const before = await counts();
    const second = await run({}).expect(200);
    expect(second.body).toMatchObject({ asOf: '2020-06-20', escalated: 0, byLevel: { 1: 0, 2: 0, 3: 0, 4: 0 } });
    expect(await counts()).toEqual(before);
  });

  it('two runs at once (two service calls) raise each item once: entries and notices not doubled', async () => {
    t.clock.set(at('2020-05-01'));
    const campaign = await newCampaign(t, admin, { deadline: '2020-06-22' });
    const items = [
      await newItem(t, caseworker, campaign.id),
      await newItem(t, caseworker, campaign.id, { category: 'insurance' }),
    ];
    t.clock.set(at('2020-06-20'));
    const service = t.app.get(EscalationService);
    const before = await levelsOf(db);
    const results = await Promise.all([
      service.run({ trigger: 'manual', asOf: '2020-06-20' }),
      service.run({ trigger: 'manual', asOf: '2020-06-20' }),
    ]);
    const raised = raisedBetween(before, await levelsOf(db));
    expect(results[0].escalated + results[1].escalated).toBe(raised.escalated);
    expect(raised.escalated).toBeGreaterThanOrEqual(2);
    for (const [item, dept] of [
      [items[0], 'health'],
      [items[1], 'insurance'],
    ] as const) {
      expect((await itemRow(item.id)).escalationLevel).toBe(2);
      expect(await escalatedEntries(item.id)).toHaveLength(1);
      await expectNotices(item.id, 2, dept);
      expect(await noticesOf(item.id)).toHaveLength(2);
      expect(await verify(item.id)).toMatchObject({ valid: true, entries: 2 });
    }
  });

  it('a dry run counts and writes nothing but its record; it may look ahead', async () => {
    t.clock.set(at('2020-05-01'));
    const campaign = await newCampaign(t, admin, { deadline: '2020-06-21' });
    const item = await newItem(t, caseworker, campaign.id);
    t.clock.set(at('2020-06-20'));
    const snapshot = async () => ({
      levels: [...(await levelsOf(db)).entries()],
      entries: await db.getRepository(LedgerEntry).count(),
      notices: await db.getRepository(Notification).count(),
    });
    const before = await snapshot();
    const dry = await run({ dryRun: true }).expect(200);
    expect(dry.body).toMatchObject({ asOf: '2020-06-20', dryRun: true });
    expect(dry.body.byLevel['2']).toBeGreaterThanOrEqual(1);
    const ahead = await run({ dryRun: true, asOf: '2020-06-29' }).expect(200);
    expect(ahead.body.byLevel['4']).toBeGreaterThanOrEqual(1);
    expect(await snapshot()).toEqual(before);
    expect((await itemRow(item.id)).escalationLevel).toBe(0);
    const runs = await request(t.http).get('/api/escalations/runs').set('Authorization', admin).expect(200);
    expect(runs.body.items[0]).toMatchObject({ id: ahead.body.runId, asOf: '2020-06-29', dryRun: true });
    // The real run then raises what the dry run counted for today.
    const real = await run({}).expect(200);
    expect(real.body.escalated).toBe(dry.body.escalated);
    expect(real.body.byLevel).toEqual(dry.body.byLevel);
  });

  it('an item filed past its deadline is escalated as it is filed: one escalated entry, the notices; the job adds nothing', async () => {
    t.clock.set(at('2020-06-20'));
    const campaign = await newCampaign(t, admin, { year: 2020 }); // deadline 2020-05-31: 20 days overdue
    const item = await newItem(t, caseworker, campaign.id);
    expect(item).toMatchObject({ escalationLevel: 4, currentLevel: 4, overdue: true });
    expect(item.ledger.map((e: { type: string }) => e.type)).toEqual(['created', 'escalated']);
    const entries = await escalatedEntries(item.id);
    expect(entries.map((e) => JSON.parse(e.payload!))).toEqual([{ from: 0, to: 4, asOf: '2020-06-20' }]);
    await expectNotices(item.id, 4, 'health');
    expect(new Set((await noticesOf(item.id)).map((n) => n.level))).toEqual(new Set([4]));
    const before = (await noticesOf(item.id)).length;
    await run({}).expect(200);
    expect(await escalatedEntries(item.id)).toHaveLength(1);
    expect(await noticesOf(item.id)).toHaveLength(before);
    expect(await verify(item.id)).toMatchObject({ valid: true, entries: 2 });
  });

  it('refuses a non-admin, a date that is not one, and a real run ahead of today: 4xx, nothing changed', async () => {
    t.clock.set(at('2020-06-20'));
    const runs = () => db.getRepository(EscalationRun).count();
    const before = { runs: await runs(), levels: [...(await levelsOf(db)).entries()] };
    await run({}, caseworker).expect(403);
    await run({}, officer1).expect(403);
    await request(t.http).get('/api/escalations/runs').set('Authorization', caseworker).expect(403);
    await request(t.http).post('/api/escalations/run').send({}).expect(401);
    const tomorrow = await run({ asOf: 'tomorrow' }).expect(400);
    expect(tomorrow.body.message).toEqual(['asOf must be a date written YYYY-MM-DD']);
    const impossible = await run({ asOf: '2020-02-30' }).expect(400);
    expect(JSON.stringify(impossible.body.message)).toContain('asOf');
    const dry = await run({ dryRun: 'yes' }).expect(400);
    expect(JSON.stringify(dry.body.message)).toContain('dryRun');
    const ahead = await run({ asOf: '2020-06-21' }).expect(400);
    expect(ahead.body).toMatchObject({ field: 'asOf' });
    expect(ahead.body.message).toContain('after today');
    expect({ runs: await runs(), levels: [...(await levelsOf(db)).entries()] }).toEqual(before);
  });

  it('lists the runs newest first: day, trigger, who, counts, duration', async () => {
    const res = await request(t.http).get('/api/escalations/runs?pageSize=5').set('Authorization', admin).expect(200);
    expect(res.body).toMatchObject({ page: 1, pageSize: 5 });
    expect(res.body.total).toBeGreaterThanOrEqual(10);
    const ids = res.body.items.map((r: { id: number }) => r.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const adminId = (await db.getRepository(User).findOneByOrFail({ username: 'admin' })).id;
    expect(res.body.items[0].startedBy).toBe(adminId);
    for (const r of res.body.items) {
      // Runs by hand name their admin; the service calls of the concurrency test name nobody.
      expect([adminId, null]).toContain(r.startedBy);
      expect(r.error).toBeNull();
      expect(['manual', 'backfill']).toContain(r.trigger);
      expect(typeof r.durationMs).toBe('number');
      expect(r.finishedAt).not.toBeNull();
      expect(r.status).toBe('done');
      expect(Object.keys(r.byLevel).sort()).toEqual(['1', '2', '3', '4']);
    }
  });

  it("campaign thresholds out of order are refused (400 naming the field); a campaign's own thresholds apply", async () => {
    const campaigns = () => request(t.http).get('/api/campaigns?pageSize=1').set('Authorization', admin);
    const total = (await campaigns()).body.total;
    const res = await request(t.http)
      .post('/api/campaigns')
      .set('Authorization', admin)
      .send({ name: `阈值错误${unique()}`, reminderDays: 3, warningDays: 5 })
      .expect(400);
    expect(res.body).toMatchObject({ field: 'reminderDays' });
    expect(res.body.message).toContain('reminderDays');
    expect((await campaigns()).body.total).toBe(total);

    t.clock.set(at('2020-06-20'));
    const own = await newCampaign(t, admin, {
      deadline: '2020-06-19',
      reminderDays: 30,
      warningDays: 0,
      supervisedDays: 1,
    });
    const item = await newItem(t, caseworker, own.id);
    await run({}).expect(200);
    expect((await itemRow(item.id)).escalationLevel).toBe(4);
  });

  it('each user reads their own notices, newest first, and marks them read; another’s is 404', async () => {
    t.clock.set(at('2020-06-20'));
    const username = `esc_${unique()}`.slice(0, 32);
    const created = await request(t.http)
      .post('/api/users')
      .set('Authorization', admin)
      .send({ username, password: 'Officer-2020', role: 'subdistrict_officer', regionCode: SUBDISTRICT_A })
      .expect(201);
    const mine = await t.login(username, 'Officer-2020');
    const campaign = await newCampaign(t, admin, { deadline: '2020-06-30' });
    const item = await newItem(t, caseworker, campaign.id, { title: '<b>卫生室</b> & 药房未达标' });
    await run({}).expect(200);

    const inbox = await request(t.http).get('/api/notifications').set('Authorization', mine).expect(200);
    expect(inbox.body).toMatchObject({ total: 1, unread: 1, page: 1 });
    const [notice] = inbox.body.items;
    expect(notice).toMatchObject({ itemId: item.id, level: 1, levelName: '提醒', readAt: null });
    // Rendered from views/notifications/level-1.hbs as plain text: the title as typed; pages escape it.
    expect(notice.title).toBe('【提醒】城关街道：「<b>卫生室</b> & 药房未达标」还剩10天到期');
    expect(notice.body).toContain('截止日期为2020年6月30日');
    expect(notice.body).toContain('截至2020年6月20日还剩10天');
    const row = await db.getRepository(Notification).findOneByOrFail({ id: notice.id });
    expect(row.userId).toBe(created.body.id);

    // officer1 has notices of their own, never this one, and cannot mark it.
    const theirs = await request(t.http).get('/api/notifications?pageSize=200').set('Authorization', officer1);
    expect(theirs.body.items.map((n: { id: number }) => n.id)).not.toContain(notice.id);
    const ids = theirs.body.items.map((n: { id: number }) => n.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    await request(t.http).post(`/api/notifications/${notice.id}/read`).set('Authorization', officer1).expect(404);
    expect((await db.getRepository(Notification).findOneByOrFail({ id: notice.id })).readAt).toBeNull();

    const read = await request(t.http)
      .post(`/api/notifications/${notice.id}/read`)
      .set('Authorization', mine)
      .expect(200);
    expect(read.body.readAt).not.toBeNull();
    const again = await request(t.http)
      .post(`/api/notifications/${notice.id}/read`)
      .set('Authorization', mine)
      .expect(200);
    expect(again.body.readAt).toBe(read.body.readAt);
    const unread = await request(t.http).get('/api/notifications?unread=true').set('Authorization', mine).expect(200);
    expect(unread.body).toMatchObject({ total: 0, unread: 0, items: [] });
    const done = await request(t.http).get('/api/notifications?unread=false').set('Authorization', mine).expect(200);
    expect(done.body.items.map((n: { id: number }) => n.id)).toEqual([notice.id]);
    await request(t.http).get('/api/notifications?unread=maybe').set('Authorization', mine).expect(400);
    await request(t.http).post('/api/notifications/99999999/read').set('Authorization', mine).expect(404);
    await request(t.http).get('/api/notifications').expect(401);
  });

  it('the queue dashboard: without Redis a page saying so (admins); with Redis admins only (401 / 403 / 200)', async () => {
    if (!t.config.REDIS_URL) {
      const page = await request(t.http).get('/admin/queues').set('Authorization', admin).expect(200);
      expect(page.text).toContain('本系统未配置 Redis');
      await request(t.http).get('/admin/queues').set('Authorization', officer1).expect(403);
      return;
    }
    await request(t.http).get('/admin/queues').expect(401);
    await request(t.http).get('/admin/queues').set('Authorization', 'Bearer not-a-token').expect(401);
    await request(t.http).get('/admin/queues').set('Authorization', caseworker).expect(403);
    await request(t.http)
      .get('/admin/queues')
      .set('Cookie', `hpa_session=${caseworker.slice(7)}`)
      .expect(403);
    await request(t.http).get('/admin/queues').set('Authorization', admin).expect(200).expect('content-type', /html/);
    await request(t.http)
      .get('/admin/queues')
      .set('Cookie', `theme=dark; hpa_session=${admin.slice(7)}`)
      .expect(200);
    const api = await request(t.http).get('/admin/queues/api/queues').set('Authorization', admin).expect(200);
    expect(JSON.stringify(api.body)).toContain(QUEUES.escalation);
  });
});

/** Each environment runs its schedule's tests; the other's are reported as skipped (not left out unseen). */
const withRedis = Boolean(process.env.REDIS_URL);
const withoutRedisOnly = withRedis ? describe.skip : describe;
const withRedisOnly = withRedis ? describe : describe.skip;

withoutRedisOnly('the schedule without Redis (in-process; runs without REDIS_URL)', () => {
  it('runs a CronJob on ESCALATION_CRON in APP_TIMEZONE that calls the same service, and stops on close', async () => {
    const t = await createTestApp({ ESCALATION_CRON: '30 2 * * *', APP_TIMEZONE: 'Asia/Shanghai' });
    const scheduler = t.app.get(EscalationScheduler);
    try {
      const info = scheduler.schedule();
      expect(info).toMatchObject({ mode: 'in-process', cron: '30 2 * * *', timeZone: 'Asia/Shanghai' });
      // The next firing is 02:30 in Shanghai (18:30 UTC the day before), within the next day.
      expect(info.next!.toISOString()).toMatch(/T18:30:00\.000Z$/);
      expect(info.next!.getTime() - Date.now()).toBeGreaterThan(0);
      expect(info.next!.getTime() - Date.now()).toBeLessThanOrEqual(86_400_000);

      const db = t.app.get(DataSource);
      const admin = await t.login('admin', TEST_ADMIN_PASSWORD);
      const caseworker = await t.login('caseworker');
      t.clock.set(at('2020-05-29'));
      const campaign = await newCampaign(t, admin, { year: 2020 });
      const item = await newItem(t, caseworker, campaign.id);
      await scheduler.runScheduled();
      const [last] = await db.getRepository(EscalationRun).find({ order: { id: 'DESC' }, take: 1 });
      expect(last).toMatchObject({ trigger: 'schedule', asOf: '2020-05-29', startedBy: null, dryRun: false });
      expect(last.escalated).toBeGreaterThanOrEqual(1);
      expect((await db.getRepository(Item).findOneByOrFail({ id: item.id })).escalationLevel).toBe(2);
      // A manual run for the same day still works and changes nothing.
      const again = await request(t.http).post('/api/escalations/run').set('Authorization', admin).send({});
      expect(again.body).toMatchObject({ asOf: '2020-05-29', escalated: 0 });
    } finally {
      await t.close();
    }
    expect(scheduler.schedule().next).toBeNull();
  });

  it('an API-only instance keeps no schedule', async () => {
    const t = await createTestApp({ APP_ROLE: 'api' });
    try {
      expect(t.app.get(EscalationScheduler).schedule()).toMatchObject({ mode: 'none', next: null });
    } finally {
      await t.close();
    }
  });

  it('refuses to start with an ESCALATION_CRON that is not one', async () => {
    await expect(createTestApp({ ESCALATION_CRON: 'every night' })).rejects.toThrow(/ESCALATION_CRON/);
  });
});
withRedisOnly('the schedule on Bull (needs REDIS_URL)', () => {
  let first: TestApp;
  let second: TestApp;
  let queue: Queue<EscalationJobData>;

  const schedules = async () =>
    (await queue.getRepeatableJobs()).map(({ name, cron, tz }) => ({ name, cron, tz: tz ?? null }));

  beforeAll(async () => {
    first = await createTestApp({}, { freshDatabase: true });
    queue = first.app.get<Queue<EscalationJobData>>(getQueueToken(QUEUES.escalation), { strict: false });
  });

  afterAll(async () => {
    await second?.close();
    await first.close();
  });

  it('registers the repeatable job once, on ESCALATION_CRON in APP_TIMEZONE', async () => {
    const current = { name: ESCALATION_JOB, cron: first.config.ESCALATION_CRON, tz: first.config.APP_TIMEZONE };
    expect(first.app.get(EscalationScheduler).schedule()).toMatchObject({ mode: 'bull', next: null });
    await waitFor('the schedule', async () => {
      const all = await schedules();
      return all.length === 1 && all[0].cron === current.cron;
    });
    expect(await schedules()).toEqual([current]);
  });

  it('removes a stale schedule (another cron) when an instance starts', async () => {
    await queue.add(ESCALATION_JOB, { trigger: 'schedule' }, { repeat: { cron: '0 2 * * *', tz: 'UTC' } });
    expect(await schedules()).toHaveLength(2);
    second = await createTestApp({ APP_ROLE: 'worker', ...sameDatabase(first) });
    await waitFor('the stale schedule to go', async () => (await schedules()).length === 1);
    expect(await schedules()).toEqual([
      { name: ESCALATION_JOB, cron: first.config.ESCALATION_CRON, tz: first.config.APP_TIMEZONE },
    ]);
  });

  it('two workers taking jobs for the same day at once apply the changes once', async () => {
    const db = first.app.get(DataSource);
    const admin = await first.login('admin', TEST_ADMIN_PASSWORD);
    const caseworker = await first.login('caseworker');
    first.clock.set(at('2020-06-01'));
    second.clock.set(at('2020-06-01'));
    const campaign = await newCampaign(first, admin, { year: 2020 });
    const items = [];
    for (let i = 0; i < 6; i++) {
      items.push(await newItem(first, caseworker, campaign.id, i % 2 ? { category: 'insurance' } : {}));
    }
    const before = await levelsOf(db);
    const tag = unique();
    // Two jobs with ids of their own (as two deliveries of one day's work would be), one per worker.
    const jobs = await Promise.all(
      ['a', 'b'].map((n) =>
        queue.add(ESCALATION_JOB, { asOf: '2020-06-01', trigger: 'manual' }, { jobId: `t-${tag}-${n}` }),
      ),
    );
    const results = (await Promise.all(jobs.map((job) => job.finished()))) as { escalated: number }[];
    const raised = raisedBetween(before, await levelsOf(db));
    expect(results[0].escalated + results[1].escalated).toBe(raised.escalated);
    expect(raised.escalated).toBeGreaterThanOrEqual(items.length);
    const ids = items.map((i: { id: number }) => i.id);
    const rows = await db.getRepository(Item).findBy({ id: In(ids) });
    expect(rows.map((r) => r.escalationLevel)).toEqual(ids.map(() => 3));
    const entries = await db.getRepository(LedgerEntry).findBy({ itemId: In(ids), type: 'escalated' });
    expect(entries).toHaveLength(ids.length);
    for (const [i, item] of items.entries()) {
      const notices = await db.getRepository(Notification).findBy({ itemId: item.id });
      // Every other item is an insurance one (its department is the insurance bureau's).
      const dept: Dept = i % 2 ? 'insurance' : 'health';
      expect(notices.map((n) => n.userId).sort((a, b) => a - b)).toEqual(await idsOf(db, RECIPIENTS[dept][3]));
    }
  });

  it('a manual job has the id escalation:<asOf>: queued once at a time, and may run again later (a no-op)', async () => {
    const scheduler = first.app.get(EscalationScheduler);
    const asOf = '2020-05-30';
    const [a, b] = await Promise.all([
      scheduler.enqueue({ asOf, trigger: 'manual' }),
      scheduler.enqueue({ asOf, trigger: 'manual' }),
    ]);
    expect(a!.id).toBe(escalationJobId(asOf));
    expect(b!.id).toBe(a!.id);
    await a!.finished();
    const rerun = (await scheduler.enqueue({ asOf, trigger: 'manual' })) as Job<EscalationJobData>;
    expect(rerun.id).toBe(escalationJobId(asOf));
    expect(await rerun.finished()).toMatchObject({ asOf, escalated: 0 });
  });
});

withRedisOnly('Redis down (needs REDIS_URL): the API keeps serving, health is degraded, the schedule resumes', () => {
  const redis = new PrivateRedis();

  beforeAll(() => redis.start());

  afterAll(() => redis.stop());

  it('answers degraded while Redis is down, and is back to ok (with its schedule) once it returns', async () => {
    const t = await createTestApp({ REDIS_URL: redis.url });
    try {
      const queue = t.app.get<Queue<EscalationJobData>>(getQueueToken(QUEUES.escalation), { strict: false });
      const admin = await t.login('admin', TEST_ADMIN_PASSWORD);
      await waitFor('the schedule', async () => (await queue.getRepeatableJobs()).length === 1);
      expect((await request(t.http).get('/api/health').expect(200)).body).toMatchObject({
        status: 'ok',
        redis: 'up',
      });

      await redis.stop();
      const down = await request(t.http).get('/api/health').expect(200);
      expect(down.body).toMatchObject({ status: 'degraded', database: 'up', redis: 'down' });
      await request(t.http).get('/api/campaigns').set('Authorization', admin).expect(200);
      // A run by hand happens in the request: it does not need Redis.
      await request(t.http).post('/api/escalations/run').set('Authorization', admin).send({}).expect(200);

      await redis.start(); // empty: it kept nothing (--save '')
      await waitFor('health ok', async () => (await request(t.http).get('/api/health')).body.status === 'ok', 10_000);
      // The scheduler put the schedule back on reconnecting, and the worker takes jobs again.
      await waitFor('the schedule back', async () => (await queue.getRepeatableJobs()).length === 1, 20_000);
      expect((await queue.getRepeatableJobs())[0]).toMatchObject({
        name: ESCALATION_JOB,
        cron: t.config.ESCALATION_CRON,
        tz: t.config.APP_TIMEZONE,
      });
      const job = await t.app.get(EscalationScheduler).enqueue({ asOf: '2020-04-15', trigger: 'manual' });
      expect(await job!.finished()).toMatchObject({ asOf: '2020-04-15' });
    } finally {
      await t.close();
    }
  });
});
