import request from 'supertest';
import { householdInput, VILLAGE_A, VILLAGE_B } from './factories/households.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';

describe('health records: conditions, contracts, insurance', () => {
  let t: TestApp;
  const token: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2020-04-15T02:00:00Z'); // 10:00 in Shanghai
    token.admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    for (const user of ['caseworker', 'insurance', 'officer1', 'officer2', 'leader']) {
      token[user] = await t.login(user);
    }
  });

  afterAll(() => t.close());

  const as = (user: string) => ({ Authorization: token[user] });

  /** A new household in `regionCode`; returns the head's and the spouse's person ids. */
  async function newMembers(regionCode = VILLAGE_A): Promise<{ head: number; spouse: number; householdId: number }> {
    const res = await request(t.http)
      .post('/api/households')
      .set(as('caseworker'))
      .send(householdInput({ regionCode }))
      .expect(201);
    return { head: res.body.members[0].id, spouse: res.body.members[1].id, householdId: res.body.id };
  }

  const addCondition = (personId: number, body: object, user = 'caseworker') =>
    request(t.http).post(`/api/persons/${personId}/conditions`).set(as(user)).send(body);

  it('GET /api/diseases lists the catalogue with the four contract-priority diseases', async () => {
    const res = await request(t.http).get('/api/diseases').set(as('leader')).expect(200);
    const byCode = new Map(res.body.items.map((d: { code: string }) => [d.code, d]));
    expect(byCode.get('hypertension')).toMatchObject({
      name: '高血压',
      kind: 'chronic',
      followUpsPerYear: 4,
      contractPriority: true,
    });
    expect(byCode.get('diabetes_t2')).toMatchObject({ name: '2型糖尿病', followUpsPerYear: 4, contractPriority: true });
    expect(byCode.get('pulmonary_tb')).toMatchObject({ name: '肺结核', contractPriority: true });
    expect(byCode.get('severe_mental')).toMatchObject({ name: '严重精神障碍', contractPriority: true });
    expect(res.body.items.filter((d: { kind: string }) => d.kind === 'major').length).toBeGreaterThanOrEqual(10);
  });

  describe('conditions', () => {
    it('records a condition and shows it on the person and the household profile', async () => {
      const { head, householdId } = await newMembers();
      const res = await addCondition(head, {
        diseaseCode: 'hypertension',
        diagnosedOn: '2018-03-01',
        treatmentCategory: 'contracted',
      }).expect(201);
      expect(res.body).toMatchObject({
        personId: head,
        diseaseName: '高血压',
        kind: 'chronic',
        treatmentStatus: 'in_treatment',
        version: 1,
      });

      const list = await request(t.http).get(`/api/persons/${head}/conditions`).set(as('officer1')).expect(200);
      expect(list.body.items).toHaveLength(1);
      const profile = await request(t.http).get(`/api/households/${householdId}`).set(as('caseworker')).expect(200);
      expect(profile.body.members[0].conditions[0]).toMatchObject({ diseaseCode: 'hypertension' });
      expect(profile.body.members[1].conditions).toEqual([]);
    });

    it('updates treatment status with a version; a stale version is 409', async () => {
      const { head } = await newMembers();
      const created = await addCondition(head, {
        diseaseCode: 'esrd',
        diagnosedOn: '2019-01-10',
        treatmentCategory: 'concentrated',
        treatmentStatus: 'untreated',
      }).expect(201);
      const updated = await request(t.http)
        .patch(`/api/conditions/${created.body.id}`)
        .set(as('caseworker'))
        .send({ treatmentStatus: 'in_treatment', version: 1 })
        .expect(200);
      expect(updated.body).toMatchObject({ treatmentStatus: 'in_treatment', version: 2 });
      await request(t.http)
        .patch(`/api/conditions/${created.body.id}`)
        .set(as('caseworker'))
        .send({ treatmentStatus: 'treated', version: 1 })
        .expect(409);
    });

    it.each([
      [{ diseaseCode: 'flu', diagnosedOn: '2019-01-01', treatmentCategory: 'contracted' }, 'diseaseCode'],
      [
        { diseaseCode: 'hypertension', diagnosedOn: '2019-01-01', treatmentCategory: 'concentrated' },
        'treatmentCategory',
      ],
      [{ diseaseCode: 'lung_cancer', diagnosedOn: '2019-01-01', treatmentCategory: 'contracted' }, 'treatmentCategory'],
      [{ diseaseCode: 'hypertension', diagnosedOn: '2020-05-01', treatmentCategory: 'contracted' }, 'diagnosedOn'],
      [{ diseaseCode: 'hypertension', diagnosedOn: '1900-01-01', treatmentCategory: 'contracted' }, 'diagnosedOn'],
    ])('refuses %o naming %s', async (body, field) => {
      const { head } = await newMembers();
      const res = await addCondition(head, body).expect(400);
      expect(res.body.field).toBe(field);
      const list = await request(t.http).get(`/api/persons/${head}/conditions`).set(as('caseworker')).expect(200);
      expect(list.body.items).toEqual([]);
    });

    it('names malformed fields and refuses a second record of the same disease', async () => {
      const { head } = await newMembers();
      const bad = await addCondition(head, {
        diseaseCode: 'hypertension',
        diagnosedOn: '2019-02-30',
        treatmentCategory: 'x',
      }).expect(400);
      expect(bad.body.message.join('\n')).toMatch(
        /diagnosedOn must be a date written YYYY-MM-DD[\s\S]*treatmentCategory/,
      );
      const body = { diseaseCode: 'diabetes_t2', diagnosedOn: '2019-01-01', treatmentCategory: 'contracted' };
      await addCondition(head, body).expect(201);
      await addCondition(head, body).expect(409);
    });

    it('officers and viewers may not write (403); another sub-district is 404', async () => {
      const { head } = await newMembers(VILLAGE_B);
      const body = { diseaseCode: 'hypertension', diagnosedOn: '2019-01-01', treatmentCategory: 'contracted' };
      await addCondition(head, body, 'officer2').expect(403);
      await addCondition(head, body, 'leader').expect(403);
      await addCondition(head, body, 'insurance').expect(403);
      await request(t.http).get(`/api/persons/${head}/conditions`).set(as('officer1')).expect(404);
      await request(t.http).get(`/api/persons/${head}/conditions`).set(as('officer2')).expect(200);
    });
  });

  describe('contracts', () => {
    const createContract = (body: object, user = 'caseworker') =>
      request(t.http).post('/api/contracts').set(as(user)).send(body);

    async function patientWith(diseaseCode: string, regionCode = VILLAGE_A): Promise<number> {
      const { head } = await newMembers(regionCode);
      await addCondition(head, { diseaseCode, diagnosedOn: '2018-06-01', treatmentCategory: 'contracted' }).expect(201);
      return head;
    }

    it('signs a contract valid one year by default with the catalogue follow-ups', async () => {
      const personId = await patientWith('hypertension');
      const res = await createContract({
        personId,
        institution: '城关街道社区卫生服务中心',
        doctorName: '王医生团队',
        signedOn: '2020-01-15',
        diseaseCodes: ['hypertension'],
      }).expect(201);
      expect(res.body).toMatchObject({
        personId,
        validUntil: '2021-01-15',
        requiredFollowUps: 4,
        followUps: [],
        status: 'active',
        diseaseCodes: ['hypertension'],
      });
    });

    it.each([
      [{ diseaseCodes: ['diabetes_t2'] }, 'diseaseCodes'], // no such condition recorded
      [{ diseaseCodes: ['lung_cancer'] }, 'diseaseCodes'], // not a chronic disease
      [{ diseaseCodes: ['nope'] }, 'diseaseCodes'],
      [{ signedOn: '2020-05-01' }, 'signedOn'], // in the future of the clock
      [{ validUntil: '2019-12-31' }, 'validUntil'],
      [{ personId: 987654321 }, 'personId'],
    ])('refuses %o naming %s', async (override, field) => {
      const personId = await patientWith('hypertension');
      const res = await createContract({
        personId,
        institution: '卫生院',
        doctorName: '李医生',
        signedOn: '2020-01-15',
        diseaseCodes: ['hypertension'],
        ...override,
      }).expect(400);
      expect(res.body.field).toBe(field);
      const list = await request(t.http).get(`/api/contracts?personId=${personId}`).set(as('caseworker')).expect(200);
      expect(list.body.total).toBe(0);
    });

    it('takes follow-ups from the signing day to today, refusing earlier, later and future visits', async () => {
      const personId = await patientWith('diabetes_t2');
      const c = (
        await createContract({
          personId,
          institution: '卫生院',
          doctorName: '李医生',
          signedOn: '2019-03-01',
          validUntil: '2020-02-29',
          diseaseCodes: ['diabetes_t2'],
        }).expect(201)
      ).body;
      const visit = (visitedOn: string) =>
        request(t.http)
          .post(`/api/contracts/${c.id}/follow-ups`)
          .set(as('caseworker'))
          .send({ visitedOn, kind: 'home' });
      await visit('2019-02-28')
        .expect(400)
        .expect((res) => expect(res.body.field).toBe('visitedOn'));
      await visit('2020-03-01')
        .expect(400)
        .expect((res) => expect(res.body.message).toMatch(/expired/));
      t.clock.set('2019-06-01T02:00:00Z');
      await visit('2019-06-02')
        .expect(400)
        .expect((res) => expect(res.body.message).toMatch(/future/));
      const ok = await visit('2019-06-01').expect(201);
      expect(ok.body.followUps).toEqual([expect.objectContaining({ visitedOn: '2019-06-01', kind: 'home' })]);
      await request(t.http)
        .post(`/api/contracts/${c.id}/follow-ups`)
        .set(as('caseworker'))
        .send({ visitedOn: '2019-06-01', kind: 'walk' })
        .expect(400);
      await request(t.http)
        .post(`/api/contracts/${c.id}/follow-ups`)
        .set(as('officer1'))
        .send({ visitedOn: '2019-06-01', kind: 'home' })
        .expect(403);
      t.clock.set('2020-04-15T02:00:00Z');
    });

    it('computes the status at its boundaries, the same in the list filter as on the contract', async () => {
      const personId = await patientWith('hypertension', VILLAGE_B);
      const c = (
        await createContract({
          personId,
          institution: '东塬卫生院',
          doctorName: '赵医生',
          signedOn: '2020-01-15',
          diseaseCodes: ['hypertension'],
        }).expect(201)
      ).body;
      const statusOn = async (instant: string) => {
        t.clock.set(instant);
        const one = await request(t.http).get(`/api/contracts/${c.id}`).set(as('caseworker')).expect(200);
        for (const status of ['active', 'noncompliant', 'expired']) {
          const list = await request(t.http)
            .get(`/api/contracts?personId=${personId}&status=${status}`)
            .set(as('caseworker'))
            .expect(200);
          expect(list.body.total).toBe(status === one.body.status ? 1 : 0);
        }
        return one.body.status as string;
      };
      expect(await statusOn('2020-04-15T02:00:00Z')).toBe('active'); // exactly a quarter in
      expect(await statusOn('2020-04-16T02:00:00Z')).toBe('noncompliant'); // a quarter and a day, no visit
      // Shortly before midnight UTC on the 15th it is already the 16th in Shanghai.
      expect(await statusOn('2020-04-15T16:30:00Z')).toBe('noncompliant');
      expect(await statusOn('2020-04-15T15:30:00Z')).toBe('active');

      t.clock.set('2020-04-16T02:00:00Z');
      await request(t.http)
        .post(`/api/contracts/${c.id}/follow-ups`)
        .set(as('caseworker'))
        .send({ visitedOn: '2020-04-16', kind: 'clinic' })
        .expect(201);
      expect(await statusOn('2020-04-16T02:00:00Z')).toBe('active');
      expect(await statusOn('2020-07-16T02:00:00Z')).toBe('noncompliant'); // 2 due by then, 1 made
      expect(await statusOn('2021-01-15T02:00:00Z')).toBe('noncompliant'); // last valid day, still 1 of 4
      expect(await statusOn('2021-01-16T02:00:00Z')).toBe('expired');
      t.clock.set('2020-04-15T02:00:00Z');
    });

    it('lists by region with scoping: an officer sees their own only', async () => {
      const mine = await patientWith('hypertension', VILLAGE_A);
      const theirs = await patientWith('hypertension', VILLAGE_B);
      for (const personId of [mine, theirs]) {
        await createContract({
          personId,
          institution: '卫生院',
          doctorName: '医生',
          signedOn: '2020-02-01',
          diseaseCodes: ['hypertension'],
        }).expect(201);
      }
      const own = await request(t.http).get('/api/contracts?pageSize=200').set(as('officer1')).expect(200);
      expect(own.body.items.every((c: { regionCode: string }) => c.regionCode.startsWith('610199001'))).toBe(true);
      expect(own.body.items.some((c: { personId: number }) => c.personId === mine)).toBe(true);
      const other = await request(t.http).get(`/api/contracts?personId=${theirs}`).set(as('officer1')).expect(200);
      expect(other.body.total).toBe(0);
      const byRegion = await request(t.http)
        .get(`/api/contracts?regionCode=610199002000&personId=${theirs}`)
        .set(as('caseworker'))
        .expect(200);
      expect(byRegion.body.total).toBe(1);
      await request(t.http).get('/api/contracts').set(as('leader')).expect(403);
      await createContract(
        {
          personId: mine,
          institution: '卫生院',
          doctorName: '医生',
          signedOn: '2020-02-01',
          diseaseCodes: ['hypertension'],
        },
        'officer1',
      ).expect(403);
    });
  });

  describe('insurance enrollment', () => {
    const put = (personId: number, year: number | string, body: object, user = 'insurance') =>
      request(t.http).put(`/api/persons/${personId}/insurance/${year}`).set(as(user)).send(body);

    it('records and replaces a year', async () => {
      const { head, householdId } = await newMembers();
      const first = await put(head, 2020, { enrolled: true, subsidized: true }).expect(200);
      expect(first.body).toEqual({
        personId: head,
        year: 2020,
        scheme: '城乡居民基本医疗保险',
        enrolled: true,
        subsidized: true,
      });
      const second = await put(head, 2020, { enrolled: false }).expect(200);
      expect(second.body).toMatchObject({ enrolled: false, subsidized: false });
      const profile = await request(t.http).get(`/api/households/${householdId}`).set(as('caseworker')).expect(200);
      expect(profile.body.members[0].insurance).toEqual([expect.objectContaining({ year: 2020, enrolled: false })]);
    });

    it.each([
      [2013, { enrolled: true }, 'year'],
      [2022, { enrolled: true }, 'year'], // the clock says 2020: at most next year
      [2020, { enrolled: false, subsidized: true }, 'subsidized'],
    ])('refuses year %s with %o naming %s', async (year, body, field) => {
      const { head } = await newMembers();
      const res = await put(head, year, body).expect(400);
      expect(res.body.field).toBe(field);
    });

    it('refuses a malformed body and non-numeric year, and the roles without the right', async () => {
      const { head } = await newMembers();
      const res = await put(head, 2020, { enrolled: 'yes' }).expect(400);
      expect(res.body.message.join()).toMatch(/enrolled/);
      await put(head, 'last', { enrolled: true }).expect(400);
      await put(head, 2020, { enrolled: true }, 'caseworker').expect(403);
      await put(head, 2020, { enrolled: true }, 'officer1').expect(403);
      await put(head, 2020, { enrolled: true }, 'admin').expect(200);
    });
  });
});

