import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/** As src/ledger/item-count.entity.ts: ITEM_COUNT_SLOTS (a migration keeps its own copy of what it wrote). */
const SLOTS = 8;

const KEY = ['regionCode', 'status', 'campaignId', 'responsibleDept', 'slot'] as const;

/** The key of item row `row` (NEW or OLD in a trigger, a plain column otherwise) as item_counts values. */
const keyOf = (row: string): string[] =>
  [`${row}regionCode`, `${row}status`, `${row}campaignId`, `${row}responsibleDept`].concat(`${row}id % ${SLOTS}`);

const whereKey = (row: 'NEW' | 'OLD'): string =>
  KEY.map((column, i) => `${column} = ${keyOf(`${row}.`)[i]}`).join(' AND ');

/** MariaDB: one row's count up, the UPDATE first (a record lock only), the INSERT when the key is new. */
const mysqlAdd = (row: 'NEW'): string =>
  `UPDATE item_counts SET total = total + 1 WHERE ${whereKey(row)}; ` +
  `IF ROW_COUNT() = 0 THEN INSERT INTO item_counts (${KEY.join(', ')}, total) VALUES (${keyOf(`${row}.`).join(', ')}, 1) ` +
  'ON DUPLICATE KEY UPDATE total = total + 1; END IF;';

const mysqlRemove = (row: 'OLD'): string => `UPDATE item_counts SET total = total - 1 WHERE ${whereKey(row)};`;

const sqliteAdd = (row: 'NEW'): string =>
  `INSERT INTO item_counts (${KEY.join(', ')}, total) VALUES (${keyOf(`${row}.`).join(', ')}, 1) ` +
  `ON CONFLICT (${KEY.join(', ')}) DO UPDATE SET total = total + 1;`;

const sqliteRemove = (row: 'OLD'): string => `UPDATE item_counts SET total = total - 1 WHERE ${whereKey(row)};`;

/** The columns whose change moves an item from one count to another. */
const COUNTED = ['regionCode', 'status', 'campaignId', 'responsibleDept'];
const keyChanged = (mysql: boolean): string =>
  COUNTED.map((c) => (mysql ? `NOT (OLD.${c} <=> NEW.${c})` : `OLD.${c} IS NOT NEW.${c}`)).join(' OR ');

/**
 * Issue #21, the busy list's exact total. `item_counts`: the number of items per sub-district,
 * status, campaign and responsible department (spread over 8 slots by id, so that simultaneous
 * closes in one sub-district seldom wait for the same row), filled from `items` and kept by three
 * triggers on it, so every writer changes it in the transaction that changes the item, with no
 * round trip of its own. The UPDATE trigger does nothing unless one of those columns changed (the
 * escalation's level updates, the ledger's bookkeeping): SQLite does not even run it (`UPDATE OF …
 * WHEN`); MariaDB, which has no column list, tests it first. Where an item moves between two keys,
 * MariaDB takes the two rows' locks in the keys' order, so that a close and a reopen at the same
 * time cannot deadlock on them. Run with the app stopped, as every migration is: items written
 * between the fill and the triggers would not be counted.
 */
export class ItemCounts1765700000000 implements MigrationInterface {
  name = 'ItemCounts1765700000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql';
    const int = mysql ? 'int' : 'integer';
    await q.createTable(
      new Table({
        name: 'item_counts',
        columns: [
          { name: 'regionCode', type: 'varchar', length: '12', isPrimary: true },
          { name: 'status', type: 'varchar', length: '16', isPrimary: true },
          { name: 'campaignId', type: int, isPrimary: true },
          { name: 'responsibleDept', type: 'varchar', length: '16', isPrimary: true },
          { name: 'slot', type: int, isPrimary: true },
          { name: 'total', type: int },
        ],
      }),
    );
    await q.query(
      `INSERT INTO item_counts (${KEY.join(', ')}, total) ` +
        `SELECT ${keyOf('').join(', ')}, COUNT(*) FROM items GROUP BY ${keyOf('').join(', ')}`,
    );
    if (mysql) {
      const oldKey = `CONCAT_WS('|', ${COUNTED.map((c) => `OLD.${c}`).join(', ')})`;
      const newKey = `CONCAT_WS('|', ${COUNTED.map((c) => `NEW.${c}`).join(', ')})`;
      await q.query(
        `CREATE TRIGGER TRG_items_count_insert AFTER INSERT ON items FOR EACH ROW BEGIN ${mysqlAdd('NEW')} END`,
      );
      await q.query(
        `CREATE TRIGGER TRG_items_count_delete AFTER DELETE ON items FOR EACH ROW BEGIN ${mysqlRemove('OLD')} END`,
      );
      await q.query(
        'CREATE TRIGGER TRG_items_count_update AFTER UPDATE ON items FOR EACH ROW BEGIN ' +
          `IF ${keyChanged(true)} THEN ` +
          `IF ${oldKey} < ${newKey} THEN ${mysqlRemove('OLD')} ${mysqlAdd('NEW')} ` +
          `ELSE ${mysqlAdd('NEW')} ${mysqlRemove('OLD')} END IF; ` +
          'END IF; END',
      );
    } else {
      await q.query(`CREATE TRIGGER TRG_items_count_insert AFTER INSERT ON items BEGIN ${sqliteAdd('NEW')} END`);
      await q.query(`CREATE TRIGGER TRG_items_count_delete AFTER DELETE ON items BEGIN ${sqliteRemove('OLD')} END`);
      await q.query(
        `CREATE TRIGGER TRG_items_count_update AFTER UPDATE OF ${COUNTED.join(', ')} ON items ` +
          `WHEN ${keyChanged(false)} BEGIN ${sqliteRemove('OLD')} ${sqliteAdd('NEW')} END`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const trigger of ['TRG_items_count_update', 'TRG_items_count_delete', 'TRG_items_count_insert']) {
      await q.query(`DROP TRIGGER IF EXISTS ${trigger}`);
    }
    await q.dropTable('item_counts');
  }
}
