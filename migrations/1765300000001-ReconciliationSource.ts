import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * Issue #19. `reconciliations.source`: whose roster (the insurance bureau's 医保局, the default and
 * every existing row; or the poverty office's 扶贫办), and when a poverty roster's changes were
 * written to the registry; `discrepancies.householdId`: the household a discrepancy is about.
 */
export class ReconciliationSource1765300000001 implements MigrationInterface {
  name = 'ReconciliationSource1765300000001';

  async up(q: QueryRunner): Promise<void> {
    const int = q.connection.options.type === 'mysql' ? 'int' : 'integer';
    await q.addColumns('reconciliations', [
      new TableColumn({ name: 'source', type: 'varchar', length: '16', default: "'insurance'" }),
      new TableColumn({ name: 'registryApplied', type: int, isNullable: true }),
      new TableColumn({ name: 'registryAppliedAt', type: 'datetime', isNullable: true }),
    ]);
    await q.createIndex(
      'reconciliations',
      new TableIndex({ name: 'IDX_reconciliations_source', columnNames: ['source', 'id'] }),
    );
    await q.addColumn('discrepancies', new TableColumn({ name: 'householdId', type: int, isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('discrepancies', 'householdId');
    await q.dropIndex('reconciliations', 'IDX_reconciliations_source');
    await q.dropColumns('reconciliations', ['source', 'registryApplied', 'registryAppliedAt']);
  }
}
