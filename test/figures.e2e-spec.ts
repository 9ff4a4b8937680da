import request from 'supertest';
import { DataSource } from 'typeorm';
import { InsuranceEnrollment } from '../src/health/insurance-enrollment.entity.js';
import { Campaign } from '../src/ledger/campaign.entity.js';
import { Item, type ItemStatus } from '../src/ledger/item.entity.js';
import { LedgerEntry } from '../src/ledger/ledger-entry.entity.js';
import { EnrollmentChange } from '../src/reconciliation/enrollment-change.entity.js';
import { householdInput, SUBDISTRICT_A, SUBDISTRICT_B, VILLAGE_A } from './factories/households.js';
import { newCampaign, newItem } from './factories/items.js';
import { INSURANCE_HEADER, toCsv, waitUntilFinished } from './factories/rosters.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';

/** 10:00 in Shanghai on that day. */
const at = (day: string) => `${day}T02:00:00Z`;

/**
 * Issue #13, the figures: levels that agree with the dates, one open item per gap, the roster's
 * year, enrollment written after a preview and a confirmation, late closures marked.
 */
describe('right figures (issue 13)', () => {
  let t: TestApp;
  let db: DataSource;
  let admin: string;
  let caseworker: string;
  let insurance: string;
  let officer1: string;

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DataSource);
    admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    caseworker = await t.login('caseworker');
    insurance = await t.login('insurance');
    officer1 = await t.login('officer1');
  });

  afterAll(() => t.close());

  const get = (url: string, token = admin) => request(t.http).get(url).set('Authorization', token);

  /** A household through the API; answers its members with their ID numbers. */
  async function household() {
    const input = householdInput();
    const res = await request(t.http).post('/api/households').set('Authorization', caseworker).send(input).expect(201);
    return (res.body.members as { id: number; name: string }[]).map((m, i) => ({
      ...m,
      idNumber: input.members[i].idNumber,
    }));
  }

  const enroll = (personId: number, enrolled: boolean, subsidized = false) =>
    request(t.http)
      .put(`/api/persons/${personId}/insurance/2020`)
      .set('Authorization', insurance)
      .send({ enrolled, subsidized })
      .expect(200);

  const runChecks = (campaignId: number) =>
    request(t.http)
      .post('/api/checks/run')
      .set('Authorization', caseworker)
      .send({ campaignId, asOf: '2020-04-15' })
      .expect(200);

  const reconcile = (content: string, year?: number) => {
    const req = request(t.http).post('/api/reconciliations').set('Authorization', insurance);
    if (year !== undefined) {
      req.field('year', String(year));
    }
    return req.attach('file', Buffer.from(content), 'roster.csv');
  };

  describe('the level shown is the policy’s as of today', () => {
    it('an item whose level the job has not recorded yet shows, lists, counts and exports the level its dates give', async () => {
      t.clock.set(at('2020-04-15'));
      const campaign = await newCampaign(t, admin, { year: 2020 });
      const item = await newItem(t, caseworker, campaign.id);
      expect(item).toMatchObject({ escalationLevel: 0, currentLevel: 0 });
      // Weeks later, before any escalation run (a fresh deploy, a job that did not run).
      t.clock.set(at('2020-06-20'));
      const view = (await get(`/api/items/${item.id}`).expect(200)).body;
      expect(view).toMatchObject({ escalationLevel: 0, currentLevel: 4, overdue: true, daysLeft: -20 });

      const byLevel = (level: number) =>
        get(`/api/items?campaignId=${campaign.id}&level=${level}&closed=false&pageSize=200`).expect(200);
      expect((await byLevel(4)).body.items.map((i: { id: number }) => i.id)).toEqual([item.id]);
      expect((await byLevel(0)).body.total).toBe(0);
      // The recorded level is still filterable as such.
      expect((await get(`/api/items?campaignId=${campaign.id}&escalationLevel=0`).expect(200)).body.total).toBe(1);

      const progress = (await get(`/api/stats/progress?campaignId=${campaign.id}`).expect(200)).body;
      expect(progress.totals).toMatchObject({ open: 1, overdue: 1, byLevel: [0, 0, 0, 0, 1] });

      const csv = (await get(`/api/items/export?format=csv&campaignId=${campaign.id}`).expect(200)).text;
      expect(csv).toContain('期限情况');
      expect(csv).toContain('逾期 20 天');
      expect(csv).toContain('督办');
      expect(csv).not.toContain('剩余天数');
    });
  });

  describe('one open item per gap, whatever finds it', () => {
    it('a check and a reconciliation finding the same missing enrollment: one item, the second finder’s note', async () => {
      t.clock.set(at('2020-04-15'));
      const campaign = await newCampaign(t, admin, { year: 2020 });
      const [head, spouse] = await household();
      await enroll(spouse.id, true, true);
      const checks = await runChecks(campaign.id);
      expect(checks.body.opened.not_insured).toBeGreaterThanOrEqual(1);
      const open = () => db.getRepository(Item).find({ where: { campaignId: campaign.id, subjectId: head.id } });
      const [checkItem] = await open();
      expect(checkItem).toMatchObject({ source: 'check', dedupeKey: `insurance_gap:person:${head.id}:2020` });
      expect(checkItem.description).toBe('查漏补缺规则「未参加基本医疗保险」，按2020年4月15日的记录检出。');

      // The insurance roster lists the spouse only: the head is registered_not_insured.
      const rec = await reconcile(toCsv(INSURANCE_HEADER, [[spouse.idNumber, spouse.name, 2020, '是', '是']])).expect(
        202,
      );
      await waitUntilFinished(t, insurance, `/api/reconciliations/${rec.body.id}`);
      const file = () =>
        request(t.http)
          .post(`/api/reconciliations/${rec.body.id}/items`)
          .set('Authorization', insurance)
          .send({ kinds: ['registered_not_insured'], campaignId: campaign.id })
          .expect(200);
      await file();
      await file();
      const items = await open();
      expect(items).toHaveLength(1);
      const notes = await db.getRepository(LedgerEntry).find({ where: { itemId: checkItem.id, type: 'found_again' } });
      expect(notes).toHaveLength(1);
      expect(notes[0].note).toContain(`数据比对 #${rec.body.id}`);
      const verify = await get(`/api/items/${checkItem.id}/ledger/verify`).expect(200);
      expect(verify.body).toMatchObject({ valid: true });

      // The checks again: nothing new, no second note from the same finder.
      await runChecks(campaign.id);
      expect(await open()).toHaveLength(1);
      expect(await db.getRepository(LedgerEntry).countBy({ itemId: checkItem.id, type: 'found_again' })).toBe(1);
    });

    it('an open item filed under an older key holds the gap too', async () => {
      t.clock.set(at('2020-04-15'));
      const campaign = await newCampaign(t, admin, { year: 2020 });
      const [head, spouse] = await household();
      await enroll(spouse.id, true);
      const legacy = await newItem(t, caseworker, campaign.id, {
        category: 'insurance',
        subjectType: 'person',
        subjectId: head.id,
      });
      await db.getRepository(Item).update(legacy.id, {
        source: 'reconciliation',
        dedupeKey: `reconciliation:registered_not_insured:2020:person:${head.id}`,
        openKey: `reconciliation:registered_not_insured:2020:person:${head.id}`,
      });
      await runChecks(campaign.id);
      const items = await db.getRepository(Item).find({ where: { campaignId: campaign.id, subjectId: head.id } });
      expect(items.map((i) => i.id)).toEqual([legacy.id]);
      expect(await db.getRepository(LedgerEntry).countBy({ itemId: legacy.id, type: 'found_again' })).toBe(1);
    });
  });

  describe('the reconciliation’s year', () => {
    it('defaults to the year the roster’s rows carry, refuses a roster of another year naming both, takes next year’s', async () => {
      t.clock.set(at('2020-05-20'));
      const [head] = await household();
      const roster = (year: number) => toCsv(INSURANCE_HEADER, [[head.idNumber, head.name, year, '是', '否']]);
      const byRows = await reconcile(roster(2020)).expect(202);
      expect(byRows.body).toMatchObject({ year: 2020 });
      expect((await waitUntilFinished(t, insurance, `/api/reconciliations/${byRows.body.id}`)).year).toBe(2020);

      const before = (await get('/api/reconciliations', insurance).expect(200)).body.total;
      const wrong = await reconcile(roster(2020), 2021).expect(400);
      expect(wrong.body.field).toBe('year');
      expect(JSON.stringify(wrong.body.message)).toContain('2020年');
      expect(JSON.stringify(wrong.body.message)).toContain('2021年度');
      expect((await get('/api/reconciliations', insurance).expect(200)).body.total).toBe(before);

      // The collection for 2021 runs in the autumn of 2020.
      const next = await reconcile(roster(2021), 2021).expect(202);
      const done = await waitUntilFinished(t, insurance, `/api/reconciliations/${next.body.id}`);
      expect(done).toMatchObject({ status: 'done', year: 2021, rowsSkipped: 0 });
    });
  });

  describe('写入参保信息', () => {
    it('previews every change, writes only what was confirmed, records it, and a second apply changes nothing', async () => {
      t.clock.set(at('2020-05-20'));
      const [a, b] = await household();
      const [c] = await household();
      await enroll(b.id, true); // listed 否: a downgrade, not written unless asked
      await enroll(c.id, true); // missing from the roster: never touched
      const rec = await reconcile(
        toCsv(INSURANCE_HEADER, [
          [a.idNumber, a.name, 2020, '是', '是'],
          [b.idNumber, b.name, 2020, '否', '否'],
        ]),
      ).expect(202);
      await waitUntilFinished(t, insurance, `/api/reconciliations/${rec.body.id}`);
      const apply = (body: object) =>
        request(t.http)
          .post(`/api/reconciliations/${rec.body.id}/apply-enrollment`)
          .set('Authorization', insurance)
          .send(body);

      const preview = (await apply({ dryRun: true }).expect(200)).body;
      expect(preview).toMatchObject({ dryRun: true, year: 2020, toApply: 1, downgrades: 1 });
      expect(preview.changes.items).toEqual([
        expect.objectContaining({
          personId: a.id,
          before: null,
          after: { enrolled: true, subsidized: true },
          downgrade: false,
        }),
        expect.objectContaining({
          personId: b.id,
          before: { enrolled: true, subsidized: false },
          after: { enrolled: false, subsidized: false },
          downgrade: true,
        }),
      ]);
      expect(JSON.stringify(preview)).not.toContain(a.idNumber);

      const unconfirmed = await apply({}).expect(400);
      expect(unconfirmed.body.field).toBe('confirm');
      const stale = await apply({ confirm: '0'.repeat(32) }).expect(409);
      expect(stale.body.field).toBe('confirm');

      const done = (await apply({ confirm: preview.confirm }).expect(200)).body;
      expect(done).toMatchObject({ dryRun: false, applied: 1, downgradesSkipped: 1 });
      const state = async (id: number) => db.getRepository(InsuranceEnrollment).findOneBy({ personId: id, year: 2020 });
      expect(await state(a.id)).toMatchObject({ enrolled: true, subsidized: true });
      expect(await state(b.id)).toMatchObject({ enrolled: true });
      expect(await state(c.id)).toMatchObject({ enrolled: true });
      const record = await db.getRepository(EnrollmentChange).findBy({ reconciliationId: rec.body.id });
      expect(record).toEqual([
        expect.objectContaining({ personId: a.id, enrolledBefore: null, enrolledAfter: true, subsidizedAfter: true }),
      ]);
      expect(record[0].changedById).toBeGreaterThan(0);

      const again = (await apply({ confirm: preview.confirm }).expect(200)).body;
      expect(again).toMatchObject({ applied: 0, message: '参保信息已与花名册一致，没有需要写入的变化。' });
      expect(await db.getRepository(EnrollmentChange).countBy({ reconciliationId: rec.body.id })).toBe(1);

      // The downgrade, seen and asked for.
      const downgrade = (await apply({ dryRun: true, includeDowngrades: true }).expect(200)).body;
      expect(downgrade).toMatchObject({ toApply: 1, downgrades: 1 });
      await apply({ confirm: downgrade.confirm, includeDowngrades: true }).expect(200);
      expect(await state(b.id)).toMatchObject({ enrolled: false });
      expect(await state(c.id)).toMatchObject({ enrolled: true });
    });
  });

  describe('逾期销号', () => {
    it('a closure after the deadline is marked in the item, the list, the export and the progress', async () => {
      t.clock.set(at('2020-05-01'));
      const campaign = await newCampaign(t, admin, { year: 2020 });
      // Closed here means closed (销号审核 has its own tests): the campaign closes without review.
      await db.getRepository(Campaign).update(campaign.id, { closeReview: false });
      const late = await newItem(t, caseworker, campaign.id);
      const onTime = await newItem(t, caseworker, campaign.id);
      const close = (id: number) =>
        request(t.http)
          .post(`/api/items/${id}/close`)
          .set('Authorization', officer1)
          .send({ resolution: '已整改完毕，销号', version: 1 })
          .expect(200);
      expect((await close(onTime.id)).body.closedLate).toBe(false);
      t.clock.set(at('2020-06-02'));
      expect((await close(late.id)).body).toMatchObject({ status: 'closed', closedLate: true });
      const list = (await get(`/api/items?campaignId=${campaign.id}&closed=true`).expect(200)).body.items;
      expect(Object.fromEntries(list.map((i: { id: number; closedLate: boolean }) => [i.id, i.closedLate]))).toEqual({
        [late.id]: true,
        [onTime.id]: false,
      });
      const progress = (await get(`/api/stats/progress?campaignId=${campaign.id}`).expect(200)).body;
      expect(progress.totals).toMatchObject({ closed: 2, closedLate: 1 });
      const csv = (await get(`/api/items/export?format=csv&campaignId=${campaign.id}`).expect(200)).text;
      const lines = csv.trim().split(/\r?\n/);
      expect(lines[0]).toContain('逾期销号');
      expect(lines.filter((line) => line.endsWith(',是'))).toHaveLength(1);
      expect(late.regionCode).toBe(SUBDISTRICT_A);
    });
  });

  describe('待审核 counted apart (issue 15)', () => {
    /** The progress counts of some items, computed here from their rows (the oracle). */
    function expected(items: Item[], today: string) {
      const count = (test: (i: Item) => boolean) => items.filter(test).length;
      const notClosed = (i: Item) => i.status !== 'closed';
      const closed = count((i) => i.status === 'closed');
      return {
        total: items.length,
        closed,
        closedLate: count((i) => i.status === 'closed' && i.closedOn! > i.deadline),
        pending: count((i) => i.status === 'pending_review'),
        open: count((i) => (['open', 'in_progress'] as ItemStatus[]).includes(i.status)),
        overdue: count((i) => notClosed(i) && i.deadline < today),
        pendingOverdue: count((i) => i.status === 'pending_review' && i.deadline < today),
        clearanceRate: items.length === 0 ? null : Math.round((closed / items.length) * 1000) / 10,
      };
    }

    it('closed, 待审核 and 未销号 partition the items; 逾期销号 among the closed; the 销号率 counts only the closed', async () => {
      t.clock.set(at('2020-04-15'));
      const campaign = await newCampaign(t, admin, { year: 2020 });
      await db.getRepository(Campaign).update(campaign.id, { closeReview: false });
      const [head] = await household(); // in 柳树村, 城关街道
      const item = async (overrides: Record<string, unknown> = {}) =>
        (await newItem(t, caseworker, campaign.id, overrides)).id as number;
      const early = { deadline: '2020-05-10' };
      const close = (id: number) =>
        request(t.http)
          .post(`/api/items/${id}/close`)
          .set('Authorization', caseworker)
          .send({ resolution: '已整改完毕，销号', version: 1 })
          .expect(200);
      /** A close request of the review workflow, as its API leaves the item. */
      const requestClose = (id: number) =>
        db.getRepository(Item).update(id, {
          status: 'pending_review',
          resolution: '已整改，请审核',
          closeRequestedAt: new Date(at('2020-05-18')),
          closeRequestedById: 1,
        });

      // 城关街道: open, in progress, open past the deadline, two pending (one past the deadline; one
      // about a person in 柳树村), closed in time, closed late.
      const a = {
        open: await item(),
        started: await item(),
        openLate: await item(early),
        pending: await item({ subjectType: 'person', subjectId: head.id }),
        pendingLate: await item(early),
        closed: await item(),
        closedLate: await item(early),
      };
      await request(t.http).post(`/api/items/${a.started}/start`).set('Authorization', caseworker).send({}).expect(200);
      // 东塬街道: one pending, one closed.
      const b = {
        pending: await item({ regionCode: SUBDISTRICT_B }),
        closed: await item({ regionCode: SUBDISTRICT_B }),
      };
      t.clock.set(at('2020-05-20'));
      for (const id of [a.closed, a.closedLate, b.closed]) {
        await close(id);
      }
      for (const id of [a.pending, a.pendingLate, b.pending]) {
        await requestClose(id);
      }
      const today = '2020-05-20';
      const items = await db.getRepository(Item).findBy({ campaignId: campaign.id });

      const progress = (await get(`/api/stats/progress?campaignId=${campaign.id}`, caseworker).expect(200)).body;
      const { byLevel, ...totals } = progress.totals;
      expect(totals).toEqual(expected(items, today));
      // Not vacuous: what the items were made to be.
      expect(totals).toMatchObject({ total: 9, closed: 3, closedLate: 1, pending: 3, open: 3, overdue: 2 });
      expect(totals).toMatchObject({ pendingOverdue: 1, clearanceRate: 33.3 });
      expect(totals.closed + totals.pending + totals.open).toBe(totals.total);
      // Pending items keep escalating: the levels count every item not closed.
      expect((byLevel as number[]).reduce((n, c) => n + c, 0)).toBe(totals.open + totals.pending);
      for (const code of [SUBDISTRICT_A, SUBDISTRICT_B]) {
        const row = progress.rows.find((r: { regionCode: string }) => r.regionCode === code);
        const { byLevel: _levels, regionCode: _code, name: _name, ...counts } = row;
        expect(counts).toEqual(
          expected(
            items.filter((i) => i.regionCode === code),
            today,
          ),
        );
      }
      expect(progress.rows.find((r: { regionCode: string }) => r.regionCode === SUBDISTRICT_B)).toMatchObject({
        pending: 1,
        closed: 1,
        open: 0,
        clearanceRate: 50,
      });

      // The overdue count is what the list's overdue filter lists (待审核 included: the deadline is for 销号).
      const overdueList = (
        await get(`/api/items?campaignId=${campaign.id}&overdue=true&pageSize=200`, caseworker).expect(200)
      ).body;
      expect(overdueList.total).toBe(totals.overdue);
      const pendingList = (
        await get(`/api/items?campaignId=${campaign.id}&status=pending_review&pageSize=200`, caseworker).expect(200)
      ).body;
      expect(pendingList.items.map((i: { id: number }) => i.id).sort()).toEqual(
        [a.pending, a.pendingLate, b.pending].sort(),
      );

      // An officer's rows are their villages: the pending item about a resident of 柳树村 lies there.
      const own = (await get(`/api/stats/progress?campaignId=${campaign.id}`, officer1).expect(200)).body;
      expect(own.rowsAre).toBe('village');
      const village = own.rows.find((r: { regionCode: string }) => r.regionCode === VILLAGE_A);
      expect(village).toMatchObject({ total: 1, pending: 1, closed: 0, open: 0, clearanceRate: 0 });
      const { byLevel: _ownLevels, ...ownTotals } = own.totals;
      expect(ownTotals).toEqual(
        expected(
          items.filter((i) => i.regionCode === SUBDISTRICT_A),
          today,
        ),
      );
    });
  });
});
