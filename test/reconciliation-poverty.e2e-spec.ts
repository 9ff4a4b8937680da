import type { Browser } from 'playwright-core';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { readFileSync } from 'node:fs';
import { Household } from '../src/households/household.entity.js';
import { Person } from '../src/households/person.entity.js';
import { Clock } from '../src/common/clock.js';
import { Item } from '../src/ledger/item.entity.js';
import { LedgerEntry } from '../src/ledger/ledger-entry.entity.js';
import { buildDemoPovertyRoster } from '../src/app/demo/demo-poverty-roster.js';
import { Reconciliation } from '../src/reconciliation/reconciliation.entity.js';
import { RegistryApply } from '../src/reconciliation/registry-apply.entity.js';
import { RegistryChange } from '../src/reconciliation/registry-change.entity.js';
import { RegistryVersion } from '../src/reconciliation/registry-version.js';
import { demoPovertyRosterPath } from '../src/reconciliation/roster-templates.js';
import { householdInput, maskedId, newIdNumber, newRegistryNo, VILLAGE_A, VILLAGE_B } from './factories/households.js';
import { newCampaign } from './factories/items.js';
import { INSURANCE_HEADER, POVERTY_HEADER, toCsv, waitUntilFinished } from './factories/rosters.js';
import { launchBrowser, screenshot, serve, signIn } from './utils/browser.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { pageLogin } from './utils/pages.js';

const APPLICABLE = [
  'poverty_not_registered',
  'member_household_mismatch',
  'household_status_mismatch',
  'person_status_mismatch',
];

type Row = (string | number)[];

