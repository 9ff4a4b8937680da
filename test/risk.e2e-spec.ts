import ExcelJS from 'exceljs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Item } from '../src/ledger/item.entity.js';
import { RiskAlert } from '../src/risk/risk-alert.entity.js';
import { Settlement } from '../src/risk/settlement.entity.js';
import { pdfDocument } from './factories/evidence.js';
import { newCampaign, newItem } from './factories/items.js';
import { householdInput, maskedId, newIdNumber, SUBDISTRICT_A } from './factories/households.js';
import {
  newSettlementNo,
  settlementCsv,
  settlementRow,
  uploadSettlements,
  type SettlementInput,
} from './factories/settlements.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';

/** Thresholds of the years this file uses: 10 000 元 income → 5 000.00 元 registered, 10 000.00 元 anyone else. */
const THRESHOLDS = { ruralIncome: 10000, registeredRatio: 0.5, otherRatio: 1 };

interface AlertBody {
  id: number;
  kind: string;
  personId: number | null;
  householdId: number | null;
  idNumber: string;
  burden: number;
  threshold: number;
  itemId: number | null;
  outcome: string | null;
}

interface FunnelRowBody {
  regionCode: string | null;
  persons: number;
  settlements: number;
  alerts: number;
  items: number;
  outcomes: number;
  byOutcome: Record<string, number>;
}

