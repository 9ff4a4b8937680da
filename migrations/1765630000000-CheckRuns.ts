import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/** Issue #16: `check_runs`, the history of the gap checks (查漏补缺), dry runs included, for the admin's runs page. */
export class CheckRuns1765630000000 implements MigrationInterface {
  name = 'CheckRuns1765630000000';

  async up(q: QueryRunner): Promise<void> {
    // As the entities spell it on each database (SQLite: integer).
    const int = q.connection.options.type === 'mysql' ? 'int' : 'integer';
    await q.createTable(
      new Table({
        name: 'check_runs',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'campaignId', type: int },
          { name: 'asOf', type: 'date' },
          { name: 'startedBy', type: int, isNullable: true },
          { name: 'dryRun', type: 'boolean', default: 0 },
          { name: 'found', type: int, default: 0 },
          { name: 'opened', type: int, default: 0 },
          { name: 'byRule', type: 'varchar', length: '500', isNullable: true },
          { name: 'durationMs', type: int, isNullable: true },
          { name: 'startedAt', type: 'datetime' },
          { name: 'finishedAt', type: 'datetime', isNullable: true },
          { name: 'error', type: 'varchar', length: '500', isNullable: true },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('check_runs');
  }
}
