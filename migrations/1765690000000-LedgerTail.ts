import type { MigrationInterface, QueryRunner } from 'typeorm';

const GENESIS_HASH = '0'.repeat(64);

/**
 * Issue #21: the end of each item's hash chain kept on the item (`ledgerSeq`, `ledgerHash`: the seq
 * and hash of its last ledger entry; 0 and the genesis hash before the first), so that an append
 * reads the tail from the item row it locks instead of reading the ledger. Filled set-based from
 * ledger_entries. Plain ALTER TABLE on both databases: SQLite adds (and drops) a column in place,
 * where TypeORM's addColumn would rebuild the table and lose its triggers.
 */
export class LedgerTail1765690000000 implements MigrationInterface {
  name = 'LedgerTail1765690000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql';
    if (mysql) {
      await q.query(
        `ALTER TABLE items ADD COLUMN ledgerSeq int NOT NULL DEFAULT 0, ADD COLUMN ledgerHash varchar(64) NOT NULL DEFAULT '${GENESIS_HASH}'`,
      );
      await q.query(
        `UPDATE items i
           JOIN (SELECT itemId, MAX(seq) AS seq FROM ledger_entries GROUP BY itemId) m ON m.itemId = i.id
           JOIN ledger_entries e ON e.itemId = m.itemId AND e.seq = m.seq
         SET i.ledgerSeq = e.seq, i.ledgerHash = e.hash`,
      );
    } else {
      await q.query('ALTER TABLE items ADD COLUMN ledgerSeq integer NOT NULL DEFAULT (0)');
      await q.query(`ALTER TABLE items ADD COLUMN ledgerHash varchar(64) NOT NULL DEFAULT ('${GENESIS_HASH}')`);
      await q.query(
        `UPDATE items SET (ledgerSeq, ledgerHash) = (
           SELECT e.seq, e.hash FROM ledger_entries e WHERE e.itemId = items.id ORDER BY e.seq DESC LIMIT 1)
         WHERE id IN (SELECT itemId FROM ledger_entries)`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'mysql') {
      await q.query('ALTER TABLE items DROP COLUMN ledgerHash, DROP COLUMN ledgerSeq');
    } else {
      await q.query('ALTER TABLE items DROP COLUMN ledgerHash');
      await q.query('ALTER TABLE items DROP COLUMN ledgerSeq');
    }
  }
}
