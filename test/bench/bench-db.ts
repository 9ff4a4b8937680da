import type { LogLevel } from '@nestjs/common';
import { Redis } from 'ioredis';
import { createConnection, type Connection } from 'mysql2/promise';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { type AppConfig, loadConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/app/data-source.js';
import { ensureDatabase } from '../../src/database/connection-options.js';

/**
 * The app's log in a benchmark that runs it: warnings and errors, or with `BENCH_LOG` set (e.g.
 * `BENCH_LOG=log`) the app's own log at that level, which names each job's time by phase.
 */
export const BENCH_LOG = {
  level: process.env.BENCH_LOG ?? 'warn',
  logger: process.env.BENCH_LOG ? undefined : (['error', 'warn'] satisfies LogLevel[]),
};

/**
 * Benchmarks run on MySQL/MariaDB (DB_HOST/DB_PORT/DB_USER/DB_PASSWORD from the environment, local
 * root by default) in a database of their own, created migrated and dropped by each benchmark.
 */
export async function benchDatabase(name: string): Promise<{
  config: AppConfig;
  db: DataSource;
  raw: Connection;
  drop: () => Promise<void>;
}> {
  const config = loadConfig({
    ...process.env,
    DB_TYPE: 'mysql',
    DB_NAME: `hpa_bench_${name}_${Date.now().toString(36)}`,
  });
  await ensureDatabase(config);
  const db = await new DataSource(dataSourceOptions(config)).initialize();
  await db.runMigrations({ transaction: 'each' });
  const raw = await createConnection({
    host: config.DB_HOST,
    port: config.DB_PORT,
    user: config.DB_USER,
    password: config.DB_PASSWORD,
    database: config.DB_NAME,
    charset: 'utf8mb4_unicode_ci',
    dateStrings: true,
  });
  return {
    config,
    db,
    raw,
    async drop() {
      await raw.query(`DROP DATABASE \`${config.DB_NAME}\``);
      await raw.end();
      await db.destroy();
    },
  };
}

/** The purge's backlog and the dirty pages below which MariaDB counts as settled. */
const SETTLED = { history: 1000, dirtyShare: 0.02 };

/**
 * Waits, for at most `limitMs`, until MariaDB has caught up with the work before: its purge of old
 * row versions (the history list) and the writing out of dirty pages, which after a million-row load
 * or an earlier benchmark's run go on in the background for a while and would be charged to
 * whatever is measured next. Answers what it saw, for the log. (MySQL has no history-length status:
 * there only the dirty pages are waited for.)
 */
export async function settled(raw: Connection, limitMs = 120_000): Promise<string> {
  const started = Date.now();
  for (;;) {
    const [rows] = await raw.query(
      "SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_history_list_length', 'Innodb_buffer_pool_pages_dirty', 'Innodb_buffer_pool_pages_total')",
    );
    const status = new Map(
      (rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name, Number(r.Value)]),
    );
    const history = status.get('Innodb_history_list_length') ?? 0;
    const dirty =
      (status.get('Innodb_buffer_pool_pages_dirty') ?? 0) / (status.get('Innodb_buffer_pool_pages_total') || 1);
    const waited = `${((Date.now() - started) / 1000).toFixed(0)} s`;
    if (history < SETTLED.history && dirty < SETTLED.dirtyShare) {
      return `settled in ${waited}`;
    }
    if (Date.now() - started > limitMs) {
      return `not settled after ${waited} (history list ${history}, ${(dirty * 100).toFixed(0)} % of pages dirty)`;
    }
    await sleep(500);
  }
}

/**
 * Removes the keys of a benchmark app's queues (`QUEUE_PREFIX`) once the app is closed: its finished
 * jobs and the daily schedules every app registers would otherwise stay in the shared Redis.
 */
export async function dropQueueKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 500 })) {
      if ((keys as string[]).length > 0) {
        await redis.del(...(keys as string[]));
      }
    }
  } finally {
    redis.disconnect();
  }
}

/** The part of better-sqlite3 (which ships no types) the benchmarks use. */
export interface RawSqlite {
  exec(sql: string): void;
  prepare(sql: string): { all(...params: unknown[]): Record<string, unknown>[] };
  close(): void;
}

const SqliteDatabase = createRequire(import.meta.url)('better-sqlite3') as new (path: string) => RawSqlite;

/**
 * A benchmark's SQLite database: a file of its own in a temporary directory, migrated, with the
 * configuration that names it (for a job process) and a raw better-sqlite3 connection; `drop`
 * closes it and deletes the directory.
 */
export async function benchSqliteDatabase(name: string): Promise<{
  config: AppConfig;
  raw: RawSqlite;
  drop: () => void;
}> {
  const dir = mkdtempSync(join(tmpdir(), `hpa-bench-${name}-`));
  const config = loadConfig({ ...process.env, DB_TYPE: 'sqlite', DB_PATH: join(dir, 'bench.sqlite') });
  const db = await new DataSource(dataSourceOptions(config)).initialize();
  await db.runMigrations({ transaction: 'each' });
  await db.destroy();
  const raw = new SqliteDatabase(config.DB_PATH);
  return {
    config,
    raw,
    drop() {
      raw.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
