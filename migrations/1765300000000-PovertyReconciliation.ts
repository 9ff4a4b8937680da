import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * Issue #19. `reconciliations.source`: whose roster (insurance bureau 医保局, poverty office 扶贫办),
 * and when a poverty roster's changes were written to the registry; `discrepancies.householdId`:
 * the household a discrepancy is about (a household's status); `registry_changes`: what applying
 * a poverty roster changed (who, when, which reconciliation, before → after).
 */
export class PovertyReconciliation1765300000000 implements MigrationInterface {
  name = 'PovertyReconciliation1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('reconciliations', [
      new TableColumn({ name: 'source', type: 'varchar', length: '16', default: "'insurance'" }),
      new TableColumn({ name: 'registryApplied', type: 'int', isNullable: true }),
      new TableColumn({ name: 'registryAppliedAt', type: 'datetime', isNullable: true }),
    ]);
    await q.createIndex(
      'reconciliations',
      new TableIndex({ name: 'IDX_reconciliations_source', columnNames: ['source', 'id'] }),
    );
    await q.addColumn('discrepancies', new TableColumn({ name: 'householdId', type: 'int', isNullable: true }));
    await q.createTable(
      new Table({
        name: 'registry_changes',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'reconciliationId', type: 'int' },
          { name: 'change', type: 'varchar', length: '32' },
          { name: 'householdId', type: 'int' },
          { name: 'personId', type: 'int', isNullable: true },
          { name: 'before', type: 'varchar', length: '32', isNullable: true },
          { name: 'after', type: 'varchar', length: '32' },
          { name: 'changedById', type: 'int' },
          { name: 'changedAt', type: 'datetime' },
        ],
        indices: [
          new TableIndex({ name: 'IDX_registry_changes_reconciliation', columnNames: ['reconciliationId'] }),
          new TableIndex({ name: 'IDX_registry_changes_household', columnNames: ['householdId'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('registry_changes');
    await q.dropColumn('discrepancies', 'householdId');
    await q.dropIndex('reconciliations', 'IDX_reconciliations_source');
    await q.dropColumns('reconciliations', ['source', 'registryApplied', 'registryAppliedAt']);
  }
}
