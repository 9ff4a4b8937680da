import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/app/data-source.js';
import { createTestApp, type TestApp } from './utils/create-test-app.js';

/**
 * What TypeORM's schema builder would change to make a database fit the entities. On MariaDB the
 * schema is read with TypeORM's `mariadb` dialect: the app connects as `mysql`, and that dialect
 * misreads MariaDB's catalogue — every nullable column's default comes back as the text 'NULL' and
 * `current_timestamp()` never equals an entity's default, so it would propose to alter columns that
 * are already right (typeorm/typeorm#8576, #11038, #11237; the workaround of #986 is for `mariadb` only).
 */
async function pendingSchemaChanges(t: TestApp): Promise<string[]> {
  const db = t.app.get(DataSource);
  const options = dataSourceOptions(t.config);
  const reader =
    options.type === 'mysql' && (await isMariaDb(db))
      ? await new DataSource({ ...options, type: 'mariadb', replication: undefined }).initialize()
      : db;
  try {
    const { upQueries } = await reader.driver.createSchemaBuilder().log();
    return upQueries.map((q) => q.query);
  } finally {
    if (reader !== db) {
      await reader.destroy();
    }
  }
}

async function isMariaDb(db: DataSource): Promise<boolean> {
  const [{ version }] = await db.query<{ version: string }[]>('SELECT VERSION() AS version');
  return version.includes('MariaDB');
}

/** The tables the newest migration creates (1765700000000-LedgerTail adds columns only). */
const CREATED_BY_NEWEST: string[] = [];

describe('the schema the migrations build (schema drift)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({}, { freshDatabase: true });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('is the schema the entities describe: the schema builder has nothing to change', async () => {
    expect(await pendingSchemaChanges(t)).toEqual([]);
  });

  it('the newest migration undoes and applies again, keeping every row, and ends in step again', async () => {
    const db = t.app.get(DataSource);
    // The rows of every table the migration does not create (a table it creates is gone while it is undone).
    const counts = async (): Promise<Record<string, number>> => {
      const rows: Record<string, number> = {};
      const tables = db.entityMetadatas.map((m) => m.tableName).filter((t) => !CREATED_BY_NEWEST.includes(t));
      for (const tableName of tables) {
        const [{ n }] = await db.query<{ n: number | string }[]>(`SELECT COUNT(*) AS n FROM ${tableName}`);
        rows[tableName] = Number(n);
      }
      return rows;
    };
    const before = await counts();
    expect(before.items).toBeGreaterThan(0);

    // SQLite: undoLastMigration turns foreign keys off only inside its transaction, where the pragma
    // does nothing, and the migration copies tables (runMigrations turns them off before).
    const sqlite = db.options.type !== 'mysql';
    if (sqlite) {
      await db.query('PRAGMA foreign_keys = OFF');
    }
    await db.undoLastMigration({ transaction: 'each' });
    if (sqlite) {
      await db.query('PRAGMA foreign_keys = ON');
    }
    expect(await pendingSchemaChanges(t)).not.toEqual([]);
    expect(await counts()).toEqual(before);

    expect(await db.runMigrations({ transaction: 'each' })).toHaveLength(1);
    expect(await pendingSchemaChanges(t)).toEqual([]);
    expect(await counts()).toEqual(before);
  });
});
