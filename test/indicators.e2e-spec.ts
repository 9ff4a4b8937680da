import request from 'supertest';
import { DataSource } from 'typeorm';
import { householdInput } from './factories/households.js';
import { countsOf, KEYS, oracleIndicators } from './utils/indicator-oracle.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';

const DEMO_SUBDISTRICTS = ['610199001000', '610199002000', '610199003000', '610199004000', '610199005000'];

interface Indicator {
  numerator: number;
  denominator: number;
  value: number | null;
}

describe('indicators (SPEC §6.4, issue #18)', () => {
  let t: TestApp;
  let caseworker: string;
  let db: DataSource;

  beforeAll(async () => {
    t = await createTestApp({}, { freshDatabase: true });
    t.clock.set('2020-04-15T02:00:00Z');
    caseworker = await t.login('caseworker');
    db = t.app.get(DataSource);
  });

  afterAll(() => t.close());

  const indicators = (asOf?: string, token = caseworker) =>
    request(t.http)
      .get(`/api/stats/indicators${asOf ? `?asOf=${asOf}` : ''}`)
      .set('Authorization', token);

  const figures = (set: Record<string, Indicator>) => countsOf(set);

  it('answers the shape of SPEC §6.4: value = numerator / denominator, null without a denominator', async () => {
    const res = await indicators('2020-04-15').expect(200);
    expect(res.body.asOf).toBe('2020-04-15');
    expect(Object.keys(res.body.district).sort()).toEqual([...KEYS].sort());
    for (const row of [res.body.district, ...res.body.byRegion]) {
      for (const key of KEYS) {
        const i = row[key] as Indicator;
        expect(i.value).toBe(i.denominator === 0 ? null : i.numerator / i.denominator);
      }
    }
    expect(res.body.byRegion.map((r: { regionCode: string }) => r.regionCode)).toEqual(
      expect.arrayContaining(DEMO_SUBDISTRICTS),
    );
    expect(res.body.byRegion[0]).toMatchObject({ regionCode: '610199001000', name: '城关街道' });
  });

  it('equals, for the demo district and each sub-district, the counts taken from the raw rows', async () => {
    const res = await indicators('2020-04-15').expect(200);
    const oracle = await oracleIndicators(db, '2020-04-15');
    expect(figures(res.body.district)).toEqual(oracle.district);
    for (const row of res.body.byRegion) {
      if (oracle[row.regionCode]) {
        expect([row.regionCode, figures(row)]).toEqual([row.regionCode, oracle[row.regionCode]]);
      }
    }
  });

  it('lies strictly between 0 and 100 % in the demo district as of 2020-04-15, and differs between sub-districts', async () => {
    const res = await indicators('2020-04-15').expect(200);
    const demo = res.body.byRegion.filter((r: { regionCode: string }) => DEMO_SUBDISTRICTS.includes(r.regionCode));
    for (const key of KEYS) {
      for (const row of [res.body.district, ...demo]) {
        expect([key, row.name, row[key].value > 0 && row[key].value < 1]).toEqual([key, row.name, true]);
      }
      expect([key, new Set(demo.map((r: Record<string, Indicator>) => r[key].value)).size > 1]).toEqual([key, true]);
    }
  });

  it('refuses a day before the register existed, a day in the future and a malformed day, naming asOf', async () => {
    for (const asOf of ['2012-12-31', '2020-04-16', '2020-02-30']) {
      const res = await indicators(asOf).expect(400);
      expect(JSON.stringify(res.body)).toContain('asOf');
    }
  });

  it('scopes an officer to their sub-district', async () => {
    const officer = await t.login('officer1');
    const res = await indicators('2020-04-15', officer).expect(200);
    expect(res.body.byRegion.map((r: { regionCode: string }) => r.regionCode)).toEqual(['610199001000']);
    expect(res.body.district).toEqual(res.body.byRegion[0] && figuresWithValue(res.body.byRegion[0]));
  });

  const figuresWithValue = (row: Record<string, unknown>) => Object.fromEntries(KEYS.map((k) => [k, row[k]]));

  describe('a hand-made sub-district of ten people', () => {
    let code: string;

    beforeAll(async () => {
      const admin = await t.login('admin', TEST_ADMIN_PASSWORD);
      code = '610199009000';
      await request(t.http)
        .post('/api/regions')
        .set('Authorization', admin)
        .send({ code, name: '试点街道', level: 'subdistrict', parentCode: '610199000000' })
        .expect(201);
    });

    it('counts each indicator as worked out by hand', async () => {
      const post = (path: string, body: object) =>
        request(t.http).post(path).set('Authorization', caseworker).send(body);
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) {
        const h = await post('/api/households', householdInput({ regionCode: code, registeredYear: 2016 })).expect(201);
        ids.push(...h.body.members.map((m: { id: number }) => m.id));
      }
      // Enrollment 2020: 8 of 10 enrolled, 6 of them subsidized.
      for (const [i, id] of ids.entries()) {
        if (i < 8) {
          await request(t.http)
            .put(`/api/persons/${id}/insurance/2020`)
            .set('Authorization', await t.login('insurance'))
            .send({ enrolled: true, subsidized: i < 6 })
            .expect(200);
        }
      }
      // Four hypertension patients (0-3), two also diabetic (0, 1); three signed (0, 1, 2).
      for (const id of ids.slice(0, 4)) {
        await post(`/api/persons/${id}/conditions`, {
          diseaseCode: 'hypertension',
          diagnosedOn: '2019-01-01',
          treatmentCategory: 'contracted',
        }).expect(201);
      }
      for (const id of ids.slice(0, 2)) {
        await post(`/api/persons/${id}/conditions`, {
          diseaseCode: 'diabetes_t2',
          diagnosedOn: '2019-01-01',
          treatmentCategory: 'contracted',
        }).expect(201);
      }
      const contract = async (id: number, codes: string[]) =>
        (
          await post('/api/contracts', {
            personId: id,
            institution: '试点卫生院',
            doctorName: '赵医生',
            signedOn: '2019-10-01',
            diseaseCodes: codes,
          }).expect(201)
        ).body.id as number;
      const c0 = await contract(ids[0], ['hypertension', 'diabetes_t2']);
      const c1 = await contract(ids[1], ['hypertension', 'diabetes_t2']);
      const c2 = await contract(ids[2], ['hypertension']);
      // 2020-04-15: 197 of 366 days → floor(4 × 197 / 366) = 2 follow-ups due.
      const visit = (c: number, visitedOn: string, more: object = {}) =>
        post(`/api/contracts/${c}/follow-ups`, { visitedOn, kind: 'clinic', ...more }).expect(201);
      await visit(c0, '2019-12-01', { systolic: 150, diastolic: 95, fastingGlucose: 8.1 });
      await visit(c0, '2020-03-01', { systolic: 135, diastolic: 85, fastingGlucose: 7.0 }); // controlled BP, not glucose
      await visit(c1, '2020-01-10', { systolic: 145, diastolic: 80, fastingGlucose: 6.2 });
      await visit(c1, '2020-03-10', { result: 'away' }); // does not count: c1 is short
      await visit(c2, '2020-01-05');
      await visit(c2, '2020-03-05', { systolic: 128, diastolic: 82 });
      // Two major-disease patients (8, 9): one started, one confirmed and waiting.
      await post(`/api/persons/${ids[8]}/conditions`, {
        diseaseCode: 'lung_cancer',
        diagnosedOn: '2020-01-10',
        confirmedOn: '2020-01-20',
        treatmentStartedOn: '2020-02-01',
        treatmentStatus: 'in_treatment',
        treatmentCategory: 'concentrated',
      }).expect(201);
      await post(`/api/persons/${ids[9]}/conditions`, {
        diseaseCode: 'esrd',
        diagnosedOn: '2020-02-10',
        confirmedOn: '2020-03-01',
        treatmentStatus: 'untreated',
        treatmentCategory: 'concentrated',
      }).expect(201);

      const res = await indicators('2020-04-15').expect(200);
      const row = res.body.byRegion.find((r: { regionCode: string }) => r.regionCode === code);
      expect(figures(row)).toEqual({
        insuredRate: { numerator: 8, denominator: 10 },
        subsidizedRate: { numerator: 6, denominator: 10 },
        contractRate: { numerator: 3, denominator: 4 },
        managedRate: { numerator: 2, denominator: 3 },
        bpControlRate: { numerator: 2, denominator: 3 },
        glucoseControlRate: { numerator: 1, denominator: 2 },
        treatmentRate: { numerator: 1, denominator: 2 },
      });
      const oracle = await oracleIndicators(db, '2020-04-15');
      expect(figures(row)).toEqual(oracle[code]);
      expect(figures(res.body.district)).toEqual(oracle.district);
    });
  });

  // A household's registration is dated by its year only: a household registered in 2020 counts all through 2020.
  it('gives the same figures for the same asOf after later-dated records are entered', async () => {
    const before = (await indicators('2020-04-15').expect(200)).body;
    t.clock.set('2021-02-01T02:00:00Z');
    const post = (path: string, body: object) => request(t.http).post(path).set('Authorization', caseworker).send(body);
    const contracts = await request(t.http).get('/api/contracts?pageSize=50').set('Authorization', caseworker);
    for (const c of contracts.body.items
      .filter(
        (x: { validUntil: string; signedOn: string }) => x.validUntil >= '2020-06-01' && x.signedOn <= '2020-06-01',
      )
      .slice(0, 10)) {
      await post(`/api/contracts/${c.id}/follow-ups`, { visitedOn: '2020-06-01', kind: 'home' }).expect(201);
    }
    const h = await post(
      '/api/households',
      householdInput({ regionCode: '610199001001', registeredYear: 2021 }),
    ).expect(201);
    const [head] = h.body.members;
    await post(`/api/persons/${head.id}/conditions`, {
      diseaseCode: 'hypertension',
      diagnosedOn: '2021-01-05',
      treatmentCategory: 'contracted',
    }).expect(201);
    await request(t.http)
      .put(`/api/persons/${head.id}/insurance/2021`)
      .set('Authorization', await t.login('insurance'))
      .send({ enrolled: true, subsidized: true })
      .expect(200);
    await post('/api/contracts', {
      personId: head.id,
      institution: '城关街道社区卫生服务中心',
      doctorName: '王医生',
      signedOn: '2021-01-10',
      diseaseCodes: ['hypertension'],
    }).expect(201);
    const after = (await indicators('2020-04-15').expect(200)).body;
    t.clock.set('2020-04-15T02:00:00Z');
    expect(figures(after.district)).toEqual(figures(before.district));
    expect(after.byRegion.map(figures)).toEqual(before.byRegion.map(figures));
  });
});