describe('因病返贫致贫 early warning from insurance settlements (SPEC §6.6)', () => {
  let t: TestApp;
  let db: DataSource;
  let admin: string;
  let caseworker: string;
  let insurance: string;
  let officer: string;

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2022-03-01T02:00:00Z');
    db = t.app.get(DataSource);
    admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    caseworker = await t.login('caseworker');
    insurance = await t.login('insurance');
    officer = await t.login('officer1');
    for (const year of [2021, 2022]) {
      await request(t.http)
        .put(`/api/risk/thresholds/${year}`)
        .set('Authorization', admin)
        .send(THRESHOLDS)
        .expect(200);
    }
  });

  afterAll(() => t.close());

  /** A registered person of 城关街道 (a household head); answers id, household and ID number. */
  async function registered() {
    const input = householdInput();
    const res = await request(t.http).post('/api/households').set('Authorization', caseworker).send(input).expect(201);
    const head = (res.body.members as { id: number }[])[0];
    return { id: head.id, householdId: res.body.id as number, idNumber: input.members[0].idNumber };
  }

  const upload = (year: number, rows: SettlementInput[]) =>
    uploadSettlements(t, insurance, year, settlementCsv(rows.map(settlementRow)));
  const run = (year: number, asOf?: string) =>
    request(t.http).post('/api/risk/run').set('Authorization', admin).send({ year, asOf });
  const alertsOf = (idNumber: string) =>
    db.getRepository(RiskAlert).find({ where: { idNumber }, order: { id: 'ASC' } });
  async function alertList(year: number): Promise<{ items: AlertBody[]; funnel: { byRegion: FunnelRowBody[] } }> {
    const res = await request(t.http)
      .get(`/api/risk/alerts?year=${year}&pageSize=200`)
      .set('Authorization', caseworker)
      .expect(200);
    return res.body;
  }

  describe('thresholds', () => {
    it('answers the thresholds in 元, the registered ratio and the other ratio of the income', async () => {
      const res = await request(t.http).get('/api/risk/thresholds').set('Authorization', insurance).expect(200);
      expect(res.body).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            year: 2021,
            ruralIncome: 10000,
            registeredRatio: 0.5,
            otherRatio: 1,
            registeredThreshold: 5000,
            otherThreshold: 10000,
          }),
        ]),
      );
    });

    it.each([
      [{ ...THRESHOLDS, registeredRatio: 0 }, 'registeredRatio'],
      [{ ...THRESHOLDS, otherRatio: 5.01 }, 'otherRatio'],
      [{ ...THRESHOLDS, ruralIncome: 0 }, 'ruralIncome'],
      [{ ...THRESHOLDS, ruralIncome: -100 }, 'ruralIncome'],
      [{ ...THRESHOLDS, ruralIncome: '一万' }, 'ruralIncome'],
    ])('%j is 400 naming %s, and changes nothing', async (body, field) => {
      const res = await request(t.http).put('/api/risk/thresholds/2021').set('Authorization', admin).send(body);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.message)).toContain(field);
      const list = await request(t.http).get('/api/risk/thresholds').set('Authorization', admin).expect(200);
      expect((list.body as { year: number; ruralIncome: number }[]).find((r) => r.year === 2021)).toMatchObject(
        THRESHOLDS,
      );
    });

    it('a ratio of exactly 5 is accepted (the interval is (0, 5])', async () => {
      await request(t.http)
        .put('/api/risk/thresholds/2031')
        .set('Authorization', admin)
        .send({ ruralIncome: 0.01, registeredRatio: 5, otherRatio: 5 })
        .expect(200);
    });

    it('running a year without thresholds is 409 naming what is missing', async () => {
      const res = await run(2030, '2031-01-10');
      expect(res.status).toBe(409);
      expect(res.body.message).toContain('ruralIncome');
      expect(res.body.message).toContain('2030');
    });
  });

  describe('the burden at the threshold, refunds, duplicates, the year boundary', () => {
    let atThreshold: Awaited<ReturnType<typeof registered>>;
    let fenBelow: Awaited<ReturnType<typeof registered>>;
    let refunded: Awaited<ReturnType<typeof registered>>;
    let refundedLater: Awaited<ReturnType<typeof registered>>;
    let newYear: Awaited<ReturnType<typeof registered>>;
    const outsider = newIdNumber('female');
    const outsiderBelow = newIdNumber('male');
    const laterCharge = newSettlementNo();
    /** The first file, kept to be uploaded again. */
    let firstFile: string;
    let firstRows: string[][];

    beforeAll(async () => {
      [atThreshold, fenBelow, refunded, refundedLater, newYear] = [
        await registered(),
        await registered(),
        await registered(),
        await registered(),
        await registered(),
      ];
      const charge = newSettlementNo();
      const inputs: SettlementInput[] = [
        // 8 000 − 2 000 − 500 − 300 − 200 = 5 000.00: exactly the threshold.
        {
          idNumber: atThreshold.idNumber,
          settledOn: '2021-03-02',
          total: '8000.00',
          fund: '2000',
          major: '500',
          assist: '300',
          other: '200',
        },
        // 3 000 + 1 999.99 = 4 999.99: one fen below.
        { idNumber: fenBelow.idNumber, settledOn: '2021-05-01', total: '3000' },
        { idNumber: fenBelow.idNumber, settledOn: '2021-12-31', total: '1999.99' },
        // 6 000 charged, 1 000.01 refunded in the same file: 4 999.99.
        { no: charge, idNumber: refunded.idNumber, settledOn: '2021-06-01', total: '6000' },
        { no: charge, idNumber: refunded.idNumber, settledOn: '2021-06-10', total: '-1000.01' },
        { no: laterCharge, idNumber: refundedLater.idNumber, settledOn: '2021-02-01', total: '4000' },
        { idNumber: outsider, settledOn: '2021-07-01', total: '10000' },
        { idNumber: outsiderBelow, settledOn: '2021-07-01', total: '9999.99' },
        // 2022's first day belongs to 2022: 4 000 in 2021 stays under.
        { idNumber: newYear.idNumber, settledOn: '2021-12-31', total: '4000' },
      ];
      firstRows = inputs.map(settlementRow);
      firstFile = settlementCsv(firstRows);
      const first = await uploadSettlements(t, insurance, 2021, firstFile);
      expect(first).toMatchObject({ status: 'done', inserted: firstRows.length, duplicates: 0, rejected: 0 });
      // A later file: 1 500 more and a refund of 600 of the settlement of the first file: 4 900.
      const later = await upload(2021, [
        { idNumber: refundedLater.idNumber, settledOn: '2021-09-01', total: '1500' },
        { no: laterCharge, idNumber: refundedLater.idNumber, settledOn: '2021-09-05', total: '-600' },
      ]);
      expect(later).toMatchObject({ status: 'done', inserted: 2, rejected: 0 });
      const next = await upload(2022, [{ idNumber: newYear.idNumber, settledOn: '2022-01-01', total: '5000' }]);
      expect(next).toMatchObject({ status: 'done', inserted: 1 });
      await run(2021, '2022-03-01').expect(200);
      await run(2022, '2022-03-01').expect(200);
    });

    it('a burden exactly at the threshold is an alert with an item; one fen below is not', async () => {
      const [alert] = await alertsOf(atThreshold.idNumber);
      expect(alert).toMatchObject({
        year: 2021,
        kind: 'registered',
        personId: atThreshold.id,
        householdId: atThreshold.householdId,
        regionCode: SUBDISTRICT_A,
        burdenFen: 500000,
        thresholdFen: 500000,
      });
      const item = await db.getRepository(Item).findOneByOrFail({ id: alert.itemId! });
      expect(item).toMatchObject({
        category: 'treatment',
        source: 'risk_alert',
        responsibleDept: 'health',
        subjectType: 'person',
        subjectId: atThreshold.id,
        regionCode: SUBDISTRICT_A,
        deadline: '2022-03-16',
        status: 'open',
      });
      expect(item.description).toContain(maskedId(atThreshold.idNumber));
      expect(item.description).not.toContain(atThreshold.idNumber);
      expect(await alertsOf(fenBelow.idNumber)).toEqual([]);
    });

    it('the item was filed with its created ledger entry, like any other', async () => {
      const [alert] = await alertsOf(atThreshold.idNumber);
      const res = await request(t.http).get(`/api/items/${alert.itemId}`).set('Authorization', caseworker).expect(200);
      expect(res.body.ledger.map((e: { type: string }) => e.type)).toEqual(['created']);
      expect(res.body.ledger[0].payload).toMatchObject({ source: 'risk_alert', category: 'treatment' });
    });

    it('a refund brings a person back under, in the same file or a later one', async () => {
      expect(await alertsOf(refunded.idNumber)).toEqual([]);
      expect(await alertsOf(refundedLater.idNumber)).toEqual([]);
      const rows = await db.getRepository(Settlement).findBy({ idNumber: refundedLater.idNumber });
      expect(rows.reduce((sum, r) => sum + r.burdenFen, 0)).toBe(490000);
    });

    it('a person outside the register is measured against the other threshold and gets no item', async () => {
      const [alert] = await alertsOf(outsider);
      expect(alert).toMatchObject({
        kind: 'other',
        personId: null,
        burdenFen: 1000000,
        thresholdFen: 1000000,
        itemId: null,
      });
      expect(await alertsOf(outsiderBelow)).toEqual([]);
    });

    it('January 1 starts a new year: counted in 2022, not in 2021', async () => {
      const alerts = await alertsOf(newYear.idNumber);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ year: 2022, burdenFen: 500000 });
    });

    it('a settlement uploaded twice is counted once', async () => {
      const again = await uploadSettlements(t, insurance, 2021, firstFile);
      expect(again).toMatchObject({ status: 'done', inserted: 0, duplicates: firstRows.length, rejected: 0 });
      await run(2021, '2022-03-01').expect(200);
      expect(await alertsOf(fenBelow.idNumber)).toEqual([]);
      expect(await alertsOf(refunded.idNumber)).toEqual([]);
      expect(await alertsOf(atThreshold.idNumber)).toHaveLength(1);
      const rows = await db.getRepository(Settlement).findBy({ idNumber: fenBelow.idNumber });
      expect(rows).toHaveLength(2);
    });

    it('the alert list masks ID numbers and links persons and items; the push list names outsiders in full', async () => {
      const list = await alertList(2021);
      const mine = list.items.find((a) => a.personId === atThreshold.id)!;
      expect(mine).toMatchObject({ idNumber: maskedId(atThreshold.idNumber), burden: 5000, threshold: 5000 });
      expect(mine.itemId).toEqual(expect.any(Number));
      const theirs = list.items.find((a) => a.idNumber === maskedId(outsider))!;
      expect(theirs).toMatchObject({ personId: null, itemId: null, burden: 10000, threshold: 10000 });
      expect(JSON.stringify(list)).not.toContain(outsider);

      const res = await request(t.http)
        .get('/api/risk/push-list?year=2021')
        .set('Authorization', caseworker)
        .buffer(true)
        .parse((response, done) => {
          const chunks: Buffer[] = [];
          response.on('data', (c: Buffer) => chunks.push(c));
          response.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(res.body);
      const ids: string[] = [];
      book.worksheets[0].eachRow((row, n) => n > 1 && ids.push(row.getCell(3).text));
      expect(ids).toContain(outsider);
      expect(ids).not.toContain(outsiderBelow);
      expect(ids).not.toContain(atThreshold.idNumber);
    });
  });

  describe('bad rows', () => {
    it('reports each bad row with its line and a Chinese reason, and keeps the good ones', async () => {
      const person = newIdNumber();
      const good = newIdNumber();
      const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
      const result = await uploadSettlements(
        t,
        insurance,
        2021,
        settlementCsv([
          settlementRow({ idNumber: person, settledOn: '2021-01-05', total: '一百元' }),
          settlementRow({ idNumber: person, settledOn: '2022-01-01', total: '100' }),
          settlementRow({ idNumber: bad, settledOn: '2021-01-05', total: '100' }),
          settlementRow({ no: newSettlementNo(), idNumber: person, settledOn: '2021-01-05', total: '-50' }),
          settlementRow({ idNumber: person, settledOn: '2021-01-05', total: '100', fund: '150' }),
          settlementRow({ idNumber: person, settledOn: '2021-01-06', total: '120.50', fund: '20.5' }),
        ]),
      );
      expect(result).toMatchObject({ status: 'done', inserted: 1, rejected: 5 });
      const errors = result.errors as { line: number; field: string; column: string; reason: string }[];
      expect(errors.map((e) => [e.line, e.field])).toEqual([
        [2, 'totalFen'],
        [3, 'settledOn'],
        [4, 'idNumber'],
        [5, 'totalFen'],
        [6, 'totalFen'],
      ]);
      expect(errors[0]).toMatchObject({ column: '总费用' });
      expect(errors[0].reason).toContain('不是金额');
      expect(errors[1].reason).toContain('不在本次上传的年度 2021 内');
      expect(errors[2].reason).toContain('校验位');
      expect(errors[3].reason).toContain('不是已知的结算');
      expect(errors[4].reason).toContain('超过了总费用');
      const stored = await db.getRepository(Settlement).findBy({ idNumber: person });
      expect(stored.map((s) => s.burdenFen)).toEqual([10000]);
    });

    it('a refund a batch (1000 rows) after its settlement in the same file is netted; one naming another person is a row error', async () => {
      const person = newIdNumber('male');
      const other = newIdNumber('female');
      const charge = newSettlementNo();
      const filler = Array.from({ length: 1200 }, () => ({ idNumber: other, settledOn: '2021-04-01', total: '1' }));
      const result = await upload(2021, [
        { no: charge, idNumber: person, settledOn: '2021-04-01', total: '300' },
        ...filler,
        { no: charge, idNumber: other, settledOn: '2021-04-02', total: '-100' },
        { no: charge, idNumber: person, settledOn: '2021-04-02', total: '-100.01' },
      ]);
      expect(result).toMatchObject({ status: 'done', rowsRead: 1203, inserted: 1202, duplicates: 0, rejected: 1 });
      const errors = result.errors as { line: number; field: string; reason: string }[];
      expect(errors.map((e) => [e.line, e.field])).toEqual([[1203, 'idNumber']]);
      expect(errors[0].reason).toContain(`退费的身份证号与结算编号 ${charge} 的原结算不同`);
      const stored = await db.getRepository(Settlement).findBy({ idNumber: person });
      expect(stored.map((s) => s.burdenFen).sort((a, b) => a - b)).toEqual([-10001, 30000]);
    });

    it('a file without the settlement columns is 400 naming file; a year that is not one is 400 naming year', async () => {
      const wrong = await request(t.http)
        .post('/api/risk/settlements')
        .set('Authorization', insurance)
        .field('year', '2021')
        .attach('file', Buffer.from('身份证号,姓名\r\n'), 'roster.csv');
      expect(wrong.status).toBe(400);
      expect(wrong.body).toMatchObject({ field: 'file' });
      const noYear = await request(t.http)
        .post('/api/risk/settlements')
        .set('Authorization', insurance)
        .field('year', '二〇二一')
        .attach('file', Buffer.from(settlementCsv([])), 'settlements.csv');
      expect(noYear.status).toBe(400);
      expect(JSON.stringify(noYear.body.message)).toContain('year');
    });
  });

  describe('runs at once, and the loop to an outcome', () => {
    let person: Awaited<ReturnType<typeof registered>>;

    beforeAll(async () => {
      person = await registered();
      await upload(2021, [{ idNumber: person.idNumber, settledOn: '2021-11-11', total: '20000', fund: '12000' }]);
    });

    it('two runs at once write one alert and one item', async () => {
      const [a, b] = await Promise.all([run(2021, '2022-03-01'), run(2021, '2022-03-01')]);
      expect([a.status, b.status]).toEqual([200, 200]);
      const alerts = await alertsOf(person.idNumber);
      expect(alerts).toHaveLength(1);
      expect(alerts[0].burdenFen).toBe(800000);
      const items = await db
        .getRepository(Item)
        .findBy({ subjectType: 'person', subjectId: person.id, source: 'risk_alert' });
      expect(items.map((i) => i.id)).toEqual([alerts[0].itemId]);
    });

    it('the item closes only with an outcome from the list; the review flow stays; the funnel counts it', async () => {
      const [alert] = await alertsOf(person.idNumber);
      const id = alert.itemId!;
      const version = (await db.getRepository(Item).findOneByOrFail({ id })).version;
      const close = (body: object) =>
        request(t.http).post(`/api/items/${id}/close`).set('Authorization', officer).send(body);
      const without = await close({ resolution: '入户核实，已申请医疗救助', version });
      expect(without.status).toBe(400);
      expect(without.body).toMatchObject({ field: 'outcome' });
      const bogus = await close({ resolution: '入户核实，已申请医疗救助', outcome: 'cured', version });
      expect(bogus.status).toBe(400);
      expect(JSON.stringify(bogus.body.message)).toContain('outcome');
      expect(await db.getRepository(Item).findOneByOrFail({ id })).toMatchObject({ status: 'open', version });

      await request(t.http)
        .post(`/api/items/${id}/attachments`)
        .set('Authorization', officer)
        .attach('file', pdfDocument('medical aid'), { filename: '救助审批表.pdf', contentType: 'application/pdf' })
        .expect(201);
      const requested = await close({ resolution: '入户核实，已申请医疗救助', outcome: 'assisted', version });
      expect(requested.status).toBe(200);
      expect(requested.body).toMatchObject({ status: 'pending_review', outcome: 'assisted' });
      const approved = await request(t.http)
        .post(`/api/items/${id}/review`)
        .set('Authorization', caseworker)
        .send({ decision: 'approve', version: requested.body.version });
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({ status: 'closed', outcome: 'assisted' });

      const list = await alertList(2021);
      expect(list.items.find((a) => a.id === alert.id)).toMatchObject({ outcome: 'assisted', itemId: id });
      const row = list.funnel.byRegion.find((r) => r.regionCode === SUBDISTRICT_A)!;
      expect(row.outcomes).toBeGreaterThanOrEqual(1);
      expect(row.byOutcome.assisted).toBeGreaterThanOrEqual(1);
      expect(row.alerts).toBeGreaterThanOrEqual(row.items);
      expect(row.items).toBeGreaterThanOrEqual(row.outcomes);
      expect(row.persons).toBeGreaterThanOrEqual(row.alerts);
    });

    it('an item that is not a risk alert takes no outcome', async () => {
      const campaign = await newCampaign(t, admin);
      const other = (await newItem(t, caseworker, campaign.id)) as { id: number; version: number };
      const res = await request(t.http)
        .post(`/api/items/${other.id}/close`)
        .set('Authorization', officer)
        .send({ resolution: '已整改完成', outcome: 'no_risk', version: other.version });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ field: 'outcome' });
    });
  });
});
