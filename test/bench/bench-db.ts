import { createConnection, type Connection } from 'mysql2/promise';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { type AppConfig, loadConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/app/data-source.js';
import { ensureDatabase } from '../../src/database/connection-options.js';

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
