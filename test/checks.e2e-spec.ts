import request from 'supertest';
import { householdInput, maskedId, VILLAGE_B } from './factories/households.js';
import { newCampaign } from './factories/items.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';

const RULES = ['chronic_without_contract', 'contract_followups_short', 'not_insured', 'major_disease_untreated'];

describe('gap checks (查漏补缺)', () => {
  let t: TestApp;
  let admin: string;
  let caseworker: string;
  let insurance: string;

  beforeAll(async () => {
    t = await createTestApp({}, { freshDatabase: true });
    t.clock.set('2020-04-15T02:00:00Z');
    admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    caseworker = await t.login('caseworker');
    insurance = await t.login('insurance');
  });

  afterAll(() => t.close());

  const run = (body: object, token = caseworker) =>
    request(t.http).post('/api/checks/run').set('Authorization', token).send(body);

  it('finds a few dozen planted gaps in the demo district as of 2020-04-15, all filed already', async () => {
    const campaigns = await request(t.http).get('/api/campaigns').set('Authorization', caseworker).expect(200);
    const demo = campaigns.body.items.find((c: { name: string }) => c.name === '2020年健康扶贫问题整改');
    expect(demo).toMatchObject({ year: 2020, deadline: '2020-05-31' });

    const res = await run({ campaignId: demo.id, asOf: '2020-04-15' }).expect(200);
    expect(res.body.found).toEqual({
      chronic_without_contract: 16, // 12 never signed + 4 whose contract ran out
      contract_followups_short: 10,
      not_insured: 8,
      major_disease_untreated: 5,
    });
    // The demo district was loaded with these findings filed: nothing new opens.
    expect(res.body.opened).toEqual(Object.fromEntries(RULES.map((r) => [r, 0])));
    const items = await request(t.http)
      .get(`/api/items?campaignId=${demo.id}&pageSize=200`)
      .set('Authorization', caseworker)
      .expect(200);
    const fromChecks = items.body.items.filter(
      (i: { source: string; status: string }) => i.source === 'check' && i.status !== 'closed',
    );
    expect(fromChecks).toHaveLength(39);
    const insuranceItems = fromChecks.filter((i: { responsibleDept: string }) => i.responsibleDept === 'insurance');
    expect(insuranceItems).toHaveLength(8);
    expect(
      insuranceItems.every(
        (i: { category: string; subjectType: string }) => i.category === 'insurance' && i.subjectType === 'person',
      ),
    ).toBe(true);
  });

  it('evaluates enrollment for the year of asOf, and contracts on that day', async () => {
    const campaign = await newCampaign(t, admin, { year: 2020 });
    // Runs before the next test adds a household: everybody in the demo district is enrolled for 2019.
    const res = await run({ campaignId: campaign.id, asOf: '2019-12-31' }).expect(200);
    expect(res.body.found.not_insured).toBe(0);
    expect(res.body.asOf).toBe('2019-12-31');
    // Before any demo contract was signed, every priority patient lacks one.
    const early = await run({ campaignId: campaign.id, asOf: '2018-12-31' }).expect(200);
    expect(early.body.found.chronic_without_contract).toBeGreaterThan(100);
  });

  it('opens one item per rule and person, once: running again opens nothing', async () => {
    const campaign = await newCampaign(t, admin, { year: 2020 });
    // A hypertension patient without a contract, and nobody in the household enrolled for 2020.
    const input = householdInput({ regionCode: VILLAGE_B });
    const household = await request(t.http)
      .post('/api/households')
      .set('Authorization', caseworker)
      .send(input)
      .expect(201);
    const [head, spouse] = household.body.members;
    await request(t.http)
      .post(`/api/persons/${head.id}/conditions`)
      .set('Authorization', caseworker)
      .send({ diseaseCode: 'hypertension', diagnosedOn: '2019-05-01', treatmentCategory: 'contracted' })
      .expect(201);
    await request(t.http)
      .post(`/api/persons/${spouse.id}/conditions`)
      .set('Authorization', caseworker)
      .send({
        diseaseCode: 'gastric_cancer',
        diagnosedOn: '2019-09-01',
        treatmentCategory: 'concentrated',
        treatmentStatus: 'untreated',
      })
      .expect(201);

    // A dry run: what the run would open, the first items with the subject's ID number masked, nothing filed.
    const dry = await run({ campaignId: campaign.id, asOf: '2020-04-15', dryRun: true }).expect(200);
    expect(dry.body).toMatchObject({ dryRun: true, runId: expect.any(Number) });
    expect(dry.body.preview).toHaveLength(4);
    expect(dry.body.preview[0]).toMatchObject({ rule: 'chronic_without_contract', subjectId: head.id });
    expect(dry.body.preview[0].subject).toBe(maskedId(input.members[0].idNumber));
    expect(JSON.stringify(dry.body)).not.toContain(input.members[0].idNumber);
    const before = await request(t.http)
      .get(`/api/items?campaignId=${campaign.id}`)
      .set('Authorization', caseworker)
      .expect(200);
    expect(before.body.total).toBe(0);

    const first = await run({ campaignId: campaign.id, asOf: '2020-04-15' }).expect(200);
    expect(first.body.opened).toEqual(dry.body.opened);
    expect(first.body).toMatchObject({ dryRun: false, preview: [] });
    expect(first.body.opened).toEqual({
      chronic_without_contract: 1,
      contract_followups_short: 0,
      not_insured: 2,
      major_disease_untreated: 1,
    });
    const second = await run({ campaignId: campaign.id, asOf: '2020-04-15' }).expect(200);
    expect(second.body.opened).toEqual(Object.fromEntries(RULES.map((r) => [r, 0])));
    expect(second.body.found).toEqual(first.body.found);

    const mine = await request(t.http)
      .get(`/api/items?campaignId=${campaign.id}&pageSize=200`)
      .set('Authorization', caseworker)
      .expect(200);
    expect(mine.body.total).toBe(4);
    expect(
      mine.body.items.every(
        (i: { source: string; regionCode: string; deadline: string }) =>
          i.source === 'check' && i.regionCode === '610199002000' && i.deadline === '2020-05-31',
      ),
    ).toBe(true);
    const untreated = mine.body.items.find((i: { category: string }) => i.category === 'treatment');
    // The title names the gap; the person is the subject, the diagnosis stays in the health record (issue #12).
    expect(untreated).toMatchObject({
      subjectId: spouse.id,
      responsibleDept: 'health',
      title: '大病患者未救治',
    });

    // Mending a gap: enrollment recorded, the rule no longer finds that person; the open item stays until closed.
    await request(t.http)
      .put(`/api/persons/${head.id}/insurance/2020`)
      .set('Authorization', insurance)
      .send({ enrolled: true })
      .expect(200);
    const third = await run({ campaignId: campaign.id, asOf: '2020-04-15' }).expect(200);
    expect(third.body.found.not_insured).toBe(first.body.found.not_insured - 1);

    // Closed: a gap still there opens a new item on the next run.
    const notInsured = mine.body.items.find(
      (i: { category: string; subjectId: number }) => i.category === 'insurance' && i.subjectId === spouse.id,
    );
    await request(t.http)
      .post(`/api/items/${notInsured.id}/close`)
      .set('Authorization', caseworker)
      .send({ resolution: '已通知参保，待核实', version: notInsured.version })
      .expect(200);
    const fourth = await run({ campaignId: campaign.id, asOf: '2020-04-15' }).expect(200);
    expect(fourth.body.opened).toEqual({
      chronic_without_contract: 0,
      contract_followups_short: 0,
      not_insured: 1,
      major_disease_untreated: 0,
    });
  });

  it('runs as of the clock today when asOf is left out', async () => {
    const campaign = await newCampaign(t, admin, { year: 2020 });
    const res = await run({ campaignId: campaign.id }).expect(200);
    expect(res.body.asOf).toBe('2020-04-15');
  });

  it('refuses bad input naming the field, and the roles without the right', async () => {
    const unknown = await run({ campaignId: 987654 }).expect(400);
    expect(unknown.body.field).toBe('campaignId');
    const badDate = await run({ campaignId: 1, asOf: '2020-02-30' }).expect(400);
    expect(badDate.body.message.join()).toMatch(/asOf/);
    await run({ asOf: '2020-04-15' }).expect(400);
    for (const user of ['officer1', 'insurance', 'leader']) {
      await run({ campaignId: 1 }, await t.login(user)).expect(403);
    }
  });
});
