import request from 'supertest';
import { createTestApp, type TestApp } from './utils/create-test-app.js';

describe('health and API docs', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(() => t.close());

  it('GET /api/health answers without a token and reports the database and Redis', async () => {
    const res = await request(t.http).get('/api/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', database: 'up' });
    expect(res.body.redis).toBe(t.config.REDIS_URL ? 'up' : 'disabled');
    expect(res.body.dbType).toBe(t.config.DB_TYPE === 'mysql' ? 'mysql' : 'better-sqlite3');
  });

  it('serves the OpenAPI document listing the registry routes', async () => {
    const res = await request(t.http).get('/api/docs-json').expect(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/auth/login', '/api/households', '/api/households/{id}', '/api/persons/{id}']),
    );
    await request(t.http).get('/api/docs').expect(200).expect('content-type', /html/);
  });

  it('sends security headers and no x-powered-by', async () => {
    const res = await request(t.http).get('/api/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('every other /api route needs a token', async () => {
    const res = await request(t.http).get('/api/households').expect(401);
    expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
  });
});

describe('home page', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(() => t.close());

  it('renders in Simplified Chinese through the layout', async () => {
    const res = await request(t.http).get('/').expect(200).expect('content-type', /html/);
    expect(res.text).toMatch(/<html lang=['"]zh-CN['"]>/);
    expect(res.text).toContain('健康扶贫台账系统');
    expect(res.text).toContain('见底清零');
  });
});
