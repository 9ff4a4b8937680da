import request from 'supertest';
import { DataSource } from 'typeorm';
import { householdInput, VILLAGE_A } from './factories/households.js';
import { countsOf, oracleIndicators } from './utils/indicator-oracle.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';

/**
 * Issue #18's indicators and their inputs at each boundary, over HTTP: the day (Shanghai midnight,
 * the register's first day), the readings' ranges, and — in a hand-made sub-district — every
 * comparison the indicators make with asOf, before and after later-dated records are entered.
 */
const AS_OF = '2020-04-15';
/** 10:00 in Shanghai on that day. */
const morning = (day: string) => `${day}T02:00:00Z`;

type Row = Record<string, { numerator: number; denominator: number; value: number | null }>;
const figures = (row: Row) => countsOf(row);

describe('indicators at the boundaries (issue #18)', () => {
  let t: TestApp;
  let db: DataSource;
  let admin: string;
  let caseworker: string;

  beforeAll(async () => {
    t = await createTestApp({}, { freshDatabase: true });
    t.clock.set(morning(AS_OF));
    db = t.app.get(DataSource);
    admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    caseworker = await t.login('caseworker');
  });

  afterAll(() => t.close());

  const indicators = (asOf?: string) =>
    request(t.http)
      .get(`/api/stats/indicators${asOf ? `?asOf=${asOf}` : ''}`)
      .set('Authorization', caseworker);
  const post = (path: string, body: object) => request(t.http).post(path).set('Authorization', caseworker).send(body);
  const patch = (path: string, body: object) => request(t.http).patch(path).set('Authorization', caseworker).send(body);
  /** The 400's field: a domain error names it, a validation error's message does. */
  const fieldOf = (body: { field?: string; message: string | string[] }) =>
    body.field ?? [body.message].flat().join(' ');

  /** A new household of two in `regionCode`; answers the head's id. */
  async function newHead(regionCode: string): Promise<number> {
    const res = await post('/api/households', householdInput({ regionCode, registeredYear: 2016 })).expect(201);
    return res.body.members[0].id as number;
  }

  async function contractFor(personId: number, diseaseCodes: string[], signedOn: string): Promise<number> {
    const res = await post('/api/contracts', {
      personId,
      institution: '城关街道社区卫生服务中心',
      doctorName: '王医生',
      signedOn,
      diseaseCodes,
    }).expect(201);
    return res.body.id as number;
  }

  it('takes today in Shanghai as the default day and the last day allowed, turning at 16:00 UTC', async () => {
    const personId = await newHead(VILLAGE_A);
    await post(`/api/persons/${personId}/conditions`, {
      diseaseCode: 'hypertension',
      diagnosedOn: '2019-01-01',
      treatmentCategory: 'contracted',
    }).expect(201);
    const contractId = await contractFor(personId, ['hypertension'], '2020-01-15');
    try {
      t.clock.set('2020-04-15T15:59:59Z'); // 23:59:59 in Shanghai
      expect((await indicators().expect(200)).body.asOf).toBe('2020-04-15');
      expect(fieldOf((await indicators('2020-04-16').expect(400)).body)).toContain('asOf');
      const early = await post(`/api/contracts/${contractId}/follow-ups`, {
        visitedOn: '2020-04-16',
        kind: 'home',
      }).expect(400);
      expect(early.body.field).toBe('visitedOn');

      t.clock.set('2020-04-15T16:00:00Z'); // midnight in Shanghai: the 16th
      expect((await indicators().expect(200)).body.asOf).toBe('2020-04-16');
      expect((await indicators('2020-04-16').expect(200)).body.asOf).toBe('2020-04-16');
      await post(`/api/contracts/${contractId}/follow-ups`, { visitedOn: '2020-04-16', kind: 'home' }).expect(201);
    } finally {
      t.clock.set(morning(AS_OF));
    }
  });

  it('answers from the register’s first day (2013-01-01) and refuses the day before, naming asOf', async () => {
    const first = await indicators('2013-01-01').expect(200);
    expect(first.body.asOf).toBe('2013-01-01');
    // No household was registered in 2013 in the demo district: nothing to count yet.
    expect(first.body.district.insuredRate).toEqual({ numerator: 0, denominator: 0, value: null });
    const before = await indicators('2012-12-31').expect(400);
    expect(before.body.field).toBe('asOf');
    expect(before.body.message).toContain('before the register existed');
  });

  it('accepts readings at the ends of the physiological ranges and refuses just past them, naming the field', async () => {
    const personId = await newHead(VILLAGE_A);
    for (const diseaseCode of ['hypertension', 'diabetes_t2']) {
      await post(`/api/persons/${personId}/conditions`, {
        diseaseCode,
        diagnosedOn: '2019-01-01',
        treatmentCategory: 'contracted',
      }).expect(201);
    }
    const contractId = await contractFor(personId, ['hypertension', 'diabetes_t2'], '2020-01-15');
    const followUp = (body: object) =>
      post(`/api/contracts/${contractId}/follow-ups`, { visitedOn: '2020-04-01', kind: 'clinic', ...body });
    for (const [body, field] of [
      [{ systolic: 39, diastolic: 20 }, 'systolic'],
      [{ systolic: 301, diastolic: 200 }, 'systolic'],
      [{ systolic: 120.5, diastolic: 80 }, 'systolic'],
      [{ systolic: 40, diastolic: 19 }, 'diastolic'],
      [{ systolic: 300, diastolic: 201 }, 'diastolic'],
      [{ systolic: 120, diastolic: 120 }, 'diastolic'],
      [{ fastingGlucose: 0.9 }, 'fastingGlucose'],
      [{ fastingGlucose: 40.1 }, 'fastingGlucose'],
      [{ fastingGlucose: 6.95 }, 'fastingGlucose'],
    ] as const) {
      const res = await followUp(body).expect(400);
      expect([body, fieldOf(res.body)]).toEqual([body, expect.stringContaining(field)]);
    }
    const none = await request(t.http).get(`/api/contracts/${contractId}`).set('Authorization', caseworker);
    expect(none.body.followUps).toEqual([]);
    for (const body of [
      { systolic: 40, diastolic: 20, fastingGlucose: 1 },
      { systolic: 300, diastolic: 200, fastingGlucose: 40 },
    ]) {
      const res = await followUp(body).expect(201);
      expect(res.body.followUps.at(-1)).toMatchObject(body);
    }
  });

  it('refuses a decline without a reason when a condition is changed, and changes nothing', async () => {
    const personId = await newHead(VILLAGE_A);
    const created = await post(`/api/persons/${personId}/conditions`, {
      diseaseCode: 'liver_cancer',
      diagnosedOn: '2020-02-01',
      confirmedOn: '2020-02-10',
      treatmentStatus: 'untreated',
      treatmentCategory: 'concentrated',
    }).expect(201);
    for (const declineReason of [undefined, '', '   ']) {
      const res = await patch(`/api/conditions/${created.body.id}`, {
        treatmentStatus: 'declined',
        declineReason,
        version: created.body.version,
      }).expect(400);
      expect(fieldOf(res.body)).toContain('declineReason');
    }
    const list = await request(t.http).get(`/api/persons/${personId}/conditions`).set('Authorization', caseworker);
    expect(list.body.items[0]).toMatchObject({
      treatmentStatus: 'untreated',
      declineReason: null,
      version: created.body.version,
    });
  });

  describe('a hand-made sub-district where every record lies on or beside the day measured', () => {
    const S = '610199008000';
    const row = async (asOf: string) => {
      const res = await indicators(asOf).expect(200);
      return res.body.byRegion.find((r: { regionCode: string }) => r.regionCode === S) as Row;
    };

    beforeAll(async () => {
      await request(t.http)
        .post('/api/regions')
        .set('Authorization', admin)
        .send({ code: S, name: '边界街道', level: 'subdistrict', parentCode: '610199000000' })
        .expect(201);
    });

    it('counts each boundary as the definitions say, and keeps the figures for a day after later-dated records', async () => {
      t.clock.set(morning(AS_OF));
      const p: number[] = [0];
      for (let i = 1; i <= 18; i++) {
        p.push(await newHead(S)); // 18 households of two: 36 registered persons
      }
      const condition = (personId: number, body: object) =>
        post(`/api/persons/${personId}/conditions`, {
          diagnosedOn: '2019-01-01',
          treatmentCategory: 'contracted',
          ...body,
        }).expect(201);
      const visit = (contractId: number, visitedOn: string, more: object = {}) =>
        post(`/api/contracts/${contractId}/follow-ups`, { visitedOn, kind: 'clinic', ...more }).expect(201);
      for (const i of [1, 2, 3, 6, 7, 8, 9, 12, 13]) {
        await condition(p[i], { diseaseCode: 'hypertension' });
      }
      await condition(p[10], { diseaseCode: 'hypertension', diagnosedOn: AS_OF }); // diagnosed on the day
      for (const i of [4, 5]) {
        await condition(p[i], { diseaseCode: 'diabetes_t2' });
      }
      const c: Record<number, number> = {};
      for (const i of [1, 2, 3, 12, 13]) {
        c[i] = await contractFor(p[i], ['hypertension'], '2019-10-01');
      }
      for (const i of [4, 5]) {
        c[i] = await contractFor(p[i], ['diabetes_t2'], '2019-10-01');
      }
      c[6] = await contractFor(p[6], ['hypertension'], '2020-01-15'); // signed exactly a quarter before
      c[7] = await contractFor(p[7], ['hypertension'], '2020-01-14'); // a day earlier: one follow-up due
      c[8] = await contractFor(p[8], ['hypertension'], '2019-04-15'); // its last day is the day measured
      c[9] = await contractFor(p[9], ['hypertension'], '2019-04-14'); // expired the day before

      // Blood pressure: the last reading by day, then by entry; below 140/90 is controlled.
      await visit(c[1], '2020-04-01', { systolic: 150, diastolic: 95 });
      await visit(c[1], '2020-04-01', { systolic: 139, diastolic: 89 }); // same day, entered later: it counts
      await visit(c[2], '2020-03-01', { systolic: 120, diastolic: 80 });
      await visit(c[2], AS_OF, { systolic: 140, diastolic: 89 }); // on the day: it counts
      await visit(c[3], '2020-04-10', { systolic: 139, diastolic: 90 });
      // Glucose: below 7.0 is controlled.
      await visit(c[4], '2020-01-10');
      await visit(c[4], '2020-04-02', { fastingGlucose: 6.9 });
      await visit(c[5], '2020-02-01', { kind: 'phone', result: 'away' }); // does not count
      await visit(c[5], '2020-04-02', { fastingGlucose: 7.0 });
      for (const day of ['2019-07-01', '2019-10-01', '2020-01-01', '2020-04-01']) {
        await visit(c[8], day); // 4 of 4 due over the whole term
      }
      await visit(c[12], AS_OF, { result: 'died' }); // died on the day: no longer registered

      // Major diseases: confirmed on the day counts; started on the day counts as treated.
      const major = (personId: number, body: object) =>
        condition(personId, { treatmentCategory: 'concentrated', diagnosedOn: '2020-03-01', ...body });
      await major(p[14], { diseaseCode: 'lung_cancer', confirmedOn: AS_OF, treatmentStatus: 'untreated' });
      await major(p[15], {
        diseaseCode: 'gastric_cancer',
        confirmedOn: '2020-03-10',
        treatmentStartedOn: AS_OF,
        treatmentStatus: 'in_treatment',
      });
      const waiting = (
        await major(p[17], { diseaseCode: 'esrd', confirmedOn: '2020-03-05', treatmentStatus: 'untreated' })
      ).body;
      await major(p[18], {
        diseaseCode: 'colorectal_cancer',
        confirmedOn: '2020-03-05',
        treatmentStatus: 'declined',
        declineReason: '家属放弃',
      });

      const expected = {
        insuredRate: { numerator: 0, denominator: 35 },
        subsidizedRate: { numerator: 0, denominator: 35 },
        contractRate: { numerator: 9, denominator: 11 }, // 1–8 and 13 signed; 9 expired, 10 unsigned
        managedRate: { numerator: 5, denominator: 9 }, // 1, 2, 4, 6, 8 of 1–8 and 13
        bpControlRate: { numerator: 1, denominator: 3 },
        glucoseControlRate: { numerator: 1, denominator: 2 },
        treatmentRate: { numerator: 1, denominator: 4 },
      };
      const before = await indicators(AS_OF).expect(200);
      const oracle = await oracleIndicators(db, AS_OF);
      expect(figures(await row(AS_OF))).toEqual(expected);
      expect(oracle[S]).toEqual(expected);

      // Two weeks later, records dated after the day measured.
      const later = '2020-05-01';
      t.clock.set(morning(later));
      await visit(c[3], '2020-04-16', { systolic: 120, diastolic: 80 });
      await visit(c[5], '2020-04-20', { fastingGlucose: 6.0 });
      await visit(c[7], '2020-04-20');
      await visit(c[13], '2020-04-16', { result: 'died' }); // died the day after: registered on the day
      await condition(p[11], { diseaseCode: 'hypertension', diagnosedOn: '2020-04-16' });
      await contractFor(p[9], ['hypertension'], '2020-04-20');
      await contractFor(p[10], ['hypertension'], '2020-04-20');
      await major(p[16], { diseaseCode: 'esrd', confirmedOn: '2020-04-16', treatmentStatus: 'untreated' });
      const started = await patch(`/api/conditions/${waiting.id}`, {
        treatmentStatus: 'in_treatment',
        version: waiting.version,
      }).expect(200);
      expect(started.body.treatmentStartedOn).toBe(later);

      const after = await indicators(AS_OF).expect(200);
      expect(figures(await row(AS_OF))).toEqual(expected);
      expect(after.body).toEqual(before.body);
      expect((await oracleIndicators(db, AS_OF))[S]).toEqual(expected);
      // …while the later day sees them.
      const now = figures(await row(later));
      expect(now).toMatchObject({
        insuredRate: { numerator: 0, denominator: 34 },
        contractRate: { numerator: 9, denominator: 11 }, // 8's term is over, 9 and 10 signed, 11 diagnosed, 13 died
        bpControlRate: { numerator: 2, denominator: 3 },
        glucoseControlRate: { numerator: 2, denominator: 2 },
        treatmentRate: { numerator: 2, denominator: 5 },
      });
      expect((await oracleIndicators(db, later))[S]).toEqual(now);
      t.clock.set(morning(AS_OF));
    });
  });
});
