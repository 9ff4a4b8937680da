import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from 'typeorm';

/**
 * Issue #15, 销号审核 (SPEC §6.2). Items gain the pending close request (`closeRequestedAt`,
 * `closeRequestedById`) and the 责任人 (`assigneeName`, `assigneePhone`); campaigns the settings
 * `closeReview` and `evidenceRequired` (existing campaigns get the default, on); notifications a
 * `kind` (existing ones are escalation notices). `attachments`: the 佐证材料 of items, whose bytes
 * are stored content-addressed under UPLOAD_DIR.
 */
export class ClosureReview1765400000000 implements MigrationInterface {
  name = 'ClosureReview1765400000000';

  async up(q: QueryRunner): Promise<void> {
    // As the entities spell it on each database (SQLite: integer).
    const mysql = q.connection.options.type === 'mysql';
    const int = mysql ? 'int' : 'integer';
    await q.addColumns('items', [
      new TableColumn({ name: 'closeRequestedAt', type: 'datetime', isNullable: true }),
      new TableColumn({ name: 'closeRequestedById', type: int, isNullable: true }),
      new TableColumn({ name: 'assigneeName', type: 'varchar', length: '32', isNullable: true }),
      new TableColumn({ name: 'assigneePhone', type: 'varchar', length: '20', isNullable: true }),
    ]);
    await q.addColumns('campaigns', [
      new TableColumn({ name: 'closeReview', type: 'boolean', default: 1 }),
      new TableColumn({ name: 'evidenceRequired', type: 'boolean', default: 1 }),
    ]);
    await q.addColumn(
      'notifications',
      new TableColumn({ name: 'kind', type: 'varchar', length: '16', default: "'escalation'" }),
    );
    await q.createTable(
      new Table({
        name: 'attachments',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'itemId', type: int },
          { name: 'sha256', type: 'varchar', length: '64' },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'type', type: 'varchar', length: '32' },
          { name: 'size', type: int },
          { name: 'uploadedById', type: int },
          mysql
            ? { name: 'createdAt', type: 'datetime', precision: 6, default: 'CURRENT_TIMESTAMP(6)' }
            : { name: 'createdAt', type: 'datetime', default: "datetime('now')" },
        ],
        indices: [
          new TableIndex({ name: 'IDX_attachments_item', columnNames: ['itemId', 'id'] }),
          new TableIndex({ name: 'IDX_attachments_sha256', columnNames: ['sha256'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_attachments_item',
            columnNames: ['itemId'],
            referencedTableName: 'items',
            referencedColumnNames: ['id'],
            onDelete: 'RESTRICT',
            onUpdate: 'RESTRICT',
          }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('attachments');
    await q.dropColumn('notifications', 'kind');
    for (const column of ['evidenceRequired', 'closeReview']) {
      await q.dropColumn('campaigns', column);
    }
    for (const column of ['assigneePhone', 'assigneeName', 'closeRequestedById', 'closeRequestedAt']) {
      await q.dropColumn('items', column);
    }
  }
}
