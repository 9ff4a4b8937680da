import request from 'supertest';
import { householdInput, VILLAGE_A } from './factories/households.js';
import { newCampaign } from './factories/items.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';

describe('major diseases: confirmation, hospital, start of treatment, declined (issue #18)', () => {
  let t: TestApp;
  let admin: string;
  let caseworker: string;

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2020-04-15T02:00:00Z');
    admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    caseworker = await t.login('caseworker');
  });

  afterAll(() => t.close());

  async function newPerson(): Promise<number> {
    const res = await request(t.http)
      .post('/api/households')
      .set('Authorization', caseworker)
      .send(householdInput({ regionCode: VILLAGE_A }))
      .expect(201);
    return res.body.members[0].id as number;
  }

  const addCondition = (personId: number, body: object) =>
    request(t.http)
      .post(`/api/persons/${personId}/conditions`)
      .set('Authorization', caseworker)
      .send({ diseaseCode: 'gastric_cancer', diagnosedOn: '2020-02-01', treatmentCategory: 'concentrated', ...body });

  it('records confirmation, hospital and start of treatment', async () => {
    const res = await addCondition(await newPerson(), {
      confirmedOn: '2020-02-10',
      hospital: '区人民医院',
      treatmentStartedOn: '2020-02-20',
      treatmentStatus: 'in_treatment',
    }).expect(201);
    expect(res.body).toMatchObject({
      confirmedOn: '2020-02-10',
      hospital: '区人民医院',
      treatmentStartedOn: '2020-02-20',
    });
  });

  it.each([
    [{ treatmentStatus: 'declined' }, 'declineReason'],
    [{ treatmentStatus: 'declined', declineReason: '  ' }, 'declineReason'],
    [{ confirmedOn: '2020-01-31' }, 'confirmedOn'], // before the diagnosis
    [{ confirmedOn: '2020-04-16' }, 'confirmedOn'], // in the future
    [{ confirmedOn: '2020-02-10', treatmentStartedOn: '2020-02-09' }, 'treatmentStartedOn'],
    [{ diseaseCode: 'hypertension', treatmentCategory: 'contracted', confirmedOn: '2020-02-10' }, 'confirmedOn'],
    [{ treatmentStatus: 'cured' }, 'treatmentStatus'],
  ])('refuses %o naming %s, and records nothing', async (body, field) => {
    const personId = await newPerson();
    const res = await addCondition(personId, body).expect(400);
    expect(res.body.field ?? res.body.message.join(' ')).toContain(field);
    const list = await request(t.http).get(`/api/persons/${personId}/conditions`).set('Authorization', caseworker);
    expect(list.body.items).toEqual([]);
  });

  it('declines with a reason, and a change of status drops the reason; starting treatment dates it today', async () => {
    const created = await addCondition(await newPerson(), { treatmentStatus: 'untreated', confirmedOn: '2020-03-01' });
    const patch = (body: object) =>
      request(t.http).patch(`/api/conditions/${created.body.id}`).set('Authorization', caseworker).send(body);
    const refused = await patch({ treatmentStatus: 'declined', version: 1 }).expect(400);
    expect(refused.body.field).toBe('declineReason');
    const declined = await patch({ treatmentStatus: 'declined', declineReason: '家属放弃', version: 1 }).expect(200);
    expect(declined.body).toMatchObject({ treatmentStatus: 'declined', declineReason: '家属放弃', version: 2 });
    const started = await patch({ treatmentStatus: 'in_treatment', version: 2 }).expect(200);
    expect(started.body).toMatchObject({ declineReason: null, treatmentStartedOn: '2020-04-15' });
  });

  it('finds an untreated major disease on day 31 after confirmation, not on day 30, never a declined one', async () => {
    const campaign = await newCampaign(t, admin, { year: 2020 });
    const day30 = await newPerson();
    const day31 = await newPerson();
    const declined = await newPerson();
    const started = await newPerson();
    await addCondition(day30, { treatmentStatus: 'untreated', confirmedOn: '2020-03-16' }).expect(201);
    await addCondition(day31, { treatmentStatus: 'untreated', confirmedOn: '2020-03-15' }).expect(201);
    await addCondition(declined, {
      treatmentStatus: 'declined',
      declineReason: '本人拒绝',
      confirmedOn: '2020-02-05',
    }).expect(201);
    await addCondition(started, {
      treatmentStatus: 'in_treatment',
      confirmedOn: '2020-02-05',
      treatmentStartedOn: '2020-04-15',
    }).expect(201);
    await request(t.http)
      .post('/api/checks/run')
      .set('Authorization', caseworker)
      .send({ campaignId: campaign.id, asOf: '2020-04-15' })
      .expect(200);
    const items = await request(t.http)
      .get(`/api/items?campaignId=${campaign.id}&category=treatment&pageSize=200`)
      .set('Authorization', caseworker)
      .expect(200);
    const subjects = items.body.items.map((i: { subjectId: number }) => i.subjectId);
    expect(subjects).toContain(day31);
    expect(subjects).not.toContain(day30);
    expect(subjects).not.toContain(declined);
    expect(subjects).not.toContain(started);
    // As of the day before treatment started, that patient was waiting too long.
    const earlier = await newCampaign(t, admin, { year: 2020, treatmentStartDays: 60 });
    await request(t.http)
      .post('/api/checks/run')
      .set('Authorization', caseworker)
      .send({ campaignId: earlier.id, asOf: '2020-04-14' })
      .expect(200);
    const waiting = await request(t.http)
      .get(`/api/items?campaignId=${earlier.id}&category=treatment&pageSize=200`)
      .set('Authorization', caseworker)
      .expect(200);
    const waited = waiting.body.items.map((i: { subjectId: number }) => i.subjectId);
    expect(waited).toContain(started); // confirmed 2020-02-05: day 69 > 60
    expect(waited).not.toContain(day31); // day 30 ≤ 60
  });

  it('takes treatmentStartDays on a campaign, 30 by default', async () => {
    expect((await newCampaign(t, admin)).treatmentStartDays).toBe(30);
    const bad = await request(t.http)
      .post('/api/campaigns')
      .set('Authorization', admin)
      .send({ name: '测试专项救治期限', treatmentStartDays: 0 })
      .expect(400);
    expect(JSON.stringify(bad.body)).toContain('treatmentStartDays');
  });
});
