import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

const id = {
  name: 'id',
  type: 'integer',
  isPrimary: true,
  isGenerated: true,
  generationStrategy: 'increment' as const,
};
const createdAt = { name: 'createdAt', type: 'datetime', default: 'CURRENT_TIMESTAMP' };
const updatedAt = { name: 'updatedAt', type: 'datetime', default: 'CURRENT_TIMESTAMP' };

/** Campaigns, remediation items and their append-only, hash-chained ledger (issue #4). */
export class Ledger1764500000000 implements MigrationInterface {
  name = 'Ledger1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'campaigns',
        columns: [
          id,
          { name: 'name', type: 'varchar', length: '128' },
          { name: 'year', type: 'int' },
          { name: 'deadline', type: 'date' },
          { name: 'reminderDays', type: 'int', default: 14 },
          { name: 'warningDays', type: 'int', default: 3 },
          { name: 'supervisedDays', type: 'int', default: 7 },
          createdAt,
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'items',
        columns: [
          id,
          { name: 'campaignId', type: 'int' },
          { name: 'category', type: 'varchar', length: '16' },
          { name: 'title', type: 'varchar', length: '200' },
          { name: 'description', type: 'text', isNullable: true },
          { name: 'subjectType', type: 'varchar', length: '16', isNullable: true },
          { name: 'subjectId', type: 'int', isNullable: true },
          { name: 'regionCode', type: 'varchar', length: '12' },
          { name: 'responsibleDept', type: 'varchar', length: '16' },
          { name: 'deadline', type: 'date' },
          { name: 'source', type: 'varchar', length: '16' },
          { name: 'status', type: 'varchar', length: '16', default: "'open'" },
          { name: 'escalationLevel', type: 'int', default: 0 },
          { name: 'version', type: 'int', default: 1 },
          { name: 'resolution', type: 'text', isNullable: true },
          { name: 'closedAt', type: 'datetime', isNullable: true },
          { name: 'dedupeKey', type: 'varchar', length: '160', isNullable: true },
          { name: 'openKey', type: 'varchar', length: '160', isNullable: true },
          { name: 'createdById', type: 'int', isNullable: true },
          createdAt,
          updatedAt,
        ],
        // Declared with the table: in one CREATE TABLE on MySQL (the foreign keys use these indexes), and
        // on SQLite a foreign key added later would rebuild the whole table.
        indices: [
          new TableIndex({
            name: 'IDX_items_region_status_deadline',
            columnNames: ['regionCode', 'status', 'deadline'],
          }),
          new TableIndex({
            name: 'IDX_items_campaign_status_deadline',
            columnNames: ['campaignId', 'status', 'deadline'],
          }),
          new TableIndex({ name: 'IDX_items_status_deadline', columnNames: ['status', 'deadline'] }),
          new TableIndex({ name: 'IDX_items_escalation_status', columnNames: ['escalationLevel', 'status'] }),
          new TableIndex({ name: 'IDX_items_subject', columnNames: ['subjectType', 'subjectId'] }),
          // NULL once closed, and NULLs do not collide: at most one open item per dedupe key.
          new TableIndex({ name: 'UQ_items_openKey', columnNames: ['openKey'], isUnique: true }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_items_campaign',
            columnNames: ['campaignId'],
            referencedTableName: 'campaigns',
            referencedColumnNames: ['id'],
            onDelete: 'RESTRICT',
          }),
          new TableForeignKey({
            name: 'FK_items_region',
            columnNames: ['regionCode'],
            referencedTableName: 'regions',
            referencedColumnNames: ['code'],
            onDelete: 'RESTRICT',
          }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'ledger_entries',
        columns: [
          id,
          { name: 'itemId', type: 'int' },
          { name: 'seq', type: 'int' },
          { name: 'type', type: 'varchar', length: '24' },
          { name: 'actorId', type: 'int', isNullable: true },
          { name: 'actorName', type: 'varchar', length: '64' },
          // ISO instant with milliseconds as text, and the payload as its canonical JSON text: the
          // hashed bytes come back unchanged from SQLite and MySQL alike.
          { name: 'at', type: 'varchar', length: '24' },
          { name: 'note', type: 'text', isNullable: true },
          { name: 'payload', type: 'text', isNullable: true },
          { name: 'prevHash', type: 'varchar', length: '64' },
          { name: 'hash', type: 'varchar', length: '64' },
        ],
        indices: [
          new TableIndex({ name: 'UQ_ledger_entries_item_seq', columnNames: ['itemId', 'seq'], isUnique: true }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_ledger_entries_item',
            columnNames: ['itemId'],
            referencedTableName: 'items',
            referencedColumnNames: ['id'],
            onDelete: 'RESTRICT',
          }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('ledger_entries');
    await q.dropTable('items');
    await q.dropTable('campaigns');
  }
}
