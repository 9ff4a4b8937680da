import request from 'supertest';
import { householdInput, VILLAGE_A } from './factories/households.js';
import { newCampaign, newItem } from './factories/items.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';

describe('follow-ups: results, readings, next due date, death (issue #18)', () => {
  let t: TestApp;
  let admin: string;
  let caseworker: string;

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2020-04-15T02:00:00Z'); // 10:00 in Shanghai
    admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    caseworker = await t.login('caseworker');
  });

  afterAll(() => t.close());

  /** A new head of household with these diseases and a contract covering them, signed on `signedOn`. */
  async function contractFor(diseaseCodes: string[], signedOn = '2020-01-15') {
    const household = await request(t.http)
      .post('/api/households')
      .set('Authorization', caseworker)
      .send(householdInput({ regionCode: VILLAGE_A }))
      .expect(201);
    const personId = household.body.members[0].id as number;
    for (const diseaseCode of diseaseCodes) {
      await request(t.http)
        .post(`/api/persons/${personId}/conditions`)
        .set('Authorization', caseworker)
        .send({ diseaseCode, diagnosedOn: '2019-01-01', treatmentCategory: 'contracted' })
        .expect(201);
    }
    const contract = await request(t.http)
      .post('/api/contracts')
      .set('Authorization', caseworker)
      .send({ personId, institution: '城关街道社区卫生服务中心', doctorName: '王医生', signedOn, diseaseCodes })
      .expect(201);
    return { personId, householdId: household.body.id as number, contract: contract.body };
  }

  /** The next due day per disease, and whether it is overdue: `2020-04-24` or `2020-04-14 overdue`. */
  const due = (contract: { nextDue: { diseaseCode: string; dueOn: string; overdue: boolean }[] }) =>
    Object.fromEntries(contract.nextDue.map((d) => [d.diseaseCode, d.overdue ? `${d.dueOn} overdue` : d.dueOn]));

  const followUp = (contractId: number, body: object) =>
    request(t.http)
      .post(`/api/contracts/${contractId}/follow-ups`)
      .set('Authorization', caseworker)
      .send({ kind: 'home', ...body });

  it('records readings, judges them, and recalls in 14 days after an uncontrolled one', async () => {
    const { contract } = await contractFor(['hypertension', 'diabetes_t2']);
    expect(due(contract)).toEqual({ hypertension: '2020-04-14 overdue', diabetes_t2: '2020-04-14 overdue' });
    const ok = await followUp(contract.id, {
      visitedOn: '2020-04-01',
      systolic: 139,
      diastolic: 89,
      fastingGlucose: 6.9,
    }).expect(201);
    expect(ok.body.followUps[0]).toMatchObject({
      result: 'visited',
      systolic: 139,
      fastingGlucose: 6.9,
      controlled: true,
    });
    expect(due(ok.body)).toEqual({ hypertension: '2020-06-30', diabetes_t2: '2020-06-30' });

    const high = await followUp(contract.id, {
      visitedOn: '2020-04-10',
      systolic: 140,
      diastolic: 85,
      fastingGlucose: 6.5,
    }).expect(201);
    expect(high.body.followUps[1]).toMatchObject({ controlled: false });
    expect(due(high.body)).toEqual({ hypertension: '2020-04-24', diabetes_t2: '2020-07-09' });
    // Unreachable or away: recorded, not counted, the due date stays.
    const away = await followUp(contract.id, { visitedOn: '2020-04-12', kind: 'phone', result: 'away' }).expect(201);
    expect(due(away.body).hypertension).toBe('2020-04-24');
    expect(away.body.followUpsDone).toBe(2);
  });

  it.each([
    [{ systolic: 39, diastolic: 30 }, 'systolic'],
    [{ systolic: 301, diastolic: 80 }, 'systolic'],
    [{ systolic: 120, diastolic: 19 }, 'diastolic'],
    [{ systolic: 250, diastolic: 201 }, 'diastolic'],
    [{ fastingGlucose: 0.9 }, 'fastingGlucose'],
    [{ fastingGlucose: 40.1 }, 'fastingGlucose'],
    [{ fastingGlucose: 'high' }, 'fastingGlucose'],
    [{ systolic: 120 }, 'diastolic'],
    [{ systolic: 120, diastolic: 80, result: 'unreachable' }, 'systolic'],
    [{ result: 'lost' }, 'result'],
    [{ visitedOn: '2020-01-14' }, 'visitedOn'], // before the contract
    [{ visitedOn: '2020-04-16' }, 'visitedOn'], // in the future of the clock
  ])('refuses %o naming %s, and records nothing', async (body, field) => {
    const { contract } = await contractFor(['hypertension', 'diabetes_t2']);
    const res = await followUp(contract.id, { visitedOn: '2020-04-01', ...body }).expect(400);
    expect(res.body.field ?? res.body.message.join(' ')).toContain(field);
    const after = await request(t.http)
      .get(`/api/contracts/${contract.id}`)
      .set('Authorization', caseworker)
      .expect(200);
    expect(after.body.followUps).toEqual([]);
  });

  it('refuses a glucose reading on a contract without diabetes', async () => {
    const { contract } = await contractFor(['hypertension']);
    const res = await followUp(contract.id, { visitedOn: '2020-04-01', fastingGlucose: 6.0 }).expect(400);
    expect(res.body.field).toBe('fastingGlucose');
  });

  it('does not count unreachable or away follow-ups towards the contract status', async () => {
    const { contract } = await contractFor(['hypertension'], '2019-06-01');
    // 2020-04-15: 319 of 366 days → floor(4 × 319 / 366) = 3 follow-ups due.
    for (const visitedOn of ['2019-08-01', '2019-11-01']) {
      await followUp(contract.id, { visitedOn }).expect(201);
    }
    const short = await followUp(contract.id, { visitedOn: '2020-02-01', result: 'unreachable' }).expect(201);
    expect(short.body.status).toBe('noncompliant');
    const listed = await request(t.http)
      .get(`/api/contracts?personId=${contract.personId}&status=noncompliant`)
      .set('Authorization', caseworker)
      .expect(200);
    expect(listed.body.total).toBe(1);
    const made = await followUp(contract.id, { visitedOn: '2020-02-02', result: 'refused' }).expect(201);
    expect(made.body.status).toBe('active');
  });

  it('ends the contract on a death, marks the person deceased and notes it on their open items', async () => {
    const { contract, personId, householdId } = await contractFor(['hypertension']);
    const campaign = await newCampaign(t, admin, { year: 2020 });
    const item = await newItem(t, caseworker, campaign.id, { subjectType: 'person', subjectId: personId });
    const died = await followUp(contract.id, { visitedOn: '2020-04-02', result: 'died' }).expect(201);
    expect(died.body).toMatchObject({ endedOn: '2020-04-02', status: 'expired' });
    const household = await request(t.http).get(`/api/households/${householdId}`).set('Authorization', caseworker);
    expect(household.body.members.find((m: { id: number }) => m.id === personId).status).toBe('deceased');
    const detail = await request(t.http).get(`/api/items/${item.id}`).set('Authorization', caseworker).expect(200);
    expect(detail.body.ledger.at(-1)).toMatchObject({
      type: 'progress',
      note: expect.stringContaining('2020年4月2日死亡'),
    });
    const verify = await request(t.http)
      .get(`/api/items/${item.id}/ledger/verify`)
      .set('Authorization', caseworker)
      .expect(200);
    expect(verify.body.valid).toBe(true);
    // A follow-up after the death is after the contract ended.
    await followUp(contract.id, { visitedOn: '2020-04-03' }).expect(400);
  });
});
