import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from 'typeorm';

/**
 * Issue #19, 写入登记信息 in batches. `registry_applies`: one apply of a poverty roster's chosen kinds —
 * the confirmed preview, the registry's version after its last committed batch, how far it got —
 * so that an interrupted apply resumes where it stopped; `applying` (the reconciliation's id while
 * it runs, NULL once done) is unique: one apply at a time per reconciliation.
 * `registry_changes.fromHouseholdId`: the household a person moved out of, for that household's page;
 * `changedByName`: who, as the household page names them (null for changes written before).
 */
export class RegistryApplies1765519000000 implements MigrationInterface {
  name = 'RegistryApplies1765519000000';

  async up(q: QueryRunner): Promise<void> {
    // As the entities spell it on each database (SQLite: integer).
    const int = q.connection.options.type === 'mysql' ? 'int' : 'integer';
    await q.createTable(
      new Table({
        name: 'registry_applies',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'reconciliationId', type: int },
          { name: 'applying', type: int, isNullable: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'kinds', type: 'varchar', length: '160' },
          { name: 'confirm', type: 'varchar', length: '32' },
          { name: 'runToken', type: 'varchar', length: '36', isNullable: true },
          { name: 'registryVersion', type: 'varchar', length: '96' },
          { name: 'planned', type: int },
          { name: 'applied', type: int, default: 0 },
          { name: 'startedById', type: int },
          { name: 'startedByName', type: 'varchar', length: '64' },
          { name: 'startedAt', type: 'datetime' },
          { name: 'finishedAt', type: 'datetime', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'IDX_registry_applies_reconciliation', columnNames: ['reconciliationId', 'id'] }),
          new TableIndex({ name: 'UQ_registry_applies_applying', columnNames: ['applying'], isUnique: true }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_registry_applies_reconciliation',
            columnNames: ['reconciliationId'],
            referencedTableName: 'reconciliations',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'RESTRICT',
          }),
        ],
      }),
    );
    await q.addColumns('registry_changes', [
      new TableColumn({ name: 'fromHouseholdId', type: int, isNullable: true }),
      new TableColumn({ name: 'changedByName', type: 'varchar', length: '64', isNullable: true }),
    ]);
    await q.createIndex(
      'registry_changes',
      new TableIndex({ name: 'IDX_registry_changes_from_household', columnNames: ['fromHouseholdId'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('registry_changes', 'IDX_registry_changes_from_household');
    await q.dropColumns('registry_changes', ['fromHouseholdId', 'changedByName']);
    await q.dropTable('registry_applies');
  }
}
