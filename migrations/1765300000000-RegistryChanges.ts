import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * Issue #19. `registry_changes`: what applying a poverty roster (扶贫办) changed in the registry —
 * which reconciliation, who, when, before → after.
 */
export class RegistryChanges1765300000000 implements MigrationInterface {
  name = 'RegistryChanges1765300000000';

  async up(q: QueryRunner): Promise<void> {
    // As the entities spell it on each database (SQLite: integer).
    const int = q.connection.options.type === 'mysql' ? 'int' : 'integer';
    await q.createTable(
      new Table({
        name: 'registry_changes',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'reconciliationId', type: int },
          { name: 'change', type: 'varchar', length: '32' },
          { name: 'householdId', type: int },
          { name: 'personId', type: int, isNullable: true },
          { name: 'before', type: 'varchar', length: '32', isNullable: true },
          { name: 'after', type: 'varchar', length: '32' },
          { name: 'changedById', type: int },
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
  }
}