describe("the poverty office's register (扶贫办) as a reconciliation source", () => {
  let t: TestApp;
  let db: DataSource;
  let caseworker: string;
  let insurance: string;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DataSource);
    caseworker = await t.login('caseworker');
    insurance = await t.login('insurance');
    admin = await t.login('admin', TEST_ADMIN_PASSWORD);
  });

  afterAll(() => t.close());

  const upload = (content: string, token = caseworker, source: string | null = 'poverty') => {
    const req = request(t.http).post('/api/reconciliations').set('Authorization', token);
    return (source === null ? req : req.field('source', source)).attach('file', Buffer.from(content), 'register.csv');
  };

  async function household(status: string, regionCode = VILLAGE_A) {
    const input = householdInput({ status, regionCode });
    const res = await request(t.http).post('/api/households').set('Authorization', caseworker).send(input).expect(201);
    return {
      id: res.body.id as number,
      registryNo: input.registryNo,
      members: (res.body.members as { id: number }[]).map((m, i) => ({ id: m.id, ...input.members[i] })),
    };
  }

  /** The register as the registry is now: every active person of a household that is not removed, agreeing. */
  async function agreeingRows(): Promise<Map<string, Row>> {
    const rows = await db
      .getRepository(Person)
      .createQueryBuilder('p')
      .innerJoin(Household, 'h', 'h.id = p.householdId')
      .select(['p.idNumber AS idNumber', 'p.name AS name', 'p.relation AS relation'])
      .addSelect(['h.registryNo AS registryNo', 'h.regionCode AS regionCode', 'h.status AS status'])
      .where("p.status = 'active' AND h.status <> 'removed'")
      .orderBy('p.id')
      .getRawMany<{
        idNumber: string;
        name: string;
        relation: string;
        registryNo: string;
        regionCode: string;
        status: string;
      }>();
    return new Map(
      rows.map((r) => [
        r.idNumber,
        [
          r.registryNo,
          r.regionCode,
          '',
          r.idNumber,
          r.name,
          r.relation,
          r.status === 'poor' ? '未脱贫户' : '脱贫户',
          r.status === 'poor' ? '' : 2019,
          '正常',
        ],
      ]),
    );
  }

  describe('a register with every kind planted once', () => {
    let recId: number;
    let detail: {
      counts: Record<string, number>;
      rowsSkipped: number;
      skipped: { line: number; field: string; reason: string }[];
    };
    let lifted: Awaited<ReturnType<typeof household>>; // 户状态: poor here, 脱贫户 there
    let moved: Awaited<ReturnType<typeof household>>; // its spouse sits in `lifted` there; its head died there
    let missing: Awaited<ReturnType<typeof household>>; // its spouse is not in their register
    const newcomer = newIdNumber('female');
    const newRegistry = newRegistryNo();
    let roster: string;

    beforeAll(async () => {
      lifted = await household('poor');
      moved = await household('poor');
      missing = await household('lifted', VILLAGE_B);
      const rows = await agreeingRows();
      const set = (idNumber: string, column: number, value: string | number) => (rows.get(idNumber)![column] = value);
      set(lifted.members[0].idNumber, 6, '脱贫户');
      set(lifted.members[0].idNumber, 7, 2019);
      set(lifted.members[1].idNumber, 6, '脱贫户');
      set(lifted.members[1].idNumber, 7, 2019);
      set(lifted.members[1].idNumber, 4, '改了名');
      set(moved.members[1].idNumber, 0, lifted.registryNo);
      set(moved.members[1].idNumber, 6, '脱贫户');
      set(moved.members[1].idNumber, 7, 2019);
      set(moved.members[0].idNumber, 8, '死亡');
      rows.delete(missing.members[1].idNumber);
      const duplicate = [...rows.get(missing.members[0].idNumber)!];
      const bad = newIdNumber();
      roster = toCsv(POVERTY_HEADER, [
        ...rows.values(),
        [newRegistry, VILLAGE_B, '新户主', newcomer, '新成员', '户主', '监测户', '', '正常'],
        [
          newRegistryNo(),
          VILLAGE_B,
          '错号',
          `${bad.slice(0, 17)}${bad[17] === '0' ? '1' : '0'}`,
          '错号',
          '户主',
          '未脱贫户',
          '',
          '正常',
        ],
        duplicate,
        [newRegistryNo(), VILLAGE_B, '某人', newIdNumber(), '某人', '户主', '贫困', '', '正常'],
      ]);
      const res = await upload(roster).expect(202);
      expect(res.body).toEqual({ id: expect.any(Number), status: 'queued', source: 'poverty' });
      recId = res.body.id;
      detail = (await waitUntilFinished(t, caseworker, `/api/reconciliations/${recId}`)) as typeof detail;
    });

    it('finds exactly the planted discrepancy of each kind', () => {
      expect(detail).toMatchObject({ status: 'done', source: 'poverty' });
      expect(detail.counts).toEqual({
        poverty_not_registered: 1,
        registered_not_in_poverty: 1,
        household_status_mismatch: 1,
        member_household_mismatch: 1,
        person_status_mismatch: 1,
        name_mismatch: 1,
        invalid_id: 1,
        duplicate_row: 1,
      });
    });

    it('refuses a row whose 户类型 is not in the list, in Chinese naming the field', () => {
      expect(detail.rowsSkipped).toBe(1);
      expect(detail.skipped).toEqual([
        { line: expect.any(Number), field: 'householdType', reason: expect.stringContaining('户类型“贫困”应为') },
      ]);
    });

    it('masks every ID number in the answer and the CSV export', async () => {
      const res = await request(t.http)
        .get(`/api/reconciliations/${recId}?pageSize=200`)
        .set('Authorization', caseworker)
        .expect(200);
      const text = JSON.stringify(res.body);
      expect(text).not.toContain(newcomer);
      expect(text).toContain(maskedId(newcomer));
      const csv = await request(t.http)
        .get(`/api/reconciliations/${recId}/discrepancies.csv`)
        .set('Authorization', caseworker)
        .expect(200);
      expect(csv.text).not.toContain(newcomer);
      expect(csv.text).toContain('扶贫办在册、本系统未登记');
      expect(csv.text).toContain(maskedId(newcomer));
    });

    it('files items of category data for chosen kinds, once', async () => {
      const campaign = await newCampaign(t, admin);
      const body = { kinds: ['household_status_mismatch', 'person_status_mismatch'], campaignId: campaign.id };
      const first = await request(t.http)
        .post(`/api/reconciliations/${recId}/items`)
        .set('Authorization', caseworker)
        .send(body)
        .expect(200);
      expect(first.body).toEqual({ created: 2, skipped: 0 });
      const items = await db.getRepository(Item).find({ where: { campaignId: campaign.id }, order: { id: 'ASC' } });
      expect(items.map((i) => [i.category, i.responsibleDept, i.subjectType, i.subjectId])).toEqual([
        ['data', 'health', 'household', lifted.id],
        ['data', 'health', 'person', moved.members[0].id],
      ]);
      const again = await request(t.http)
        .post(`/api/reconciliations/${recId}/items`)
        .set('Authorization', caseworker)
        .send(body)
        .expect(200);
      expect(again.body).toEqual({ created: 0, skipped: 0 });
      await request(t.http)
        .post(`/api/reconciliations/${recId}/items`)
        .set('Authorization', caseworker)
        .send({ kinds: ['deceased_insured'], campaignId: campaign.id })
        .expect(400);
    });

    it('files items from chosen rows, once; a row of another reconciliation is a 400 naming ids', async () => {
      const campaign = await newCampaign(t, admin);
      const rows = await request(t.http)
        .get(`/api/reconciliations/${recId}?kind=name_mismatch`)
        .set('Authorization', caseworker)
        .expect(200);
      const [row] = rows.body.discrepancies.items as { id: number; personId: number }[];
      expect(row.personId).toBe(lifted.members[1].id);
      const post = (body: Record<string, unknown>) =>
        request(t.http)
          .post(`/api/reconciliations/${recId}/items`)
          .set('Authorization', caseworker)
          .send({ campaignId: campaign.id, ...body });
      // The chosen rows of other kinds: none.
      expect((await post({ ids: [row.id], kinds: ['invalid_id'] }).expect(200)).body).toEqual({
        created: 0,
        skipped: 0,
      });
      expect((await post({ ids: [row.id] }).expect(200)).body).toEqual({ created: 1, skipped: 0 });
      expect((await post({ ids: [row.id] }).expect(200)).body).toEqual({ created: 0, skipped: 0 });
      const items = await db.getRepository(Item).find({ where: { campaignId: campaign.id } });
      expect(items.map((i) => [i.subjectType, i.subjectId, i.dedupeKey])).toEqual([
        ['person', lifted.members[1].id, `name_gap:person:${lifted.members[1].id}`],
      ]);
      const foreign = await post({ ids: [row.id, 999_999_999] }).expect(400);
      expect(JSON.stringify(foreign.body)).toContain('ids');
      await post({}).expect(400);
    });

    describe('apply', () => {
      const apply = (body: Record<string, unknown>, token = caseworker) =>
        request(t.http).post(`/api/reconciliations/${recId}/apply`).set('Authorization', token).send(body);

      it('the dry run lists every change and writes nothing', async () => {
        const before = await db.getRepository(Household).findOneByOrFail({ id: lifted.id });
        const res = await apply({ kinds: APPLICABLE, dryRun: true }).expect(200);
        expect(res.body).toMatchObject({
          dryRun: true,
          counts: { household_added: 1, person_added: 1, household_status: 1, person_status: 1, person_household: 1 },
          unplaceable: 0,
          confirm: expect.stringMatching(/^[0-9a-f]{32}$/),
        });
        const changes = res.body.changes.items as Record<string, unknown>[];
        expect(changes.map((c) => [c.change, c.before, c.after]).sort()).toEqual(
          [
            ['household_added', null, 'poor'],
            ['household_status', 'poor', 'lifted'],
            ['person_added', null, 'active'],
            ['person_household', moved.registryNo, lifted.registryNo],
            ['person_status', 'active', 'deceased'],
          ].sort(),
        );
        expect(JSON.stringify(res.body)).not.toContain(newcomer);
        expect(await db.getRepository(Household).findOneByOrFail({ id: lifted.id })).toEqual(before);
        expect(await db.getRepository(Person).existsBy({ idNumber: newcomer })).toBe(false);
        expect(await db.getRepository(RegistryChange).countBy({ reconciliationId: recId })).toBe(0);
      });

      it('is refused to insurance staff, for a kind it cannot apply, and with a stale confirmation', async () => {
        await apply({ kinds: APPLICABLE, dryRun: true }, insurance).expect(403);
        const wrong = await apply({ kinds: ['name_mismatch'] }).expect(400);
        expect(JSON.stringify(wrong.body)).toContain('kinds');
        await apply({ kinds: APPLICABLE, confirm: '0'.repeat(32) }).expect(409);
        const unconfirmed = await apply({ kinds: APPLICABLE }).expect(400);
        expect(unconfirmed.body.message).toContain('confirm');
        expect(await db.getRepository(RegistryChange).countBy({ reconciliationId: recId })).toBe(0);
      });

      it('is a 409 that changes nothing when the registry changed since the preview (any change of it)', async () => {
        const preview = await apply({ kinds: APPLICABLE, dryRun: true }).expect(200);
        // A household the roster knows nothing about: the planned changes are the same, the registry is not.
        await household('lifted', VILLAGE_B);
        const res = await apply({ kinds: APPLICABLE, confirm: preview.body.confirm }).expect(409);
        expect(res.body.message).toContain('预览之后登记信息又有变化');
        expect((await db.getRepository(Household).findOneByOrFail({ id: lifted.id })).status).toBe('poor');
        expect(await db.getRepository(Person).existsBy({ idNumber: newcomer })).toBe(false);
        expect(await db.getRepository(RegistryChange).countBy({ reconciliationId: recId })).toBe(0);
        expect(await db.getRepository(RegistryApply).countBy({ reconciliationId: recId })).toBe(0);
      });

      it('is a 409 for a reconciliation that has not finished', async () => {
        const running = await db.getRepository(Reconciliation).save({
          source: 'poverty' as const,
          year: 2020,
          // Failed: a reconciliation left running would be resumed by the next app on a shared database.
          status: 'failed' as const,
          fileName: 'register.csv',
          storedName: 'missing.csv',
          format: 'csv' as const,
          encoding: 'utf8' as const,
          createdById: null,
        });
        const res = await request(t.http)
          .post(`/api/reconciliations/${running.id}/apply`)
          .set('Authorization', caseworker)
          .send({ kinds: APPLICABLE, confirm: '0'.repeat(32) })
          .expect(409);
        expect(res.body.message).toContain('failed');
        await request(t.http)
          .post(`/api/reconciliations/${running.id}/apply`)
          .set('Authorization', caseworker)
          .send({ kinds: APPLICABLE, dryRun: true })
          .expect(409);
      });

      it('writes the previewed changes, each logged with the reconciliation; a second apply changes nothing', async () => {
        const preview = await apply({ kinds: APPLICABLE, dryRun: true }).expect(200);
        const res = await apply({ kinds: APPLICABLE, confirm: preview.body.confirm }).expect(200);
        expect(res.body).toMatchObject({ dryRun: false, changes: { total: 5 } });
        expect((await db.getRepository(Household).findOneByOrFail({ id: lifted.id })).status).toBe('lifted');
        const movedSpouse = await db.getRepository(Person).findOneByOrFail({ id: moved.members[1].id });
        expect(movedSpouse.householdId).toBe(lifted.id);
        expect((await db.getRepository(Person).findOneByOrFail({ id: moved.members[0].id })).status).toBe('deceased');
        const added = await db.getRepository(Person).findOneByOrFail({ idNumber: newcomer });
        const addedHousehold = await db.getRepository(Household).findOneByOrFail({ id: added.householdId });
        expect(addedHousehold).toMatchObject({ registryNo: newRegistry, regionCode: VILLAGE_B, status: 'poor' });
        const log = await db.getRepository(RegistryChange).find({ where: { reconciliationId: recId } });
        expect(log).toHaveLength(5);
        expect(new Set(log.map((c) => c.changedById)).size).toBe(1);

        expect(res.body.apply).toMatchObject({ status: 'done', planned: 5, applied: 5 });
        const stored = await db.getRepository(RegistryApply).findOneByOrFail({ reconciliationId: recId });
        expect(stored).toMatchObject({ status: 'done', applying: null, runToken: null, applied: 5 });

        const again = await apply({ kinds: APPLICABLE, confirm: preview.body.confirm }).expect(200);
        expect(again.body).toMatchObject({ changes: { total: 0 }, message: expect.stringContaining('没有需要写入') });
        expect(await db.getRepository(RegistryChange).countBy({ reconciliationId: recId })).toBe(5);
      });

      it("shows each change on the household's page and API: which reconciliation, who, when, before → after", async () => {
        const changesOf = async (id: number, token = caseworker) =>
          (await request(t.http).get(`/api/households/${id}/registry-changes`).set('Authorization', token).expect(200))
            .body as { items: Record<string, unknown>[]; total: number };
        const ofLifted = await changesOf(lifted.id);
        expect(ofLifted.items.map((c) => [c.change, c.direction, c.before, c.after]).sort()).toEqual(
          [
            ['household_status', 'in', 'poor', 'lifted'],
            ['person_household', 'in', moved.registryNo, lifted.registryNo],
          ].sort(),
        );
        expect(ofLifted.items[0]).toMatchObject({
          reconciliationId: recId,
          changedByName: expect.stringContaining('张业务'),
          changedAt: expect.any(String),
        });
        const ofMoved = await changesOf(moved.id);
        expect(ofMoved.items.map((c) => [c.change, c.direction, c.personId]).sort()).toEqual(
          [
            ['person_household', 'out', moved.members[1].id],
            ['person_status', 'in', moved.members[0].id],
          ].sort(),
        );
        // As the household itself: an officer of another sub-district does not learn it exists.
        await request(t.http)
          .get(`/api/households/${lifted.id}/registry-changes`)
          .set('Authorization', await t.login('officer2'))
          .expect(404);

        const agent = await pageLogin(t.http, 'caseworker');
        const page = (await agent.get(`/households/${lifted.id}`).expect(200)).text;
        expect(page).toContain('登记信息变更');
        expect(page).toContain(`href="/reconciliations/${recId}"`);
        expect(page).toMatch(/户状态<\/td>\s*<td[^>]*><\/td>\s*<td[^>]*>在册未脱贫<\/td>\s*<td[^>]*>已脱贫<\/td>/);
        expect(page).toContain(`户编号 ${moved.registryNo}`);
        const movedPage = (await agent.get(`/households/${moved.id}`).expect(200)).text;
        expect(movedPage).toContain('迁出本户');
        expect(movedPage).toContain('已故');
        // An officer reads the reconciliation's number, not a link to a page they cannot open.
        const officer = await pageLogin(t.http, 'officer1');
        const officerPage = (await officer.get(`/households/${lifted.id}`).expect(200)).text;
        expect(officerPage).toContain(`数据比对 #${recId}`);
        expect(officerPage).not.toContain(`href="/reconciliations/${recId}"`);
      });

      it('reconciled again, the register shows none of the applied kinds', async () => {
        const res = await upload(roster).expect(202);
        const body = (await waitUntilFinished(t, caseworker, `/api/reconciliations/${res.body.id}`)) as {
          counts: Record<string, number>;
        };
        for (const kind of APPLICABLE) {
          expect([kind, body.counts[kind]]).toEqual([kind, 0]);
        }
      });
    });
  });

  describe('an apply interrupted before it finished', () => {
    it('is continued by the same request again, or after a change of the registry by a new preview', async () => {
      const h = await household('poor', VILLAGE_B);
      const rows = await agreeingRows();
      for (const m of h.members) {
        rows.get(m.idNumber)![6] = '脱贫户';
        rows.get(m.idNumber)![7] = 2019;
      }
      const res = await upload(toCsv(POVERTY_HEADER, [...rows.values()])).expect(202);
      const id = res.body.id as number;
      await waitUntilFinished(t, caseworker, `/api/reconciliations/${id}`);
      const apply = (body: Record<string, unknown>) =>
        request(t.http).post(`/api/reconciliations/${id}/apply`).set('Authorization', caseworker).send(body);
      const preview = await apply({ kinds: APPLICABLE, dryRun: true }).expect(200);
      expect(preview.body.changes.total).toBe(1);
      // As a process killed before its first batch committed leaves it.
      await db.getRepository(RegistryApply).insert({
        reconciliationId: id,
        applying: id,
        status: 'applying',
        kinds: [...APPLICABLE].sort().join(','),
        confirm: preview.body.confirm,
        runToken: 'a run that died',
        registryVersion: (await RegistryVersion.read(db.manager)).toString(),
        planned: 1,
        applied: 0,
        startedById: 1,
        startedByName: '卫健局 张业务',
        startedAt: new Date('2020-04-15T02:00:00Z'),
      });

      const agent = await pageLogin(t.http, 'caseworker');
      const page = (await agent.get(`/reconciliations/${id}/apply`).expect(200)).text;
      expect(page).toContain('已写入 0 / 1 处后中断');
      expect(page).toContain('继续写入 1 处变化');
      const result = (await agent.get(`/reconciliations/${id}`).expect(200)).text;
      expect(result).toContain('写入登记信息尚未完成：已写入 0 / 1 处');
      const other = await apply({ kinds: ['household_status_mismatch'], confirm: preview.body.confirm }).expect(409);
      expect(other.body.message).toContain('尚未写完');

      // The registry changed meanwhile: the old token no longer continues it; a new preview's does.
      await household('lifted', VILLAGE_B);
      const stale = await apply({ kinds: APPLICABLE, confirm: preview.body.confirm }).expect(409);
      expect(stale.body.message).toContain('中断之后登记信息又有变化');
      expect((await db.getRepository(Household).findOneByOrFail({ id: h.id })).status).toBe('poor');
      const again = await apply({ kinds: APPLICABLE, dryRun: true }).expect(200);
      expect(again.body.apply).toMatchObject({ status: 'applying', applied: 0, planned: 1 });
      const done = await apply({ kinds: APPLICABLE, confirm: again.body.confirm }).expect(200);
      expect(done.body.apply).toMatchObject({ status: 'done', applied: 1 });
      expect((await db.getRepository(Household).findOneByOrFail({ id: h.id })).status).toBe('lifted');
      expect(await db.getRepository(RegistryApply).findOneByOrFail({ reconciliationId: id })).toMatchObject({
        status: 'done',
        applying: null,
        registryVersion: (await RegistryVersion.read(db.manager)).toString(),
      });
    });
  });

  describe('one gap for a name both rosters find different', () => {
    it('files one open item, whichever roster finds it first', async () => {
      const h = await household('poor');
      const person = h.members[0];
      const year = t.app.get(Clock).year();
      const campaign = await newCampaign(t, admin);
      const insuranceRoster = toCsv(INSURANCE_HEADER, [[person.idNumber, '另一个名', year, '是', '是']]);
      const first = await request(t.http)
        .post('/api/reconciliations')
        .set('Authorization', insurance)
        .field('year', String(year))
        .attach('file', Buffer.from(insuranceRoster), 'insurance.csv')
        .expect(202);
      await waitUntilFinished(t, insurance, `/api/reconciliations/${first.body.id}`);
      const byInsurance = await request(t.http)
        .post(`/api/reconciliations/${first.body.id}/items`)
        .set('Authorization', insurance)
        .send({ kinds: ['name_mismatch'], campaignId: campaign.id })
        .expect(200);
      expect(byInsurance.body).toEqual({ created: 1, skipped: 0 });

      const rows = await agreeingRows();
      rows.get(person.idNumber)![4] = '又一个名';
      const second = await upload(toCsv(POVERTY_HEADER, [...rows.values()])).expect(202);
      const detail = (await waitUntilFinished(t, caseworker, `/api/reconciliations/${second.body.id}`)) as {
        counts: Record<string, number>;
      };
      expect(detail.counts.name_mismatch).toBe(1);
      const byPoverty = await request(t.http)
        .post(`/api/reconciliations/${second.body.id}/items`)
        .set('Authorization', caseworker)
        .send({ kinds: ['name_mismatch'], campaignId: campaign.id })
        .expect(200);
      expect(byPoverty.body).toEqual({ created: 0, skipped: 0 });
      const open = await db.getRepository(Item).find({ where: { dedupeKey: `name_gap:person:${person.id}` } });
      expect(open.map((i) => [i.status, i.category, i.subjectId])).toEqual([['open', 'insurance', person.id]]);
      expect(await db.getRepository(LedgerEntry).countBy({ itemId: open[0].id, type: 'created' })).toBe(1);
      // And in the campaign: that one item, from the insurance roster.
      expect(await db.getRepository(Item).countBy({ campaignId: campaign.id })).toBe(1);
    });
  });

  describe("the demo district's register, for the demo user to upload", () => {
    it('is written into the data directory, named on the page, and yields every kind of discrepancy', async () => {
      const path = demoPovertyRosterPath(t.config);
      const agent = await pageLogin(t.http, 'caseworker');
      const list = (await agent.get('/reconciliations?source=poverty').expect(200)).text;
      expect(list).toContain(`<code>${path}</code>`);
      const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
      expect(text.split(/\r?\n/)[0]).toBe(POVERTY_HEADER.join(','));
      const res = await upload(text).expect(202);
      const detail = (await waitUntilFinished(t, caseworker, `/api/reconciliations/${res.body.id}`)) as {
        counts: Record<string, number>;
        rowsSkipped: number;
      };
      const { planted } = buildDemoPovertyRoster();
      // Other tests add households and persons of their own (not in the register): at least the planted ones.
      for (const [kind, n] of Object.entries(planted)) {
        expect([kind, detail.counts[kind] >= n]).toEqual([kind, true]);
      }
      expect(detail.rowsSkipped).toBe(1);
    });
  });

  describe('bad input', () => {
    const one = (): Row[] => [
      [newRegistryNo(), VILLAGE_A, '某人', newIdNumber(), '某人', '户主', '脱贫户', 2019, '正常'],
    ];

    it('answers 400 naming source for an unknown source', async () => {
      const res = await upload(toCsv(POVERTY_HEADER, one()), caseworker, 'bogus').expect(400);
      expect(JSON.stringify(res.body)).toContain('source');
    });

    it('refuses insurance headers uploaded as a poverty register, naming the expected headers', async () => {
      const res = await upload(toCsv(INSURANCE_HEADER, [[newIdNumber(), '某人', 2020, '是', '否']])).expect(400);
      expect(res.body.message).toContain('户编号');
      expect(res.body.message).toContain('户类型');
    });

    it('answers 400 naming the missing column', async () => {
      const header = POVERTY_HEADER.filter((h) => h !== '人员状态');
      const res = await upload(toCsv(header, [one()[0].slice(0, 8)])).expect(400);
      expect(res.body.message).toContain('人员状态');
    });

    it('keeps each roster to its own people: 403 across sources', async () => {
      await upload(toCsv(POVERTY_HEADER, one()), insurance).expect(403);
      await upload(toCsv(INSURANCE_HEADER, [[newIdNumber(), '某人', 2020, '是', '否']]), caseworker, null).expect(403);
      const ok = await upload(toCsv(POVERTY_HEADER, one()), admin).expect(202);
      await waitUntilFinished(t, admin, `/api/reconciliations/${ok.body.id}`);
      await request(t.http).get(`/api/reconciliations/${ok.body.id}`).set('Authorization', insurance).expect(403);
      await request(t.http).get('/api/reconciliations?source=poverty').set('Authorization', insurance).expect(403);
      const list = await request(t.http)
        .get('/api/reconciliations?source=poverty')
        .set('Authorization', caseworker)
        .expect(200);
      expect((list.body.items as { source: string }[]).every((r) => r.source === 'poverty')).toBe(true);
      await request(t.http)
        .post(`/api/reconciliations/${ok.body.id}/apply-enrollment`)
        .set('Authorization', admin)
        .send({ dryRun: true })
        .expect(409);
    });

    it('offers the register template with drop-down lists', async () => {
      const csv = await request(t.http)
        .get('/api/reconciliations/template?format=csv&source=poverty')
        .set('Authorization', caseworker)
        .expect(200);
      expect(csv.text.replace('\uFEFF', '').trim()).toBe(POVERTY_HEADER.join(','));
      await request(t.http)
        .get('/api/reconciliations/template?format=xlsx&source=poverty')
        .set('Authorization', caseworker)
        .expect(200);
      await request(t.http)
        .get('/api/reconciliations/template?format=csv&source=poverty')
        .set('Authorization', insurance)
        .expect(403);
    });
  });

  describe('pages in a browser', () => {
    let browser: Browser;
    let base: string;

    beforeAll(async () => {
      base = await serve(t);
      browser = await launchBrowser();
    });

    afterAll(() => browser?.close());

    it.each([
      ['desktop', 1280],
      ['phone', 390],
    ])(
      'uploads the register, reads its kinds in Chinese, previews and confirms the apply (%s)',
      async (name, width) => {
        const newcomer = newIdNumber();
        const rows = [
          ...(await agreeingRows()).values(),
          [newRegistryNo(), VILLAGE_A, '新户主', newcomer, '新成员', '户主', '未脱贫户', '', '正常'],
        ];
        const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'zh-CN' });
        const page = await context.newPage();
        await signIn(page, base, 'caseworker');
        await page.click('nav.nav >> text=数据比对');
        await expect(page.locator('h2').allTextContents()).resolves.toContain('上传扶贫办建档立卡花名册');
        await page.setInputFiles('input[name="file"]', {
          name: '扶贫办花名册.csv',
          mimeType: 'text/csv',
          buffer: Buffer.from(toCsv(POVERTY_HEADER, rows)),
        });
        await Promise.all([page.waitForURL(/\/reconciliations\/\d+$/), page.click('button:has-text("上传并比对")')]);
        await page.waitForSelector('.badge.job-done', { timeout: 30_000 });
        const kinds = (await page.locator('.kind-list').textContent()) ?? '';
        expect(kinds).toContain('扶贫办在册、本系统未登记');
        expect(kinds).toContain('户状态不一致');
        expect(kinds).not.toContain('在册未参保');
        const main = (await page.locator('main').textContent()) ?? '';
        expect(main).not.toContain(newcomer);
        expect(main).toContain(maskedId(newcomer));
        await screenshot(page, `poverty-reconciliation-${name}`);
        // The newcomer's row, with its street and village; chosen alone, it becomes one item.
        const newcomerRow = page.locator('tr', { hasText: maskedId(newcomer) });
        await expect(newcomerRow.textContent()).resolves.toContain('城关街道');
        await expect(newcomerRow.textContent()).resolves.toContain('柳树村');
        await newcomerRow.locator('input[name="ids"]').check();
        await Promise.all([
          page.waitForURL(/\/reconciliations\/\d+\?created=1&skipped=0$/),
          page.click('button:has-text("为差异列表中勾选的行生成整改问题")'),
        ]);
        await expect(page.locator('.alert-success').textContent()).resolves.toContain('已生成整改问题 1 个');
        await page.click('a:has-text("预览登记信息变化")');
        await page.waitForURL(/\/apply$/);
        const preview = (await page.locator('main').textContent()) ?? '';
        expect(preview).toContain('新增人员');
        expect(preview).toContain('新增户');
        expect(preview).not.toContain(newcomer);
        // Wide tables scroll in their own box; the page itself does not scroll sideways.
        expect(
          await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
        ).toBe(0);
        await screenshot(page, `poverty-apply-preview-${name}`);
        await Promise.all([
          page.waitForURL(/\/reconciliations\/\d+\?registryApplied=\d+$/),
          page.click('button:has-text("确认写入")'),
        ]);
        await expect(page.locator('.alert-success').textContent()).resolves.toMatch(/已写入 \d+ 处登记信息变化/);
        expect(await db.getRepository(Person).existsBy({ idNumber: newcomer })).toBe(true);
        await context.close();
      },
    );
  });
});
