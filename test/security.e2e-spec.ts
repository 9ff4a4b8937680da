import request from 'supertest';
import { DataSource } from 'typeorm';
import { Household } from '../src/households/household.entity.js';
import { QUEUE_DASHBOARD_PATH } from '../src/app/queue-dashboard.js';
import { newCampaign, newItem } from './factories/items.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { pageLogin } from './utils/pages.js';

describe('hostile input', () => {
  let t: TestApp;
  let caseworker: string;

  beforeAll(async () => {
    t = await createTestApp();
    caseworker = await t.login('caseworker');
  });

  afterAll(() => t.close());

  it('refuses a body over 1 MB with 413 before it reaches a handler', async () => {
    const res = await request(t.http)
      .post('/api/households')
      .set('Authorization', caseworker)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ registryNo: 'X'.repeat(2 * 1024 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413 });
  });

  it('answers a deeply nested body with 400, not a crash', async () => {
    // Written as text: JSON.stringify of an object 5000 deep can itself overflow the test's stack.
    const nested = `${'{"a":'.repeat(5000)}"x"${'}'.repeat(5000)}`;
    const res = await request(t.http)
      .post('/api/households')
      .set('Authorization', caseworker)
      .set('content-type', 'application/json')
      .send(`{"members":[${nested}]}`);
    expect(res.status).toBe(400);
    const health = await request(t.http).get('/api/health').expect(200);
    expect(health.body.status).toBe('ok');
  });

  it('refuses a body nested 10 000 deep with a 400 naming it, before anything parses it, and stays responsive', async () => {
    for (const [open, close] of [
      ['{"a":', '}'],
      ['[', ']'],
    ]) {
      const body = `{"members":[${open.repeat(10_000)}1${close.repeat(10_000)}]}`;
      const res = await request(t.http)
        .post('/api/households')
        .set('Authorization', caseworker)
        .set('content-type', 'application/json')
        .send(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, message: expect.stringMatching(/^body: .*嵌套/) });
    }
    // Pages too (a JSON post to a form route), and the public login.
    const page = await request(t.http)
      .post('/login')
      .set('content-type', 'application/json')
      .send(`${'['.repeat(5000)}${']'.repeat(5000)}`);
    expect(page.status).toBe(400);
    const login = await request(t.http)
      .post('/api/auth/login')
      .set('content-type', 'application/json')
      .send(`{"username":${'['.repeat(5000)}${']'.repeat(5000)}}`);
    expect(login.status).toBe(400);
    await request(t.http).get('/api/health').expect(200);
  });

  it.each([
    ['/api/households', 'page', '1e20'],
    ['/api/items', 'page', '1e20'],
    ['/api/users', 'page', '9007199254740993'],
    ['/api/notifications', 'page', '1e308'],
    ['/api/items', 'pageSize', '1e3'],
    ['/api/items', 'campaignId', 'NaN'],
    ['/api/items', 'escalationLevel', '-0.5'],
  ])('GET %s?%s=%s answers 400 naming the parameter, not 500', async (path, field, value) => {
    const admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    const res = await request(t.http)
      .get(path)
      .query({ [field]: value })
      .set('Authorization', admin)
      .expect(400);
    expect((res.body.message as string[]).join('\n')).toContain(field);
  });

  it('does not take four zero-width spaces for a resolution (nor invisible text for a note or a title)', async () => {
    const admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    const campaign = await newCampaign(t, admin);
    const item = (await newItem(t, caseworker, campaign.id)) as { id: number; version: number };
    const invisible = '\u200b\u200b\u200b\u200b';
    const close = await request(t.http)
      .post(`/api/items/${item.id}/close`)
      .set('Authorization', caseworker)
      .send({ resolution: invisible, version: item.version })
      .expect(400);
    expect((close.body.message as string[]).join('\n')).toMatch(/resolution.*可见/);
    const note = await request(t.http)
      .post(`/api/items/${item.id}/progress`)
      .set('Authorization', caseworker)
      .send({ note: '\u3164\u3164\u200d\ufeff' })
      .expect(400);
    expect((note.body.message as string[]).join('\n')).toMatch(/note/);
    const titled = await request(t.http)
      .post('/api/items')
      .set('Authorization', caseworker)
      .send({ campaignId: campaign.id, category: 'other', title: '\u200b\u200c', regionCode: '610199001000' })
      .expect(400);
    expect((titled.body.message as string[]).join('\n')).toMatch(/title/);
    const still = await request(t.http).get(`/api/items/${item.id}`).set('Authorization', caseworker).expect(200);
    expect(still.body.status).toBe('open');
  });

  // No Redis, no dashboard (escalation.e2e-spec.ts checks the page saying so): reported as skipped then.
  (process.env.REDIS_URL ? it : it.skip)(
    'the queue dashboard acts on a session cookie only with its CSRF token (bearer tokens as before; needs REDIS_URL)',
    async () => {
      const clean = `${QUEUE_DASHBOARD_PATH}/api/queues/escalation/clean/completed`;
      const agent = await pageLogin(t.http, 'admin', TEST_ADMIN_PASSWORD);
      await agent.put(clean).expect(403);
      const board = await agent.get(QUEUE_DASHBOARD_PATH).expect(200);
      const cookies = ([] as string[]).concat(board.headers['set-cookie'] ?? []);
      const xsrf = cookies.find((c) => c.startsWith('XSRF-TOKEN='));
      expect(xsrf).toMatch(/SameSite=Strict/i);
      expect(xsrf).not.toMatch(/HttpOnly/i);
      const token = decodeURIComponent(/^XSRF-TOKEN=([^;]+)/.exec(xsrf!)![1]);
      const forged = await agent.put(clean).set('X-XSRF-TOKEN', 'forged.token');
      expect(forged.status).toBe(403);
      const done = await agent.put(clean).set('X-XSRF-TOKEN', token);
      expect(done.status).toBeLessThan(300);
      const admin = await t.login('admin', TEST_ADMIN_PASSWORD);
      const bearer = await request(t.http).put(clean).set('Authorization', admin);
      expect(bearer.status).toBeLessThan(300);
    },
  );

  it('answers malformed JSON with 400', async () => {
    const res = await request(t.http)
      .post('/api/households')
      .set('Authorization', caseworker)
      .set('content-type', 'application/json')
      .send('{"registryNo": ');
    expect(res.status).toBe(400);
  });

  it.each([
    ["' OR '1'='1", 'q'],
    ['1; DROP TABLE households; --', 'q'],
    ["%' UNION SELECT idNumber FROM persons --", 'q'],
  ])('treats %s in a search as text', async (attack) => {
    const before = await t.app.get(DataSource).getRepository(Household).count();
    const res = await request(t.http)
      .get('/api/households')
      .query({ q: attack })
      .set('Authorization', caseworker)
      .expect(200);
    expect(res.body.total).toBe(0);
    expect(await t.app.get(DataSource).getRepository(Household).count()).toBe(before);
  });

  it.each([
    ['regionCode', "610199' OR 1=1 --"],
    ['status', "poor' OR '1'='1"],
    ['page', '1 OR 1=1'],
    ['pageSize', '-1'],
  ])('refuses %s=%s with a 400 naming it', async (field, value) => {
    const res = await request(t.http)
      .get('/api/households')
      .query({ [field]: value })
      .set('Authorization', caseworker)
      .expect(400);
    expect((res.body.message as string[]).join('\n')).toContain(field);
  });

  it('ignores prototype-pollution keys instead of merging them', async () => {
    const res = await request(t.http)
      .post('/api/auth/login')
      .set('content-type', 'application/json')
      .send('{"username":"caseworker","password":"Demo2020","__proto__":{"role":"admin"}}');
    expect(res.status).toBe(200);
    expect(res.body.user.role).toBe('health_caseworker');
    expect(({} as Record<string, unknown>).role).toBeUndefined();
  });
});
