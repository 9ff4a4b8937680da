import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/**
 * The item list without a status filter (issue #8): an officer's `regionCode = ? ORDER BY deadline, id
 * LIMIT 20` read in order from (regionCode, deadline), and the district-wide list's `ORDER BY
 * deadline, id` from (deadline) — both end in the id (InnoDB's primary key, SQLite's rowid) —
 * instead of sorting a sub-district's 200 000 rows, or the district's million. (regionCode, status,
 * deadline) and (status, deadline) stay for the status filter and its count.
 */
export class ItemsListIndex1764900000000 implements MigrationInterface {
  name = 'ItemsListIndex1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'items',
      new TableIndex({ name: 'IDX_items_region_deadline', columnNames: ['regionCode', 'deadline'] }),
    );
    await q.createIndex('items', new TableIndex({ name: 'IDX_items_deadline', columnNames: ['deadline'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('items', 'IDX_items_deadline');
    await q.dropIndex('items', 'IDX_items_region_deadline');
  }
}
