import { type MigrationInterface, type QueryRunner, TableColumn, TableForeignKey, TableIndex } from 'typeorm';

/**
 * Issue #16, 续签 (renewing a family-doctor contract): `contracts.renewedFromId` (the contract a
 * renewal continues; unique, so a contract is renewed once) and `contracts.version` (a renewal names
 * the version of the contract it ends, so a stale page is refused).
 */
export class ContractRenewal1765610000000 implements MigrationInterface {
  name = 'ContractRenewal1765610000000';

  async up(q: QueryRunner): Promise<void> {
    // As the entities spell it on each database (SQLite: integer).
    const int = q.connection.options.type === 'mysql' ? 'int' : 'integer';
    await q.addColumns('contracts', [
      new TableColumn({ name: 'renewedFromId', type: int, isNullable: true }),
      new TableColumn({ name: 'version', type: int, default: 1 }),
    ]);
    await q.createIndex(
      'contracts',
      new TableIndex({ name: 'UQ_contracts_renewedFrom', columnNames: ['renewedFromId'], isUnique: true }),
    );
    await q.createForeignKey(
      'contracts',
      new TableForeignKey({
        name: 'FK_contracts_renewedFrom',
        columnNames: ['renewedFromId'],
        referencedTableName: 'contracts',
        referencedColumnNames: ['id'],
        onDelete: 'RESTRICT',
        onUpdate: 'RESTRICT',
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropForeignKey('contracts', 'FK_contracts_renewedFrom');
    await q.dropIndex('contracts', 'UQ_contracts_renewedFrom');
    await q.dropColumns('contracts', ['renewedFromId', 'version']);
  }
}
