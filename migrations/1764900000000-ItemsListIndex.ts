import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/**
 * The officer's item list without a status filter (issue #8): `regionCode = ? ORDER BY deadline, id
 * LIMIT 20` read in order from (regionCode, deadline), which ends in the id (InnoDB's primary key,
 * SQLite's rowid), instead of sorting the sub-district's 200 000 rows of (regionCode, status,
 * deadline). That index stays for the status filter and its count.
 */
export class ItemsListIndex1764900000000 implements MigrationInterface {
  name = 'ItemsListIndex1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'items',
      new TableIndex({ name: 'IDX_items_region_deadline', columnNames: ['regionCode', 'deadline'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('items', 'IDX_items_region_deadline');
  }
}
