import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/** Single-column unique keys: TypeORM's generated constraint names become named unique indexes. */
const UNIQUE_KEYS = [
  { table: 'users', column: 'username', from: 'UQ_fe0bb3f6520ee0469504521e710', to: 'UQ_users_username' },
  { table: 'households', column: 'registryNo', from: 'UQ_c800ac1b0ee1bda1ac73a9d7f0f', to: 'UQ_households_registryNo' },
  { table: 'persons', column: 'idNumber', from: 'UQ_3dabe5adeb9030e671ff46bc71c', to: 'UQ_persons_idNumber' },
];

/** The foreign keys released without an ON DELETE rule (a region, a disease in use cannot be removed). */
const FKS_WITHOUT_RULE = ['FK_households_region', 'FK_conditions_disease', 'FK_contract_diseases_disease'];

/** MySQL: the tables with a created/updated timestamp (CreateDateColumn, UpdateDateColumn). */
const TIMESTAMPS: { table: string; created: boolean; updated: boolean }[] = [
  { table: 'users', created: true, updated: false },
  { table: 'households', created: true, updated: true },
  { table: 'persons', created: true, updated: true },
  { table: 'conditions', created: true, updated: true },
  { table: 'contracts', created: true, updated: false },
  { table: 'follow_ups', created: true, updated: false },
  { table: 'insurance_enrollments', created: false, updated: true },
  { table: 'campaigns', created: true, updated: false },
  { table: 'items', created: true, updated: true },
  { table: 'import_jobs', created: true, updated: true },
  { table: 'reconciliations', created: true, updated: true },
];

/** SQLite: every table the released migrations made, but regions (nothing of it differs). */
const SQLITE_TABLES = [
  'users',
  'households',
  'persons',
  'diseases',
  'conditions',
  'contracts',
  'contract_diseases',
  'follow_ups',
  'insurance_enrollments',
  'campaigns',
  'items',
  'ledger_entries',
  'escalation_runs',
  'notifications',
  'id_access_log',
  'import_jobs',
  'import_row_errors',
  'reconciliations',
  'discrepancies',
  'enrollment_changes',
];

/** How a released column or key is spelled, and how the entities spell it (SQLite). */
interface Spelling {
  int: string;
  boolean: (value: string) => string;
  now: string;
  onDelete: (name: string, rule: string) => string;
  onUpdate: string;
  unique: 'constraint' | 'index';
}

const RELEASED: Spelling = {
  int: 'int',
  boolean: (value) => (value === '1' ? 'true' : value === '0' ? 'false' : value),
  now: 'CURRENT_TIMESTAMP',
  onDelete: (name, rule) => (FKS_WITHOUT_RULE.includes(name) ? 'NO ACTION' : rule),
  onUpdate: 'NO ACTION',
  unique: 'constraint',
};

const ENTITIES: Spelling = {
  int: 'integer',
  boolean: (value) => (value === 'true' ? '1' : value === 'false' ? '0' : value),
  now: "datetime('now')",
  onDelete: (_name, rule) => (rule === 'NO ACTION' ? 'RESTRICT' : rule),
  onUpdate: 'RESTRICT',
  unique: 'index',
};

/**
 * The schema TypeORM's entities describe, so that the schema builder finds nothing to change (issue
 * #14, test/schema-drift.e2e-spec.ts). No row changes; what changes:
 * - every unique key is a named index (UQ_users_username, UQ_households_registryNo, UQ_persons_idNumber);
 * - MySQL: created/updated timestamps keep microseconds (datetime(6), as TypeORM's date columns are;
 *   SQLite kept the milliseconds already) and updatedAt follows every change of its row;
 * - SQLite: the columns are spelled as TypeORM spells them (integer, boolean defaults 1/0,
 *   datetime('now')) and every foreign key names its rules (ON DELETE RESTRICT where none was given,
 *   ON UPDATE RESTRICT, which is what MySQL does without one). SQLite changes a table only by copying
 *   it, so each table is copied once; the migration runs with foreign keys off (TypeORM's migration run).
 */
export class SchemaMatchesEntities1765100000000 implements MigrationInterface {
  name = 'SchemaMatchesEntities1765100000000';

