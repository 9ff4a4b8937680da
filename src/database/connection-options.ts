import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { TypeOrmLogger } from './typeorm-logger.js';

/** The schema a connection serves: the app's entity registry and migrations (src/app/data-source.ts). */
export interface Schema {
  entities: NonNullable<DataSourceOptions['entities']>;
  migrations: NonNullable<DataSourceOptions['migrations']>;
}

/** The driver side of the database (SQLite file or MySQL with its read replicas) for a given schema. */
export function connectionOptions(config: AppConfig, schema: Schema): DataSourceOptions {
  const common = {
    ...schema,
    synchronize: false,
    migrationsRun: false,
    logger: new TypeOrmLogger(),
    maxQueryExecutionTime: 2000,
  };
  if (config.DB_TYPE === 'mysql') {
    const credentials = {
      host: config.DB_HOST,
      port: config.DB_PORT,
      username: config.DB_USER,
      password: config.DB_PASSWORD,
      database: config.DB_NAME,
    };
    const replicas = (config.DB_READ_HOSTS ?? '')
      .split(',')
      .filter(Boolean)
      .map((hostPort) => {
        const [host, port] = hostPort.split(':');
        return { ...credentials, host, port: port ? Number(port) : config.DB_PORT };
      });
    return {
      ...common,
      type: 'mysql',
      ...credentials,
      // Reads stay on the primary unless a read-heavy route asks for a replica (onReplica).
      replication: replicas.length ? { master: credentials, slaves: replicas, defaultMode: 'master' } : undefined,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      dateStrings: ['DATE'],
      // trace: mysql2 would capture a stack trace for every query (a few % of a busy list's time);
      // TypeORM's QueryFailedError names the query that failed.
      extra: { connectionLimit: 20, trace: false },
    };
  }
  if (config.DB_PATH !== ':memory:') {
    mkdirSync(dirname(config.DB_PATH), { recursive: true });
  }
  return {
    ...common,
    type: 'better-sqlite3',
    database: config.DB_PATH,
    enableWAL: config.DB_PATH !== ':memory:',
    timeout: 10_000,
  };
}

/** MySQL: creates the database when it does not exist yet, so a first start needs no manual step. */
export async function ensureDatabase(config: AppConfig): Promise<void> {
  if (config.DB_TYPE !== 'mysql') {
    return;
  }
  const server = new DataSource({
    type: 'mysql',
    host: config.DB_HOST,
    port: config.DB_PORT,
    username: config.DB_USER,
    password: config.DB_PASSWORD,
  });
  await server.initialize();
  try {
    await server.query(
      `CREATE DATABASE IF NOT EXISTS \`${config.DB_NAME}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await server.destroy();
  }
}
