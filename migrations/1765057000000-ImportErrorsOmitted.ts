import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * An import keeps its first 1000 row errors and counts the rest (issue #12): a file of 100 000 bad
 * rows no longer writes 100 000 messages.
 */
export class ImportErrorsOmitted1765057000000 implements MigrationInterface {
  name = 'ImportErrorsOmitted1765057000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('import_jobs', new TableColumn({ name: 'errorsOmitted', type: 'int', default: 0 }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('import_jobs', 'errorsOmitted');
  }
}