  async up(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'mysql') {
      await mysqlTimestamps(q, 'DATETIME(6)', 'CURRENT_TIMESTAMP(6)', ' ON UPDATE CURRENT_TIMESTAMP(6)');
      for (const key of UNIQUE_KEYS) {
        await q.query(
          `ALTER TABLE \`${key.table}\` DROP INDEX \`${key.from}\`, ADD UNIQUE INDEX \`${key.to}\` (\`${key.column}\`)`,
        );
      }
      return;
    }
    await rebuildAllSqlite(q, RELEASED, ENTITIES);
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'mysql') {
      for (const key of UNIQUE_KEYS) {
        await q.query(
          `ALTER TABLE \`${key.table}\` DROP INDEX \`${key.to}\`, ADD UNIQUE INDEX \`${key.from}\` (\`${key.column}\`)`,
        );
      }
      await mysqlTimestamps(q, 'DATETIME', 'CURRENT_TIMESTAMP', '');
      return;
    }
    await rebuildAllSqlite(q, ENTITIES, RELEASED);
  }
}

/** One ALTER per table (one copy of it) for its createdAt and updatedAt. */
async function mysqlTimestamps(q: QueryRunner, type: string, now: string, onUpdate: string): Promise<void> {
  for (const { table, created, updated } of TIMESTAMPS) {
    const changes = [
      ...(created ? [`MODIFY \`createdAt\` ${type} NOT NULL DEFAULT ${now}`] : []),
      ...(updated ? [`MODIFY \`updatedAt\` ${type} NOT NULL DEFAULT ${now}${onUpdate}`] : []),
    ];
    await q.query(`ALTER TABLE \`${table}\` ${changes.join(', ')}`);
  }
}

/**
 * A table is dropped while others still refer to it, so foreign keys must be off: TypeORM's
 * runMigrations turns them off before its transaction; undoLastMigration only inside it, where
 * SQLite ignores the pragma (run `PRAGMA foreign_keys = OFF` first). The copies are checked at the end.
 */
async function rebuildAllSqlite(q: QueryRunner, from: Spelling, to: Spelling): Promise<void> {
  const [{ foreign_keys: enforced }] = (await q.query('PRAGMA foreign_keys')) as { foreign_keys: number }[];
  if (enforced) {
    throw new Error('SchemaMatchesEntities copies tables: run it with PRAGMA foreign_keys = OFF');
  }
  for (const name of SQLITE_TABLES) {
    await rebuildSqlite(q, name, from, to);
  }
  const broken = (await q.query('PRAGMA foreign_key_check')) as unknown[];
  if (broken.length > 0) {
    throw new Error(`SchemaMatchesEntities: ${broken.length} rows lost their referenced row`);
  }
}

/**
 * SQLite's way to change a table: a copy in the new shape, the rows copied over, the old one
 * dropped and the copy renamed (what TypeORM does itself, with public calls only).
 */
async function rebuildSqlite(q: QueryRunner, name: string, from: Spelling, to: Spelling): Promise<void> {
  const table = await q.getTable(name);
  if (!table) {
    throw new Error(`table ${name} not found`);
  }
  const uniqueKey = UNIQUE_KEYS.find((key) => key.table === name);
  const columns = table.columns.map((old) => {
    const column = old.clone();
    if (column.type === from.int && !column.isGenerated) {
      column.type = to.int;
    }
    if (column.type === 'boolean' && column.default !== undefined) {
      column.default = to.boolean(String(column.default));
    }
    if (column.default === from.now) {
      column.default = to.now;
    }
    column.isUnique = false;
    return column;
  });
  const foreignKeys = table.foreignKeys.map(
    (fk) =>
      new TableForeignKey({
        name: fk.name,
        columnNames: fk.columnNames,
        referencedTableName: fk.referencedTableName,
        referencedColumnNames: fk.referencedColumnNames,
        onDelete: to.onDelete(fk.name ?? '', fk.onDelete ?? 'NO ACTION'),
        onUpdate: to.onUpdate,
      }),
  );
  const indices = table.indices.filter((index) => index.name !== uniqueKey?.to);
  if (uniqueKey && to.unique === 'index') {
    indices.push(new TableIndex({ name: uniqueKey.to, columnNames: [uniqueKey.column], isUnique: true }));
  }
  const uniques =
    uniqueKey && to.unique === 'constraint' ? [{ name: uniqueKey.from, columnNames: [uniqueKey.column] }] : [];

  const copy = `temporary_${name}`;
  await q.createTable(new Table({ name: copy, columns, foreignKeys, uniques }));
  const list = columns.map((column) => `"${column.name}"`).join(', ');
  await q.query(`INSERT INTO "${copy}" (${list}) SELECT ${list} FROM "${name}"`);
  await q.query(`DROP TABLE "${name}"`);
  await q.query(`ALTER TABLE "${copy}" RENAME TO "${name}"`);
  for (const index of indices) {
    const unique = index.isUnique ? 'UNIQUE ' : '';
    const on = index.columnNames.map((column) => `"${column}"`).join(', ');
    await q.query(`CREATE ${unique}INDEX "${index.name}" ON "${name}" (${on})`);
  }
}
