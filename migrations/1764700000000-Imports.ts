import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

const id = {
  name: 'id',
  type: 'integer',
  isPrimary: true,
  isGenerated: true,
  generationStrategy: 'increment' as const,
};
const createdAt = { name: 'createdAt', type: 'datetime', default: 'CURRENT_TIMESTAMP' };
const updatedAt = { name: 'updatedAt', type: 'datetime', default: 'CURRENT_TIMESTAMP' };

/** The columns every uploaded-file job has: its file, status, progress and who ran it. */
const jobColumns = [
  { name: 'status', type: 'varchar', length: '16' },
  { name: 'fileName', type: 'varchar', length: '255' },
  { name: 'storedName', type: 'varchar', length: '64' },
  { name: 'format', type: 'varchar', length: '8' },
  { name: 'encoding', type: 'varchar', length: '8', isNullable: true },
  { name: 'rowsTotal', type: 'int', isNullable: true },
  { name: 'rowsRead', type: 'int', default: 0 },
  { name: 'error', type: 'text', isNullable: true },
  { name: 'runToken', type: 'varchar', length: '36', isNullable: true },
  { name: 'createdById', type: 'int', isNullable: true },
  createdAt,
  { name: 'startedAt', type: 'datetime', isNullable: true },
  { name: 'finishedAt', type: 'datetime', isNullable: true },
  updatedAt,
];

/** Bulk import of household rosters and insurance roster reconciliation (issue #6). */
export class Imports1764700000000 implements MigrationInterface {
  name = 'Imports1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'import_jobs',
        columns: [
          id,
          { name: 'kind', type: 'varchar', length: '16' },
          ...jobColumns,
          { name: 'inserted', type: 'int', default: 0 },
          { name: 'updated', type: 'int', default: 0 },
          { name: 'unchanged', type: 'int', default: 0 },
          { name: 'rejected', type: 'int', default: 0 },
        ],
        indices: [new TableIndex({ name: 'IDX_import_jobs_status', columnNames: ['status'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'import_row_errors',
        columns: [
          id,
          { name: 'importId', type: 'int' },
          { name: 'line', type: 'int' },
          { name: 'field', type: 'varchar', length: '32' },
          { name: 'reason', type: 'varchar', length: '255' },
          // Masked (610102********1234): a rejected row's number is never kept whole.
          { name: 'idNumber', type: 'varchar', length: '32', isNullable: true },
          { name: 'registryNo', type: 'varchar', length: '64', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'IDX_import_row_errors_import_line', columnNames: ['importId', 'line'] })],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_import_row_errors_import',
            columnNames: ['importId'],
            referencedTableName: 'import_jobs',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'reconciliations',
        columns: [
          id,
          { name: 'year', type: 'int' },
          ...jobColumns,
          { name: 'rowsSkipped', type: 'int', default: 0 },
          { name: 'skipped', type: 'text', isNullable: true },
          { name: 'enrollmentApplied', type: 'int', isNullable: true },
          { name: 'enrollmentAppliedAt', type: 'datetime', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'IDX_reconciliations_status', columnNames: ['status'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'discrepancies',
        columns: [
          id,
          { name: 'reconciliationId', type: 'int' },
          { name: 'kind', type: 'varchar', length: '32' },
          // The number as the roster gave it (possibly invalid); it leaves the service masked.
          { name: 'idNumber', type: 'varchar', length: '32' },
          { name: 'line', type: 'int', isNullable: true },
          { name: 'personId', type: 'int', isNullable: true },
          { name: 'rosterName', type: 'varchar', length: '64', isNullable: true },
          { name: 'registryName', type: 'varchar', length: '64', isNullable: true },
          { name: 'regionCode', type: 'varchar', length: '12', isNullable: true },
          { name: 'detail', type: 'varchar', length: '255', isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'IDX_discrepancies_reconciliation_kind',
            columnNames: ['reconciliationId', 'kind', 'id'],
          }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_discrepancies_reconciliation',
            columnNames: ['reconciliationId'],
            referencedTableName: 'reconciliations',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('discrepancies');
    await q.dropTable('reconciliations');
    await q.dropTable('import_row_errors');
    await q.dropTable('import_jobs');
  }
}
