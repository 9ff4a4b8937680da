import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * Issue #16, the registry pages. `persons.statusChangedOn`: the day a member died (已故) or moved out
 * (迁出), null while active and for changes recorded before. `id_access_log.reason`: why the full ID
 * number was read (the household page asks; null for readings logged before).
 */
export class RegistryPages1765600000000 implements MigrationInterface {
  name = 'RegistryPages1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('persons', new TableColumn({ name: 'statusChangedOn', type: 'date', isNullable: true }));
    await q.addColumn(
      'id_access_log',
      new TableColumn({ name: 'reason', type: 'varchar', length: '200', isNullable: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('id_access_log', 'reason');
    await q.dropColumn('persons', 'statusChangedOn');
  }
}
