import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

const id = {
  name: 'id',
  type: 'integer',
  isPrimary: true,
  isGenerated: true,
  generationStrategy: 'increment' as const,
};

/** Runs of the deadline escalation job and the in-app notifications it writes (issue #5). */
export class Escalation1764600000000 implements MigrationInterface {
  name = 'Escalation1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'escalation_runs',
        columns: [
          id,
          { name: 'asOf', type: 'date' },
          { name: 'trigger', type: 'varchar', length: '16' },
          { name: 'startedBy', type: 'int', isNullable: true },
          { name: 'dryRun', type: 'boolean', default: false },
          { name: 'level1', type: 'int', default: 0 },
          { name: 'level2', type: 'int', default: 0 },
          { name: 'level3', type: 'int', default: 0 },
          { name: 'level4', type: 'int', default: 0 },
          { name: 'escalated', type: 'int', default: 0 },
          { name: 'durationMs', type: 'int', isNullable: true },
          { name: 'startedAt', type: 'datetime' },
          { name: 'finishedAt', type: 'datetime', isNullable: true },
          { name: 'error', type: 'varchar', length: '500', isNullable: true },
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'notifications',
        columns: [
          id,
          { name: 'userId', type: 'int' },
          { name: 'itemId', type: 'int' },
          { name: 'level', type: 'int' },
          { name: 'title', type: 'varchar', length: '255' },
          { name: 'body', type: 'text' },
          { name: 'createdAt', type: 'datetime' },
          { name: 'readAt', type: 'datetime', isNullable: true },
        ],
        // With the table, so that MySQL's foreign keys use them and SQLite need not rebuild the table.
        indices: [
          new TableIndex({ name: 'IDX_notifications_user_id', columnNames: ['userId', 'id'] }),
          new TableIndex({ name: 'IDX_notifications_user_read', columnNames: ['userId', 'readAt'] }),
          new TableIndex({ name: 'IDX_notifications_item', columnNames: ['itemId'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_notifications_user',
            columnNames: ['userId'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
          new TableForeignKey({
            name: 'FK_notifications_item',
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
    await q.dropTable('notifications');
    await q.dropTable('escalation_runs');
  }
}
