import ExcelJS from 'exceljs';
import request from 'supertest';
import { DataSource, In } from 'typeorm';
import { idCheckChar } from '../src/common/id-number.js';
import { InsuranceEnrollment } from '../src/health/insurance-enrollment.entity.js';
import { Household } from '../src/households/household.entity.js';
import { Person } from '../src/households/person.entity.js';
import { Item } from '../src/ledger/item.entity.js';
import {
  householdInput,
  maskedId,
  newIdNumber,
  SUBDISTRICT_A,
  SUBDISTRICT_B,
  VILLAGE_B,
} from './factories/households.js';
import { newCampaign } from './factories/items.js';
import { INSURANCE_HEADER, toCsv, waitUntilFinished } from './factories/rosters.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';

interface MemberView {
  id: number;
  name: string;
  relation: string;
}

interface DiscrepancyBody {
  id: number;
  kind: string;
  line: number | null;
  idNumber: string;
  personId: number | null;
  rosterName: string | null;
  registryName: string | null;
  regionCode: string | null;
  detail: string | null;
}

describe('insurance roster reconciliation', () => {
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

  const reconcile = (content: string | Buffer, year: number | string = 2020, token = insurance, name = 'roster.csv') =>
    request(t.http)
      .post('/api/reconciliations')
      .set('Authorization', token)
      .field('year', String(year))
      .attach('file', Buffer.from(content), name);

  /** A household through the API; answers its members in order. */
  async function household(overrides: Parameters<typeof householdInput>[0] = {}) {
    const input = householdInput(overrides);
    const res = await request(t.http).post('/api/households').set('Authorization', caseworker).send(input).expect(201);
    return (res.body.members as MemberView[]).map((m, i) => ({ ...m, idNumber: input.members[i].idNumber }));
  }

  describe('a roster with every kind of discrepancy', () => {
    // The registry side (persons of this test; the rest of the registry is the demo district and other tests' rows).
    let p1: { id: number; idNumber: string; name: string }; // in the roster twice, enrolled
    let p2: { id: number; idNumber: string; name: string }; // listed, not enrolled
    let p3: { id: number; idNumber: string; name: string }; // enrolled under another name
    let p4: { id: number; idNumber: string; name: string }; // deceased, still enrolled
    let p5: { id: number; idNumber: string; name: string }; // active, missing from the roster
    let removed: { id: number; idNumber: string }; // household removed, missing: not a discrepancy
    let moved: { id: number; idNumber: string }; // moved away, missing: not a discrepancy
    const unregisteredSubsidized = newIdNumber('female');
    const unregisteredPaying = newIdNumber('male');
    let invalid: string;
    let recId: number;
    let detail: Record<string, unknown> & { counts: Record<string, number>; skipped: unknown[] };
    let shouldBeInsured: number;

    beforeAll(async () => {
      [p1, p2] = await household();
      [p3, p4, p5] = await household({
        regionCode: VILLAGE_B,
        status: 'lifted',
        members: [
          { idNumber: newIdNumber('male'), name: '王五', relation: 'head' },
          { idNumber: newIdNumber('female'), name: '王母', relation: 'parent', status: 'deceased' },
          { idNumber: newIdNumber('male'), name: '王小五', relation: 'child' },
        ],
      });
      [removed] = await household({ status: 'removed' });
      const [, movedMember] = await household();
      moved = movedMember;
      await request(t.http)
        .patch(`/api/persons/${moved.id}`)
        .set('Authorization', caseworker)
        .send({ status: 'moved' })
        .expect(200);
      // p3 has a record of another scheme: applying the roster keeps its scheme.
      await request(t.http)
        .put(`/api/persons/${p3.id}/insurance/2020`)
        .set('Authorization', insurance)
        .send({ enrolled: false, scheme: '城镇职工基本医疗保险' })
        .expect(200);
      const good = newIdNumber('male');
      invalid = good.slice(0, 17) + (idCheckChar(good.slice(0, 17)) === '1' ? '2' : '1');

      const roster = toCsv(INSURANCE_HEADER, [
        /* 2 */ [p1.idNumber, p1.name, 2020, '是', '是'],
        /* 3 */ [p2.idNumber, p2.name, 2020, '否', '否'],
        /* 4 */ [p3.idNumber, '王 伍', 2020, '1', '0'],
        /* 5 */ [p4.idNumber, p4.name, 2020, 'true', 'false'],
        /* 6 */ [unregisteredSubsidized, '资助户', 2020, '是', '是'],
        /* 7 */ [unregisteredPaying, '自费户', 2020, '是', '否'],
        /* 8 */ [invalid, '错号', 2020, '是', '是'],
        /* 9 */ [p1.idNumber.toLowerCase(), p1.name, 2020, '是', '是'],
        /* 10 */ [p5.idNumber, p5.name, 2019, '是', '否'],
        /* 11 */ [p5.idNumber, p5.name, 2020, '也许', '否'],
      ]);
      const res = await reconcile(roster).expect(202);
      expect(res.body).toEqual({ id: expect.any(Number), status: 'queued', year: 2020 });
      recId = res.body.id;
      // Everyone the registry says should be insured, counted while nothing else changes it.
      shouldBeInsured = await db
        .getRepository(Person)
        .createQueryBuilder('p')
        .innerJoin(Household, 'h', 'h.id = p.householdId')
        .where("p.status = 'active' AND h.status <> 'removed'")
        .getCount();
      await waitUntilFinished(t, insurance, `/api/reconciliations/${recId}`);
      const got = await request(t.http)
        .get(`/api/reconciliations/${recId}`)
        .set('Authorization', insurance)
        .expect(200);
      detail = got.body;
    });

    const list = async (kind: string) => {
      const res = await request(t.http)
        .get(`/api/reconciliations/${recId}?kind=${kind}&pageSize=200`)
        .set('Authorization', insurance)
        .expect(200);
      return res.body.discrepancies as { items: DiscrepancyBody[]; total: number };
    };

    it('counts every kind exactly', () => {
      expect(detail).toMatchObject({
        status: 'done',
        year: 2020,
        rowsTotal: 10,
        rowsRead: 10,
        rowsSkipped: 2,
        error: null,
      });
      // Persons of the roster that should be insured and are listed enrolled: p1 and p3.
      expect(detail.counts).toEqual({
        registered_not_insured: shouldBeInsured - 2,
        insured_not_registered: 1,
        name_mismatch: 1,
        deceased_insured: 1,
        invalid_id: 1,
        duplicate_row: 1,
      });
      expect(detail.skipped).toEqual([
        { line: 10, field: 'year', reason: '年度2019与本次比对的年度2020不同' },
        { line: 11, field: 'enrolled', reason: '是否参保“也许”应为 是/否、1/0 或 true/false' },
      ]);
    });

    it('lists the discrepancies of a kind with masked ID numbers, roster and registry names', async () => {
      const mismatch = await list('name_mismatch');
      expect(mismatch.items).toEqual([
        {
          id: expect.any(Number),
          kind: 'name_mismatch',
          line: 4,
          idNumber: maskedId(p3.idNumber),
          personId: p3.id,
          rosterName: '王 伍',
          registryName: '王五',
          regionCode: VILLAGE_B,
          detail: '花名册姓名与登记姓名不一致',
        },
      ]);
      expect((await list('deceased_insured')).items).toEqual([
        expect.objectContaining({ line: 5, personId: p4.id, detail: '登记为已故，花名册仍为参保' }),
      ]);
      expect((await list('insured_not_registered')).items).toEqual([
        expect.objectContaining({
          line: 6,
          personId: null,
          rosterName: '资助户',
          idNumber: maskedId(unregisteredSubsidized),
        }),
      ]);
      expect((await list('invalid_id')).items).toEqual([
        expect.objectContaining({ line: 8, personId: null, detail: '身份证号校验位错误（GB 11643-1999）' }),
      ]);
      expect((await list('duplicate_row')).items).toEqual([
        expect.objectContaining({ line: 9, personId: p1.id, detail: '与第2行重复' }),
      ]);
      const notInsured = (await list('registered_not_insured')).items;
      const page = await request(t.http)
        .get(`/api/reconciliations/${recId}?kind=registered_not_insured&page=2&pageSize=5`)
        .set('Authorization', insurance)
        .expect(200);
      expect(page.body.discrepancies).toMatchObject({ page: 2, pageSize: 5, total: shouldBeInsured - 2 });
      expect(page.body.discrepancies.items).toHaveLength(5);
      // Among this test's persons: p2 (listed, not enrolled) and p5 (missing; its rows were skipped).
      const mine = [p1, p2, p3, p4, p5, removed, moved].map((p) => p.id);
      const all = await db
        .getRepository(Person)
        .manager.query(
          'SELECT personId, line, detail FROM discrepancies WHERE reconciliationId = ? AND kind = ? AND personId IN (?, ?, ?, ?, ?, ?, ?) ORDER BY personId',
          [recId, 'registered_not_insured', ...mine],
        );
      expect(
        all.map((r: { personId: number; line: number | null; detail: string }) => [
          Number(r.personId),
          r.line,
          r.detail,
        ]),
      ).toEqual([
        [p2.id, 3, '花名册标记为未参保'],
        [p5.id, null, '花名册中没有此人'],
      ]);
      expect(notInsured.every((d) => /^\d{6}\*{8}[\dX]{4}$/.test(d.idNumber))).toBe(true);
      expect(JSON.stringify(detail)).not.toContain(p1.idNumber);
    });

    it('exports the discrepancies as CSV with masked ID numbers', async () => {
      const res = await request(t.http)
        .get(`/api/reconciliations/${recId}/discrepancies.csv?kind=name_mismatch`)
        .set('Authorization', insurance)
        .expect(200);
      const lines = res.text
        .replace(/^\uFEFF/, '')
        .trim()
        .split(/\r?\n/);
      expect(lines).toEqual([
        '类型,行号,身份证号,花名册姓名,登记姓名,人员编号,区划代码,街道,村/社区,说明',
        `姓名不一致,4,${maskedId(p3.idNumber)},王 伍,王五,${p3.id},${VILLAGE_B},东塬街道,东塬村,花名册姓名与登记姓名不一致`,
      ]);
      const everything = await request(t.http)
        .get(`/api/reconciliations/${recId}/discrepancies.csv`)
        .set('Authorization', admin)
        .expect(200);
      expect(everything.text).not.toContain(p2.idNumber);
      expect(everything.text).not.toContain(unregisteredSubsidized);
      expect(everything.text.trim().split(/\r?\n/)).toHaveLength(1 + shouldBeInsured - 2 + 5);
    });

    it('turns chosen kinds into insurance items once; a second call creates none', async () => {
      const campaign = await newCampaign(t, admin);
      const kinds = ['name_mismatch', 'deceased_insured', 'duplicate_row', 'insured_not_registered', 'invalid_id'];
      const post = (body: object) =>
        request(t.http).post(`/api/reconciliations/${recId}/items`).set('Authorization', insurance).send(body);

      // Without a sub-district for them, the two discrepancies without a registered person are skipped.
      expect((await post({ kinds, campaignId: campaign.id }).expect(200)).body).toEqual({ created: 3, skipped: 2 });
      expect((await post({ kinds, campaignId: campaign.id }).expect(200)).body).toEqual({ created: 0, skipped: 2 });
      expect((await post({ kinds, campaignId: campaign.id, regionCode: SUBDISTRICT_A }).expect(200)).body).toEqual({
        created: 2,
        skipped: 0,
      });
      expect((await post({ kinds, campaignId: campaign.id, regionCode: SUBDISTRICT_A }).expect(200)).body).toEqual({
        created: 0,
        skipped: 0,
      });

      const items = await db.getRepository(Item).find({ where: { campaignId: campaign.id }, order: { id: 'ASC' } });
      expect(items).toHaveLength(5);
      expect(items.every((i) => i.source === 'reconciliation' && i.category === 'insurance')).toBe(true);
      expect(items.every((i) => i.responsibleDept === 'insurance' && i.status === 'open')).toBe(true);
      const mismatch = items.find((i) => i.subjectId === p3.id)!;
      expect(mismatch).toMatchObject({
        subjectType: 'person',
        regionCode: SUBDISTRICT_B,
        // A name is one gap whichever roster finds it (the poverty office's too): no year in its key.
        dedupeKey: `name_gap:person:${p3.id}`,
        // The gap and the year; the person is the subject, not part of the title (issue #12).
        title: '数据比对：姓名不一致（2020年度）',
      });
      const unregistered = items.filter((i) => i.subjectId === null);
      expect(unregistered.map((i) => i.regionCode)).toEqual([SUBDISTRICT_A, SUBDISTRICT_A]);
      const text = JSON.stringify(items);
      expect(text).not.toContain(unregisteredSubsidized);
      expect(text).not.toContain(invalid);
      expect(text).not.toContain(p1.idNumber);

      // The item is a real ledger item: it has its `created` entry.
      const item = await request(t.http).get(`/api/items/${mismatch.id}`).set('Authorization', insurance).expect(200);
      expect(item.body.ledger).toEqual([expect.objectContaining({ seq: 1, type: 'created' })]);

      await post({ kinds: ['name_mismatch'], campaignId: 999_999_999 }).expect(400);
      const bad = await post({ kinds: ['nonsense'], campaignId: campaign.id }).expect(400);
      expect(bad.body.message.join('\n')).toMatch(/kinds/);
    });

    it('writes the roster enrollment for the year after a preview and its confirmation, keeping an existing scheme', async () => {
      const apply = (body: object, token = insurance) =>
        request(t.http).post(`/api/reconciliations/${recId}/apply-enrollment`).set('Authorization', token).send(body);
      const preview = (await apply({ dryRun: true }).expect(200)).body;
      // p1 (once), p2, p3, p4: the registered persons of the compared rows whose record differs.
      expect(preview.changes.items.map((c: { personId: number }) => c.personId).sort()).toEqual(
        [p1.id, p2.id, p3.id, p4.id].sort(),
      );
      const res = await apply({ confirm: preview.confirm }).expect(200);
      expect(res.body).toMatchObject({ applied: 4 });
      const rows = await db.getRepository(InsuranceEnrollment).find({
        where: { personId: In([p1.id, p2.id, p3.id, p4.id, p5.id]), year: 2020 },
      });
      const of = (id: number) => rows.find((r) => r.personId === id);
      expect(of(p1.id)).toMatchObject({ enrolled: true, subsidized: true, scheme: '城乡居民基本医疗保险' });
      expect(of(p2.id)).toMatchObject({ enrolled: false, subsidized: false });
      expect(of(p3.id)).toMatchObject({ enrolled: true, subsidized: false, scheme: '城镇职工基本医疗保险' });
      expect(of(p4.id)).toMatchObject({ enrolled: true });
      expect(of(p5.id)).toBeUndefined();
      const again = await apply({ confirm: preview.confirm }, admin).expect(200);
      expect(again.body).toMatchObject({ applied: 0 });
      const after = await request(t.http)
        .get(`/api/reconciliations/${recId}`)
        .set('Authorization', insurance)
        .expect(200);
      expect(after.body).toMatchObject({ enrollmentApplied: 4, enrollmentAppliedAt: expect.any(String) });
    });
  });

  it('reads an XLSX roster with English headers', async () => {
    const [head] = await household();
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('roster');
    sheet.addRow(['idNumber', 'name', 'year', 'enrolled', 'subsidized']);
    sheet.addRow([head.idNumber, '别名', 2020, 'true', 'false']);
    const res = await reconcile(Buffer.from(await workbook.xlsx.writeBuffer()), 2020, admin, 'roster.xlsx').expect(202);
    const done = await waitUntilFinished(t, admin, `/api/reconciliations/${res.body.id}`);
    expect(done).toMatchObject({ status: 'done', format: 'xlsx', rowsTotal: 1 });
    const mismatch = await request(t.http)
      .get(`/api/reconciliations/${res.body.id}?kind=name_mismatch`)
      .set('Authorization', admin)
      .expect(200);
    expect(mismatch.body.discrepancies.items).toEqual([
      expect.objectContaining({ personId: head.id, rosterName: '别名' }),
    ]);
  });

  describe('bad input', () => {
    const roster = () => toCsv(INSURANCE_HEADER, [[newIdNumber(), '某人', 2020, '是', '否']]);

    it('takes the roster’s year when none is given; answers 400 naming year when it is not a year', async () => {
      const missing = await request(t.http)
        .post('/api/reconciliations')
        .set('Authorization', insurance)
        .attach('file', Buffer.from(roster()), 'r.csv')
        .expect(202);
      expect(missing.body).toMatchObject({ year: 2020 });
      await waitUntilFinished(t, insurance, `/api/reconciliations/${missing.body.id}`);
      const word = await reconcile(roster(), 'last').expect(400);
      expect(word.body.message.join('\n')).toMatch(/year must be a year/);
      const far = await reconcile(roster(), 2031).expect(400);
      expect(far.body).toMatchObject({ field: 'year', message: 'year must be between 2014 and 2021' });
    });

    it('answers 400 naming the missing columns, an empty file, or a file that is not a roster', async () => {
      const columns = await reconcile(toCsv(['身份证号', '姓名', '年度'], [[newIdNumber(), '某人', 2020]])).expect(400);
      expect(columns.body).toMatchObject({
        field: 'file',
        message: expect.stringMatching(
          /^表头不正确，缺少“是否参保”、“是否资助参保”列；表头应为：身份证号,姓名,年度,是否参保,是否资助参保/,
        ),
      });
      const empty = await reconcile('').expect(400);
      expect(empty.body.message).toBe('文件是空的');
      const pdf = await reconcile(Buffer.from('%PDF-1.7\n\u0000\u0001binary')).expect(400);
      expect(pdf.body.message).toMatch(/既不是 CSV 也不是 XLSX/);
    });

    it('fails the reconciliation naming the line of a broken quote', async () => {
      const text = `${roster()}${newIdNumber()},"某人,2020,是,否\r\n`;
      const res = await reconcile(text).expect(202);
      const done = await waitUntilFinished(t, insurance, `/api/reconciliations/${res.body.id}`);
      expect(done).toMatchObject({
        status: 'failed',
        error: '第 3 行引号不完整：带引号的字段没有正确结束',
      });
    });

    it('answers 409 for items or enrollment of a reconciliation that did not finish', async () => {
      const res = await reconcile(`${roster()}${newIdNumber()},"某人,2020,是,否\r\n`).expect(202);
      await waitUntilFinished(t, insurance, `/api/reconciliations/${res.body.id}`);
      await request(t.http)
        .post(`/api/reconciliations/${res.body.id}/apply-enrollment`)
        .set('Authorization', insurance)
        .expect(409);
    });
  });

  it('lets insurance staff and admins reconcile; caseworkers, officers and the leadership get 403', async () => {
    // An insurance roster's own id: on a shared MySQL database id 1 may be a poverty roster (SPEC §6.5).
    const own = await reconcile(toCsv(INSURANCE_HEADER, [[newIdNumber(), '某人', 2020, '是', '否']]), 2020).expect(202);
    for (const username of ['caseworker', 'officer1', 'leader']) {
      const token = await t.login(username);
      await reconcile(toCsv(INSURANCE_HEADER, [[newIdNumber(), '某人', 2020, '是', '否']]), 2020, token).expect(403);
      await request(t.http).get('/api/reconciliations').set('Authorization', token).expect(403);
      await request(t.http).get(`/api/reconciliations/${own.body.id}`).set('Authorization', token).expect(403);
    }
    await request(t.http).get('/api/reconciliations/999999999').set('Authorization', insurance).expect(404);
  });
});