describe('GET /api/stats/overview on the demo district', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({}, { freshDatabase: true });
  });

  afterAll(() => t.close());

  it('reproduces the work report: 399 households, 956 persons, 631 patients (66.0 %), 34 / 59 still poor', async () => {
    const token = await t.login('leader');
    const res = await request(t.http)
      .get('/api/stats/overview?regionCode=610199000000')
      .set('Authorization', token)
      .expect(200);
    expect(res.body).toMatchObject({
      households: 399,
      persons: 956,
      patients: 631,
      patientShare: 66,
      poorHouseholds: 34,
      poorPersons: 59,
    });
    expect(res.body.byRegion.map((r: { name: string }) => r.name)).toEqual([
      '城关街道',
      '东塬街道',
      '南川街道',
      '西岭街道',
      '北辰街道',
    ]);
    const sum = (key: string) => res.body.byRegion.reduce((n: number, r: Record<string, number>) => n + r[key], 0);
    expect([sum('households'), sum('persons'), sum('patients')]).toEqual([399, 956, 631]);
  });

  it('breaks a sub-district down by village, and confines an officer to theirs', async () => {
    const caseworker = await t.login('caseworker');
    const sub = await request(t.http)
      .get('/api/stats/overview?regionCode=610199001000')
      .set('Authorization', caseworker)
      .expect(200);
    expect(
      sub.body.byRegion.every(
        (r: { regionCode: string }) => r.regionCode.startsWith('610199001') && !r.regionCode.endsWith('000'),
      ),
    ).toBe(true);

    const officer = await t.login('officer1');
    const own = await request(t.http).get('/api/stats/overview').set('Authorization', officer).expect(200);
    expect(own.body.households).toBe(sub.body.households);
    expect(own.body.byRegion).toHaveLength(1);
    const other = await request(t.http)
      .get('/api/stats/overview?regionCode=610199002000')
      .set('Authorization', officer)
      .expect(200);
    expect(other.body).toMatchObject({ households: 0, persons: 0, byRegion: [] });
    await request(t.http).get('/api/stats/overview?regionCode=61').set('Authorization', officer).expect(400);
  });

  it('counts the demo contracts as planted: some expired and some short of follow-ups on 2020-04-15', async () => {
    t.clock.set('2020-04-15T02:00:00Z');
    const caseworker = await t.login('caseworker');
    const count = async (status: string) =>
      (
        await request(t.http)
          .get(`/api/contracts?status=${status}&pageSize=1`)
          .set('Authorization', caseworker)
          .expect(200)
      ).body.total;
    expect(await count('expired')).toBe(4);
    expect(await count('noncompliant')).toBe(10);
    expect(await count('active')).toBeGreaterThan(100);
  });
});
