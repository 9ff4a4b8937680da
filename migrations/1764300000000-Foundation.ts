import { type MigrationInterface, type QueryRunner, Table, TableForeignKey } from 'typeorm';

const createdAt = { name: 'createdAt', type: 'datetime', default: 'CURRENT_TIMESTAMP' };
const updatedAt = { name: 'updatedAt', type: 'datetime', default: 'CURRENT_TIMESTAMP' };
const id = {
  name: 'id',
  type: 'integer',
  isPrimary: true,
  isGenerated: true,
  generationStrategy: 'increment' as const,
};

/** Regions, users, households and persons (issue #2). */
export class Foundation1764300000000 implements MigrationInterface {
  name = 'Foundation1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'regions',
        columns: [
          { name: 'code', type: 'varchar', length: '12', isPrimary: true },
          { name: 'name', type: 'varchar', length: '64' },
          { name: 'level', type: 'varchar', length: '16' },
          { name: 'parentCode', type: 'varchar', length: '12', isNullable: true },
        ],
        indices: [{ name: 'IDX_regions_parentCode', columnNames: ['parentCode'] }],
      }),
    );

    await q.createTable(
      new Table({
        name: 'users',
        columns: [
          id,
          { name: 'username', type: 'varchar', length: '64', isUnique: true },
          { name: 'passwordHash', type: 'varchar', length: '100' },
          { name: 'role', type: 'varchar', length: '32' },
          { name: 'regionCode', type: 'varchar', length: '12', isNullable: true },
          { name: 'displayName', type: 'varchar', length: '64' },
          { name: 'active', type: 'boolean', default: true },
          createdAt,
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'households',
        columns: [
          id,
          { name: 'registryNo', type: 'varchar', length: '32', isUnique: true },
          { name: 'regionCode', type: 'varchar', length: '12' },
          { name: 'povertyCause', type: 'varchar', length: '16' },
          { name: 'registeredYear', type: 'int' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'version', type: 'int', default: 1 },
          createdAt,
          updatedAt,
        ],
        indices: [
          { name: 'IDX_households_region_status', columnNames: ['regionCode', 'status'] },
          { name: 'IDX_households_status', columnNames: ['status'] },
        ],
        foreignKeys: [
          {
            name: 'FK_households_region',
            columnNames: ['regionCode'],
            referencedTableName: 'regions',
            referencedColumnNames: ['code'],
          },
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'persons',
        columns: [
          id,
          { name: 'householdId', type: 'int' },
          { name: 'idNumber', type: 'varchar', length: '18', isUnique: true },
          { name: 'name', type: 'varchar', length: '64' },
          { name: 'sex', type: 'varchar', length: '8' },
          { name: 'birthDate', type: 'date' },
          { name: 'relation', type: 'varchar', length: '16' },
          { name: 'status', type: 'varchar', length: '16', default: "'active'" },
          { name: 'version', type: 'int', default: 1 },
          createdAt,
          updatedAt,
        ],
        indices: [
          { name: 'IDX_persons_householdId', columnNames: ['householdId'] },
          { name: 'IDX_persons_name', columnNames: ['name'] },
        ],
      }),
    );
    await q.createForeignKey(
      'persons',
      new TableForeignKey({
        name: 'FK_persons_household',
        columnNames: ['householdId'],
        referencedTableName: 'households',
        referencedColumnNames: ['id'],
        onDelete: 'RESTRICT',
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('persons');
    await q.dropTable('households');
    await q.dropTable('users');
    await q.dropTable('regions');
  }
}
