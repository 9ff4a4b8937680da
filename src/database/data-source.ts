import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';
import { User } from '../auth/user.entity.js';
import type { AppConfig } from '../config/app-config.js';
import { Condition } from '../health/condition.entity.js';
import { ContractDisease } from '../health/contract-disease.entity.js';
import { Contract } from '../health/contract.entity.js';
import { EscalationRun } from '../escalation/escalation-run.entity.js';
import { Disease } from '../health/disease.entity.js';
import { FollowUp } from '../health/follow-up.entity.js';
import { InsuranceEnrollment } from '../health/insurance-enrollment.entity.js';
import { Household } from '../households/household.entity.js';
import { IdAccess } from '../households/id-access.entity.js';
import { ImportJob } from '../imports/import-job.entity.js';
import { ImportRowError } from '../imports/import-row-error.entity.js';
import { Person } from '../households/person.entity.js';
import { Campaign } from '../ledger/campaign.entity.js';
import { Item } from '../ledger/item.entity.js';
import { LedgerEntry } from '../ledger/ledger-entry.entity.js';
import { Discrepancy } from '../reconciliation/discrepancy.entity.js';
import { EnrollmentChange } from '../reconciliation/enrollment-change.entity.js';
import { Reconciliation } from '../reconciliation/reconciliation.entity.js';
import { Notification } from '../notifications/notification.entity.js';
import { Region } from '../regions/region.entity.js';
import { TypeOrmLogger } from './typeorm-logger.js';

export const ENTITIES = [
  Region,
  User,
  Household,
  Person,
  Disease,
  Condition,
  Contract,
  ContractDisease,
  FollowUp,
  InsuranceEnrollment,
  Campaign,
  Item,
  LedgerEntry,
  EscalationRun,
  Notification,
  IdAccess,
  ImportJob,
  ImportRowError,
  Reconciliation,
  Discrepancy,
  EnrollmentChange,
];

/** The one description of the database, used by the app, the migration command and the tests. */
export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
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
      extra: { connectionLimit: 20 },
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
