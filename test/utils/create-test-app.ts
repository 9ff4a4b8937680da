import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { App } from 'supertest/types.js';
import { AppModule } from '../../src/app/app.module.js';
import { configureApp } from '../../src/app/app.setup.js';
import { Clock } from '../../src/common/clock.js';
import { type AppConfig, loadConfig } from '../../src/config/app-config.js';
import { DEMO_PASSWORD } from '../../src/app/demo/demo-loader.service.js';

/** A clock the test sets; "today" still follows APP_TIMEZONE like the real one. */
export class TestClock extends Clock {
  private current = new Date('2020-04-15T02:00:00Z');

  override now(): Date {
    return new Date(this.current);
  }

  set(isoInstant: string): void {
    this.current = new Date(isoInstant);
  }
}

/** Every test app's admin password, so that whichever app creates admin on a shared database, it is known. */
export const TEST_ADMIN_PASSWORD = 'Admin-pass-2020';

export interface TestApp {
  app: NestExpressApplication;
  http: App;
  config: AppConfig;
  clock: TestClock;
  /** Logs in and returns the bearer header value. */
  login(username: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The real AppModule with the configuration from the environment (DB_TYPE=mysql with DB_NAME, and
 * REDIS_URL, select the real services). On SQLite every app gets a database file of its own; on
 * MySQL the suite shares the database named by DB_NAME unless `freshDatabase` asks for one of its
 * own (with the demo district exactly as loaded). Only the clock is replaced.
 */
export async function createTestApp(
  env: Record<string, string> = {},
  options: { freshDatabase?: boolean } = {},
): Promise<TestApp> {
  const base: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    // Queues of their own per test process: test runs sharing one Redis must not take each other's jobs.
    QUEUE_PREFIX: `hpa-test-${process.pid}`,
    ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    // Every test signs in from 127.0.0.1: the per-address allowance would run out across a suite.
    // The tests of that allowance set their own (and send X-Forwarded-For to be other addresses).
    LOGIN_ATTEMPTS_PER_MINUTE: '100000',
    ...env,
  };
  if ((base.DB_TYPE ?? 'sqlite') === 'sqlite' && !env.DB_PATH) {
    base.DB_PATH = join(mkdtempSync(join(tmpdir(), 'hpa-test-')), 'hpa.sqlite');
  }
  if (options.freshDatabase && base.DB_TYPE === 'mysql') {
    // A database of its own, dropped on close: for tests that need the demo district exactly as loaded.
    base.DB_NAME = `${base.DB_NAME ?? 'hpa_test'}_${Date.now().toString(36)}`;
  }
  const config = loadConfig(base);
  const clock = new TestClock(config);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: ['error', 'warn'] });
  configureApp(app);
  await app.init();
  const http = app.getHttpServer() as App;
  return {
    app,
    http,
    config,
    clock,
    async login(username, password = DEMO_PASSWORD) {
      const res = await request(http).post('/api/auth/login').send({ username, password });
      if (res.status !== 200) {
        throw new Error(`login of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
      }
      return `Bearer ${(res.body as { accessToken: string }).accessToken}`;
    },
    async close() {
      const db = app.get(DataSource);
      if (options.freshDatabase && config.DB_TYPE === 'mysql') {
        await db.query(`DROP DATABASE \`${config.DB_NAME}\``);
      }
      await app.close();
    },
  };
}
