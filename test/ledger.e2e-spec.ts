import request from 'supertest';
import { DataSource } from 'typeorm';
import { computeHash } from '../src/ledger/hash-chain.js';
import { Item } from '../src/ledger/item.entity.js';
import { LedgerEntry } from '../src/ledger/ledger-entry.entity.js';
import { householdInput, SUBDISTRICT_A, SUBDISTRICT_B, VILLAGE_A, VILLAGE_B } from './factories/households.js';
import { type CampaignBody, itemInput, newCampaign, newItem } from './factories/items.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';

const GENESIS = '0'.repeat(64);

/** An item's verify with no evidence: no file re-hashed (issue #15 added `files` to the answer). */
const NO_FILES = { checked: 0, altered: [], missing: [] };

describe('remediation ledger: campaigns, items and their life cycle', () => {
  let t: TestApp;
  let db: DataSource;
  let admin: string;
  let caseworker: string;
  let officer1: string;
  let campaign: CampaignBody;

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DataSource);
    admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    caseworker = await t.login('caseworker');
    officer1 = await t.login('officer1');
    campaign = await newCampaign(t, admin);
  });

  afterAll(() => t.close());

  const post = (path: string, token: string, body: object = {}) =>
    request(t.http).post(path).set('Authorization', token).send(body);
  const ledgerOf = (itemId: number) => db.getRepository(LedgerEntry).find({ where: { itemId }, order: { seq: 'ASC' } });
  const itemRow = (id: number) => db.getRepository(Item).findOneByOrFail({ id });

  describe('campaigns', () => {
    it('defaults to this year, May 31 and the SPEC thresholds (clock: 2020-04-15)', async () => {
      expect(campaign).toMatchObject({
        year: 2020,
        deadline: '2020-05-31',
        reminderDays: 14,
        warningDays: 3,
        supervisedDays: 7,
      });
      const res = await request(t.http).get(`/api/campaigns/${campaign.id}`).set('Authorization', officer1).expect(200);
      expect(res.body).toMatchObject({ id: campaign.id, name: campaign.name });
    });

    it('takes next year once May 31 has passed, and May 31 of a given year', async () => {
      t.clock.set('2020-06-01T02:00:00Z');
      try {
        expect(await newCampaign(t, admin)).toMatchObject({ year: 2021, deadline: '2021-05-31' });
      } finally {
        t.clock.set('2020-04-15T02:00:00Z');
      }
      expect(await newCampaign(t, admin, { year: 2019 })).toMatchObject({ year: 2019, deadline: '2019-05-31' });
      const own = await newCampaign(t, admin, { deadline: '2020-06-30', reminderDays: 20, warningDays: 0 });
      expect(own).toMatchObject({ deadline: '2020-06-30', reminderDays: 20, warningDays: 0, supervisedDays: 7 });
    });

    it('refuses thresholds out of order, a date that is not one, and non-admins', async () => {
      const order = await post('/api/campaigns', admin, { name: '错误阈值', reminderDays: 3, warningDays: 3 }).expect(
        400,
      );
      expect(order.body.field).toBe('reminderDays');
      const ranges = await post('/api/campaigns', admin, { name: '错误', warningDays: -1, supervisedDays: 0 }).expect(
        400,
      );
      expect((ranges.body.message as string[]).join('\n')).toMatch(
        /warningDays[\s\S]*supervisedDays|supervisedDays[\s\S]*warningDays/,
      );
      const date = await post('/api/campaigns', admin, { name: '错误日期', deadline: '2020-02-30' }).expect(400);
      expect(date.body.message).toEqual(['deadline must be a date written YYYY-MM-DD']);
      await post('/api/campaigns', caseworker, { name: '无权' }).expect(403);
    });

    it('lists campaigns; an unknown one is 404', async () => {
      const res = await request(t.http).get('/api/campaigns?pageSize=200').set('Authorization', officer1).expect(200);
      expect(res.body.items.map((c: { id: number }) => c.id)).toContain(campaign.id);
      await request(t.http).get('/api/campaigns/99999999').set('Authorization', officer1).expect(404);
    });
  });

  describe('creating items', () => {
    it('files an item for a person: region from the household, masked ID, campaign deadline, a created entry', async () => {
      const household = await post('/api/households', caseworker, householdInput({ regionCode: VILLAGE_A })).expect(
        201,
      );
      const person = household.body.members[1];
      const item = await newItem(t, caseworker, campaign.id, {
        regionCode: undefined,
        subjectType: 'person',
        subjectId: person.id,
        description: '慢病患者未签约',
      });
      expect(item).toMatchObject({
        campaignId: campaign.id,
        campaignName: campaign.name,
        category: 'contract',
        subjectType: 'person',
        subjectId: person.id,
        subjectName: '测试配偶',
        subjectIdNumber: person.idNumber,
        regionCode: SUBDISTRICT_A,
        regionName: '城关街道',
        responsibleDept: 'health',
        deadline: '2020-05-31',
        daysLeft: 46,
        overdue: false,
        source: 'inspection',
        status: 'open',
        escalationLevel: 0,
        version: 1,
        resolution: null,
        closedAt: null,
      });
      expect(item.subjectIdNumber).toMatch(/^\d{6}\*{8}[\dX]{4}$/);
      expect(item.ledger).toHaveLength(1);
      expect(item.ledger[0]).toMatchObject({
        seq: 1,
        type: 'created',
        actorName: '卫健局 张业务',
        at: '2020-04-15T02:00:00.000Z',
        prevHash: GENESIS,
        payload: { title: item.title, regionCode: SUBDISTRICT_A, deadline: '2020-05-31', subjectId: person.id },
      });
    });

    it('takes a village code as its sub-district, and an insurance item for the insurance bureau', async () => {
      const item = await newItem(t, admin, campaign.id, { regionCode: VILLAGE_B, category: 'insurance' });
      expect(item).toMatchObject({ regionCode: SUBDISTRICT_B, regionName: '东塬街道', responsibleDept: 'insurance' });
      const household = await post('/api/households', caseworker, householdInput({ regionCode: VILLAGE_B })).expect(
        201,
      );
      const forHousehold = await newItem(t, caseworker, campaign.id, {
        regionCode: undefined,
        subjectType: 'household',
        subjectId: household.body.id,
        deadline: '2020-05-15',
      });
      expect(forHousehold).toMatchObject({
        regionCode: SUBDISTRICT_B,
        subjectName: household.body.registryNo,
        deadline: '2020-05-15',
      });
    });

    it.each([
      ['an unknown campaign', { campaignId: 99999999 }, 'campaignId'],
      ['an unknown region', { regionCode: '610199009000' }, 'regionCode'],
      ['the district instead of a sub-district', { regionCode: '610199000000' }, 'regionCode'],
      ['no region and no subject', { regionCode: undefined }, 'regionCode'],
      ['an unknown person', { subjectType: 'person', subjectId: 99999999 }, 'subjectId'],
      ['an unknown household', { subjectType: 'household', subjectId: 99999999 }, 'subjectId'],
      ['a subject id without a type', { subjectId: 1 }, 'subjectType'],
      ['a person subject without an id', { subjectType: 'person' }, 'subjectId'],
    ])('refuses %s with a 400 naming the field, writing nothing', async (_what, overrides, field) => {
      const body = itemInput(campaign.id, overrides);
      const res = await post('/api/items', caseworker, body).expect(400);
      expect(res.body.field).toBe(field);
      expect(await db.getRepository(Item).existsBy({ title: body.title as string })).toBe(false);
    });

    it('refuses a deadline that is not a real date, an unknown category and a short title, naming each', async () => {
      const res = await post(
        '/api/items',
        caseworker,
        itemInput(campaign.id, { deadline: '2020-02-30', category: 'weather', title: 'x' }),
      ).expect(400);
      const text = (res.body.message as string[]).join('\n');
      expect(text).toMatch(/deadline must be a date/);
      expect(text).toMatch(/category/);
      expect(text).toMatch(/title/);
    });
  });

  describe('life cycle (SPEC §2)', () => {
    it('start → progress → close → reopen, one chained entry each', async () => {
      const { id } = await newItem(t, caseworker, campaign.id);
      const started = await post(`/api/items/${id}/start`, officer1).expect(200);
      expect(started.body).toMatchObject({ status: 'in_progress', version: 2 });

      const noted = await post(`/api/items/${id}/progress`, officer1, { note: '已联系家庭医生团队' }).expect(200);
      expect(noted.body).toMatchObject({ status: 'in_progress', version: 2 });

      t.clock.set('2020-05-20T08:30:00Z');
      try {
        const closed = await post(`/api/items/${id}/close`, officer1, {
          resolution: '已完成签约并随访',
          version: 2,
        }).expect(200);
        expect(closed.body).toMatchObject({
          status: 'closed',
          version: 3,
          resolution: '已完成签约并随访',
          daysLeft: null,
        });
        expect(new Date(closed.body.closedAt).toISOString()).toBe('2020-05-20T08:30:00.000Z');
      } finally {
        t.clock.set('2020-04-15T02:00:00Z');
      }

      const reopened = await post(`/api/items/${id}/reopen`, caseworker, { reason: '复核发现随访记录不实' }).expect(
        200,
      );
      expect(reopened.body).toMatchObject({ status: 'open', version: 4, resolution: null, closedAt: null });
      expect(reopened.body.ledger.map((e: { type: string }) => e.type)).toEqual([
        'created',
        'started',
        'progress',
        'closed',
        'reopened',
      ]);
      const ledger = reopened.body.ledger;
      expect(ledger.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(ledger[2]).toMatchObject({ note: '已联系家庭医生团队', actorName: '城关街道 王专干' });
      expect(ledger[3]).toMatchObject({ note: '已完成签约并随访', at: '2020-05-20T08:30:00.000Z' });
      expect(ledger[4]).toMatchObject({ note: '复核发现随访记录不实', actorName: '卫健局 张业务' });
      for (let i = 1; i < ledger.length; i++) {
        expect(ledger[i].prevHash).toBe(ledger[i - 1].hash);
      }
      const verify = await request(t.http)
        .get(`/api/items/${id}/ledger/verify`)
        .set('Authorization', officer1)
        .expect(200);
      expect(verify.body).toEqual({ valid: true, entries: 5, firstBrokenSeq: null, files: NO_FILES });
    });

    it('closes an open item directly', async () => {
      const { id } = await newItem(t, caseworker, campaign.id);
      await post(`/api/items/${id}/close`, officer1, { resolution: '当场整改到位', version: 1 }).expect(200);
      expect((await ledgerOf(id)).map((e) => e.type)).toEqual(['created', 'closed']);
    });

    it('refuses impossible transitions with 409 and writes nothing', async () => {
      const { id } = await newItem(t, caseworker, campaign.id);
      await post(`/api/items/${id}/reopen`, caseworker, { reason: '未销号不能重启' }).expect(409);
      await post(`/api/items/${id}/start`, officer1).expect(200);
      const again = await post(`/api/items/${id}/start`, officer1).expect(409);
      expect(again.body).toMatchObject({ code: 'invalid_transition', field: 'status' });
      await post(`/api/items/${id}/close`, officer1, { resolution: '整改完成', version: 2 }).expect(200);
      const before = await itemRow(id);

      const closeAgain = await post(`/api/items/${id}/close`, officer1, { resolution: '再次销号', version: 3 }).expect(
        409,
      );
      expect(closeAgain.body.message).toMatch(/closed/);
      await post(`/api/items/${id}/start`, officer1).expect(409);
      await post(`/api/items/${id}/progress`, officer1, { note: '销号后补记' }).expect(409);
      await post(`/api/items/${id}/deadline`, caseworker, { deadline: '2020-06-30', version: 3 }).expect(409);
      await post(`/api/items/${id}/reassign`, caseworker, { responsibleDept: 'insurance', version: 3 }).expect(409);

      expect(await itemRow(id)).toEqual(before);
      expect((await ledgerOf(id)).map((e) => e.type)).toEqual(['created', 'started', 'closed']);
    });

    it('answers a stale version with 409 naming it, and changes nothing', async () => {
      const { id } = await newItem(t, caseworker, campaign.id);
      await post(`/api/items/${id}/start`, officer1, { version: 1 }).expect(200);
      const stale = await post(`/api/items/${id}/close`, officer1, { resolution: '整改完成', version: 1 }).expect(409);
      expect(stale.body).toMatchObject({ statusCode: 409, code: 'version_conflict', field: 'version' });
      await post(`/api/items/${id}/start`, officer1, { version: 1 }).expect(409);
      const row = await itemRow(id);
      expect(row).toMatchObject({ status: 'in_progress', version: 2, resolution: null, closedAt: null });
      expect(await ledgerOf(id)).toHaveLength(2);
    });

    it.each([
      ['close without a resolution', 'close', { version: 1 }, 'resolution'],
      ['close with a resolution of 3 characters', 'close', { resolution: '已完成', version: 1 }, 'resolution'],
      ['close without a version', 'close', { resolution: '整改完成' }, 'version'],
      ['reopen without a reason', 'reopen', {}, 'reason'],
      ['a progress note of one character', 'progress', { note: '好' }, 'note'],
      ['a progress note with an unknown field', 'progress', { note: '进展', status: 'closed' }, 'status'],
    ])('refuses %s with a 400 naming the field, writing nothing', async (_what, action, body, field) => {
      const { id } = await newItem(t, caseworker, campaign.id);
      const token = action === 'reopen' ? caseworker : officer1;
      const res = await post(`/api/items/${id}/${action}`, token, body).expect(400);
      expect((res.body.message as string[]).some((m) => m.includes(field))).toBe(true);
      expect(await itemRow(id)).toMatchObject({ status: 'open', version: 1 });
      expect(await ledgerOf(id)).toHaveLength(1);
    });

    it('answers 404 for an unknown item and 400 for a non-numeric id', async () => {
      await post('/api/items/99999999/start', officer1).expect(404);
      await request(t.http).get('/api/items/99999999').set('Authorization', officer1).expect(404);
      await request(t.http).get('/api/items/abc').set('Authorization', officer1).expect(400);
    });
  });

  describe('reassigning and changing the deadline (caseworker)', () => {
    it('moves an item to another sub-district and department, with the change in the ledger', async () => {
      const { id } = await newItem(t, caseworker, campaign.id);
      const res = await post(`/api/items/${id}/reassign`, caseworker, {
        regionCode: VILLAGE_B,
        responsibleDept: 'insurance',
        note: '户籍已迁至东塬',
        version: 1,
      }).expect(200);
      expect(res.body).toMatchObject({ regionCode: SUBDISTRICT_B, responsibleDept: 'insurance', version: 2 });
      expect(res.body.ledger[1]).toMatchObject({
        type: 'reassigned',
        note: '户籍已迁至东塬',
        payload: {
          regionCode: { from: SUBDISTRICT_A, to: SUBDISTRICT_B },
          responsibleDept: { from: 'health', to: 'insurance' },
        },
      });
      // Now officer1's neighbour's: gone from officer1's sight.
      await request(t.http).get(`/api/items/${id}`).set('Authorization', officer1).expect(404);
    });

    it('refuses an unknown region, a change to nothing, and a stale version', async () => {
      const { id } = await newItem(t, caseworker, campaign.id);
      const unknown = await post(`/api/items/${id}/reassign`, caseworker, {
        regionCode: '610199009000',
        version: 1,
      }).expect(400);
      expect(unknown.body.field).toBe('regionCode');
      const same = await post(`/api/items/${id}/reassign`, caseworker, { regionCode: VILLAGE_A, version: 1 }).expect(
        400,
      );
      expect(same.body.field).toBe('regionCode');
      await post(`/api/items/${id}/reassign`, caseworker, { version: 1 }).expect(400);
      await post(`/api/items/${id}/reassign`, caseworker, { responsibleDept: 'insurance', version: 7 }).expect(409);
      expect(await itemRow(id)).toMatchObject({ regionCode: SUBDISTRICT_A, responsibleDept: 'health', version: 1 });
      expect(await ledgerOf(id)).toHaveLength(1);
    });

    it('changes the deadline; refuses a date that is not one', async () => {
      const { id } = await newItem(t, caseworker, campaign.id);
      const res = await post(`/api/items/${id}/deadline`, caseworker, {
        deadline: '2020-06-30',
        note: '汛期顺延',
        version: 1,
      }).expect(200);
      expect(res.body).toMatchObject({ deadline: '2020-06-30', daysLeft: 76, version: 2 });
      expect(res.body.ledger[1]).toMatchObject({
        type: 'deadline_changed',
        payload: { deadline: { from: '2020-05-31', to: '2020-06-30' } },
      });
      for (const deadline of ['2020-02-30', '2020/06/30', '30.06.2020']) {
        const bad = await post(`/api/items/${id}/deadline`, caseworker, { deadline, version: 2 }).expect(400);
        expect(bad.body.message).toEqual(['deadline must be a date written YYYY-MM-DD']);
      }
      const same = await post(`/api/items/${id}/deadline`, caseworker, { deadline: '2020-06-30', version: 2 }).expect(
        400,
      );
      expect(same.body.field).toBe('deadline');
      expect(await ledgerOf(id)).toHaveLength(2);
    });
  });

  describe('the hash chain', () => {
    it('reports an entry altered directly in the database, naming its seq', async () => {
      const { id } = await newItem(t, caseworker, campaign.id);
      await post(`/api/items/${id}/start`, officer1).expect(200);
      await post(`/api/items/${id}/progress`, officer1, { note: '已入户核实' }).expect(200);
      await post(`/api/items/${id}/close`, officer1, { resolution: '整改完成', version: 2 }).expect(200);
      const verify = () => request(t.http).get(`/api/items/${id}/ledger/verify`).set('Authorization', caseworker);
      expect((await verify().expect(200)).body).toEqual({
        valid: true,
        entries: 4,
        firstBrokenSeq: null,
        files: NO_FILES,
      });

      await db.query('UPDATE ledger_entries SET note = ? WHERE itemId = ? AND seq = ?', ['未入户', id, 3]);
      expect((await verify().expect(200)).body).toEqual({
        valid: false,
        entries: 4,
        firstBrokenSeq: 3,
        files: NO_FILES,
      });
    });

    it('keeps the chain tail on the item with every entry, and reports a chain that no longer ends there', async () => {
      const { id } = await newItem(t, caseworker, campaign.id);
      await post(`/api/items/${id}/start`, officer1).expect(200);
      await post(`/api/items/${id}/progress`, officer1, { note: '已入户核实' }).expect(200);
      const tailOf = async () => {
        const { ledgerSeq, ledgerHash } = await itemRow(id);
        return { ledgerSeq, ledgerHash };
      };
      const entries = await ledgerOf(id);
      expect(await tailOf()).toEqual({ ledgerSeq: 3, ledgerHash: entries[2].hash });
      const verify = async () =>
        (await request(t.http).get(`/api/items/${id}/ledger/verify`).set('Authorization', caseworker).expect(200)).body;

      // The last entry taken away: what is left chains, but the item says its chain ends at seq 3.
      await db.query('DELETE FROM ledger_entries WHERE itemId = ? AND seq = 3', [id]);
      expect(await verify()).toEqual({ valid: false, entries: 2, firstBrokenSeq: 3, files: NO_FILES });

      // A fork: another third entry, correctly chained onto the second, in place of the one the item ended on.
      const forked = { ...entries[2], note: '另一条记录' };
      const { id: _id, prevHash, hash: _hash, ...hashed } = forked;
      await db.getRepository(LedgerEntry).insert({ ...hashed, prevHash, hash: computeHash(prevHash, hashed) });
      expect(await verify()).toEqual({ valid: false, entries: 3, firstBrokenSeq: 3, files: NO_FILES });

      // The tail put back to what the entries say: whole again.
      const last = (await ledgerOf(id)).at(-1)!;
      await db.getRepository(Item).update({ id }, { ledgerHash: last.hash });
      expect(await verify()).toEqual({ valid: true, entries: 3, firstBrokenSeq: null, files: NO_FILES });
    });

    it('reports a payload changed after the fact', async () => {
      const { id } = await newItem(t, caseworker, campaign.id);
      await db.query('UPDATE ledger_entries SET payload = ? WHERE itemId = ? AND seq = 1', ['{"title":"改"}', id]);
      const res = await request(t.http).get(`/api/items/${id}/ledger/verify`).set('Authorization', caseworker);
      expect(res.body).toEqual({ valid: false, entries: 1, firstBrokenSeq: 1, files: NO_FILES });
    });
  });
});
