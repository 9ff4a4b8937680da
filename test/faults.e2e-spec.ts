import request from 'supertest';
import { toErrorBody } from '../src/common/http-exception.filter.js';
import { createTestApp, type TestApp } from './utils/create-test-app.js';
import { TcpProxy } from './utils/tcp-proxy.js';

describe('fault drills: the database goes away and comes back', () => {
  it('maps "cannot reach the database" errors to 503, not 500', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' });
    expect(toErrorBody(refused)).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    const lost = Object.assign(new Error('Connection lost'), { driverError: { code: 'PROTOCOL_CONNECTION_LOST' } });
    expect(toErrorBody(lost).statusCode).toBe(503);
    expect(toErrorBody(new Error('a bug')).statusCode).toBe(500);
  });

  // The outage itself needs a network database: on MySQL the app talks to MariaDB through a proxy that the test cuts.
  if (process.env.DB_TYPE === 'mysql') {
    let t: TestApp;
    const proxy = new TcpProxy(process.env.DB_HOST ?? '127.0.0.1', Number(process.env.DB_PORT ?? 3306));

    beforeAll(async () => {
      const port = await proxy.start();
      t = await createTestApp({ DB_HOST: '127.0.0.1', DB_PORT: String(port) });
    });

    afterAll(async () => {
      await proxy.restore();
      await t.close();
      await proxy.cut();
    });

    it('answers clear 503s while it is gone and recovers without a restart', async () => {
      const token = await t.login('caseworker');
      await request(t.http).get('/api/households?pageSize=1').set('Authorization', token).expect(200);

      await proxy.cut();
      const health = await request(t.http).get('/api/health').expect(503);
      expect(health.body).toMatchObject({ status: 'down', database: 'down' });
      const list = await request(t.http).get('/api/households?pageSize=1').set('Authorization', token);
      expect(list.status).toBe(503);
      expect(list.body).toMatchObject({ statusCode: 503, message: expect.stringMatching(/database is unavailable/) });
      expect(list.headers['retry-after']).toBe('5');

      await proxy.restore();
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await request(t.http).get('/api/health')).status;
        if (status !== 200) {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      expect(status).toBe(200);
      await request(t.http).get('/api/households?pageSize=1').set('Authorization', token).expect(200);
    });
  } else {
    it('needs no network on the embedded database: SQLite answers as long as the process runs', async () => {
      const t = await createTestApp();
      try {
        const res = await request(t.http).get('/api/health').expect(200);
        expect(res.body).toMatchObject({ database: 'up', dbType: 'better-sqlite3' });
      } finally {
        await t.close();
      }
    });
  }
});
