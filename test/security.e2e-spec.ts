import request from 'supertest';
import { DataSource } from 'typeorm';
import { Household } from '../src/households/household.entity.js';
import { createTestApp, type TestApp } from './utils/create-test-app.js';

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
    let nested: unknown = 'x';
    for (let i = 0; i < 5000; i++) {
      nested = { a: nested };
    }
    const res = await request(t.http)
      .post('/api/households')
      .set('Authorization', caseworker)
      .send({ members: [nested] });
    expect(res.status).toBe(400);
    const health = await request(t.http).get('/api/health').expect(200);
    expect(health.body.status).toBe('ok');
  });

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
