import { jest } from '@jest/globals';
import request from 'supertest';
import { DataSource, type ReplicationMode } from 'typeorm';
import { loadConfig } from '../src/config/app-config.js';
import { createTestApp, type TestApp } from './utils/create-test-app.js';

describe('read replicas (DB_READ_HOSTS)', () => {
  it('refuses a malformed host list, naming the variable', () => {
    expect(() => loadConfig({ DB_READ_HOSTS: 'replica-1:3306;replica-2' })).toThrow(/DB_READ_HOSTS/);
    expect(loadConfig({ DB_READ_HOSTS: 'replica-1:3306,10.0.0.7' }).DB_READ_HOSTS).toBe('replica-1:3306,10.0.0.7');
  });

  describe('routing', () => {
    let t: TestApp;
    const modes: ReplicationMode[] = [];

    beforeAll(async () => {
      // The primary doubles as the "replica" here: what is tested is which pool each query takes.
      t = await createTestApp({ DB_READ_HOSTS: process.env.DB_HOST ?? '127.0.0.1' });
      const db = t.app.get(DataSource);
      const create = db.createQueryRunner.bind(db);
      jest.spyOn(db, 'createQueryRunner').mockImplementation((mode?: ReplicationMode) => {
        modes.push(mode ?? 'master');
        return create(mode);
      });
    });

    afterAll(() => t.close());

    it('sends the read-heavy lists to a replica on MySQL; SQLite, one file, has none', async () => {
      const token = await t.login('caseworker');
      modes.length = 0;
      await request(t.http).get('/api/households?pageSize=5').set('Authorization', token).expect(200);
      await request(t.http).get('/api/items?pageSize=5').set('Authorization', token).expect(200);
      await request(t.http).get('/api/stats/overview').set('Authorization', token).expect(200);
      const options = t.app.get(DataSource).options;
      if (options.type === 'mysql') {
        expect(options.replication?.slaves).toHaveLength(1);
        // households list, items list, and the overview's two aggregates.
        expect(modes.filter((m) => m === 'slave')).toHaveLength(4);
      } else {
        expect(options.type).toBe('better-sqlite3');
        expect('replication' in options).toBe(false);
      }
    });

    it('keeps a request that writes on the primary, so it reads its own write', async () => {
      const token = await t.login('caseworker');
      modes.length = 0;
      const campaigns = await request(t.http).get('/api/campaigns').set('Authorization', token).expect(200);
      const item = await request(t.http)
        .post('/api/items')
        .set('Authorization', token)
        .send({
          campaignId: campaigns.body.items[0].id,
          category: 'other',
          title: '读写分离测试',
          regionCode: '610199003000',
        })
        .expect(201);
      expect(item.body.ledger).toHaveLength(1);
      // On SQLite TypeORM asks every SELECT for a 'slave' runner of its one connection: nothing to route.
      if (t.config.DB_TYPE === 'mysql') {
        expect(modes.filter((m) => m === 'slave')).toEqual([]);
      }
    });
  });
});
