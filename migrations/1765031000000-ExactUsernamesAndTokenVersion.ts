import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * Issue #12. Usernames compare exactly: on MySQL the column had the database's
 * utf8mb4_unicode_ci, under which `secprobe`, `secprobe `, `sécprobe` and `ｓｅｃｐｒｏｂｅ` are one
 * account (and were four failure counters); it becomes a binary NO PAD collation
 * (MariaDB utf8mb4_nopad_bin, MySQL 8 utf8mb4_0900_bin). SQLite compares bytes already.
 * And each user gets a token version: the guard accepts only tokens that carry the current one,
 * so signing out or disabling a user ends their tokens at once.
 */
export class ExactUsernamesAndTokenVersion1765031000000 implements MigrationInterface {
  name = 'ExactUsernamesAndTokenVersion1765031000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('users', new TableColumn({ name: 'tokenVersion', type: 'int', default: 0 }));
    if (q.connection.options.type === 'mysql') {
      await this.setUsernameCollation(q, await binaryNoPadCollation(q));
    }
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'mysql') {
      await this.setUsernameCollation(q, 'utf8mb4_unicode_ci');
    }
    await q.dropColumn('users', 'tokenVersion');
  }

  /** The same column (type, length, unique index) with another collation: an ALTER … CHANGE, no copy. */
  private async setUsernameCollation(q: QueryRunner, collation: string): Promise<void> {
    const table = await q.getTable('users');
    const old = table?.findColumnByName('username');
    if (!table || !old) {
      throw new Error('users.username not found');
    }
    const changed = old.clone();
    changed.charset = 'utf8mb4';
    changed.collation = collation;
    await q.changeColumn(table, old, changed);
  }
}

/** MariaDB has utf8mb4_nopad_bin, MySQL 8 utf8mb4_0900_bin (utf8mb4_bin pads: 'a' = 'a ' there). */
async function binaryNoPadCollation(q: QueryRunner): Promise<string> {
  const rows = (await q.query(
    `SELECT COLLATION_NAME AS name FROM information_schema.COLLATIONS
     WHERE COLLATION_NAME IN ('utf8mb4_nopad_bin', 'utf8mb4_0900_bin') ORDER BY COLLATION_NAME DESC`,
  )) as { name: string }[];
  if (rows.length === 0) {
    throw new Error('the server has no binary NO PAD collation for utf8mb4 (MariaDB ≥ 10.2 or MySQL 8 needed)');
  }
  return rows[0].name;
}
