import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/** The access log of full ID number reads (issue #8). */
export class IdAccessLog1764800000000 implements MigrationInterface {
  name = 'IdAccessLog1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'id_access_log',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'userId', type: 'int' },
          { name: 'username', type: 'varchar', length: '64' },
          { name: 'personId', type: 'int' },
          { name: 'at', type: 'varchar', length: '24' },
          { name: 'address', type: 'varchar', length: '64', isNullable: true },
        ],
        indices: [{ name: 'IDX_id_access_log_person', columnNames: ['personId'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('id_access_log');
  }
}
