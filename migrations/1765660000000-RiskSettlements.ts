import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from 'typeorm';

const id = {
  name: 'id',
  type: 'integer',
  isPrimary: true,
  isGenerated: true,
  generationStrategy: 'increment' as const,
};

/**
 * Issue #20, 因病返贫致贫预警 (SPEC §6.6). `risk_settlement_uploads`: one uploaded file of the insurance
 * bureau's settlements and its progress (the columns of every upload job, the counts, the listed row
 * errors); `settlements`: one row per settlement, or per refund of one (`refund`), each counted once
 * however often it is uploaded (unique settlementNo + refund), amounts in fen; `risk_thresholds`: the
 * year's income and ratios; `risk_alerts`: at most one per person (ID number), year and threshold kind;
 * `items.outcome`: what the verification of an alert found.
 */
export class RiskSettlements1765660000000 implements MigrationInterface {
  name = 'RiskSettlements1765660000000';

  async up(q: QueryRunner): Promise<void> {
    // As the entities spell it on each database (SQLite: integer).
    const mysql = q.connection.options.type === 'mysql';
    const int = mysql ? 'int' : 'integer';
    // Created/updated timestamps as the entities spell them (see 1765100000000-SchemaMatchesEntities).
    const stamp = (name: 'createdAt' | 'updatedAt') =>
      mysql
        ? {
            name,
            type: 'datetime',
            precision: 6,
            default: 'CURRENT_TIMESTAMP(6)',
            ...(name === 'updatedAt' ? { onUpdate: 'CURRENT_TIMESTAMP(6)' } : {}),
          }
        : { name, type: 'datetime', default: "datetime('now')" };
    await q.createTable(
      new Table({
        name: 'risk_settlement_uploads',
        columns: [
          id,
          { name: 'year', type: int },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'fileName', type: 'varchar', length: '255' },
          { name: 'storedName', type: 'varchar', length: '64' },
          { name: 'format', type: 'varchar', length: '8' },
          { name: 'encoding', type: 'varchar', length: '8', isNullable: true },
          { name: 'rowsTotal', type: int, isNullable: true },
          { name: 'rowsRead', type: int, default: 0 },
          { name: 'error', type: 'text', isNullable: true },
          { name: 'runToken', type: 'varchar', length: '36', isNullable: true },
          { name: 'createdById', type: int, isNullable: true },
          stamp('createdAt'),
          { name: 'startedAt', type: 'datetime', isNullable: true },
          { name: 'finishedAt', type: 'datetime', isNullable: true },
          stamp('updatedAt'),
          { name: 'inserted', type: int, default: 0 },
          { name: 'duplicates', type: int, default: 0 },
          { name: 'rejected', type: int, default: 0 },
          { name: 'rowErrors', type: 'text', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'IDX_risk_settlement_uploads_status', columnNames: ['status'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'settlements',
        columns: [
          id,
          { name: 'settlementNo', type: 'varchar', length: '64' },
          { name: 'refund', type: 'boolean', default: 0 },
          { name: 'year', type: int },
          { name: 'idNumber', type: 'varchar', length: '18' },
          { name: 'name', type: 'varchar', length: '64' },
          { name: 'visitType', type: 'varchar', length: '32' },
          { name: 'admittedOn', type: 'date', isNullable: true },
          { name: 'dischargedOn', type: 'date', isNullable: true },
          { name: 'settledOn', type: 'date' },
          { name: 'institution', type: 'varchar', length: '128' },
          { name: 'totalFen', type: int },
          { name: 'fundFen', type: int },
          { name: 'majorFen', type: int },
          { name: 'assistFen', type: int },
          { name: 'otherFen', type: int },
          { name: 'burdenFen', type: int },
          { name: 'uploadId', type: int },
          { name: 'line', type: int },
        ],
        indices: [
          new TableIndex({ name: 'UQ_settlements_number', columnNames: ['settlementNo', 'refund'], isUnique: true }),
          new TableIndex({
            name: 'IDX_settlements_year_person',
            columnNames: ['year', 'idNumber', 'settledOn', 'burdenFen'],
          }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'risk_thresholds',
        columns: [
          { name: 'year', type: int, isPrimary: true },
          { name: 'ruralIncomeFen', type: int },
          { name: 'registeredRatioBp', type: int },
          { name: 'otherRatioBp', type: int },
          { name: 'updatedById', type: int, isNullable: true },
          stamp('updatedAt'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'risk_alerts',
        columns: [
          id,
          { name: 'year', type: int },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'idNumber', type: 'varchar', length: '18' },
          { name: 'name', type: 'varchar', length: '64' },
          { name: 'personId', type: int, isNullable: true },
          { name: 'householdId', type: int, isNullable: true },
          { name: 'regionCode', type: 'varchar', length: '12', isNullable: true },
          { name: 'burdenFen', type: int },
          { name: 'thresholdFen', type: int },
          { name: 'settlements', type: int },
          { name: 'asOf', type: 'date' },
          { name: 'itemId', type: int, isNullable: true },
          stamp('createdAt'),
        ],
        indices: [
          new TableIndex({
            name: 'UQ_risk_alerts_person_year_kind',
            columnNames: ['idNumber', 'year', 'kind'],
            isUnique: true,
          }),
          new TableIndex({ name: 'IDX_risk_alerts_year_region', columnNames: ['year', 'regionCode'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_risk_alerts_item',
            columnNames: ['itemId'],
            referencedTableName: 'items',
            referencedColumnNames: ['id'],
            onDelete: 'RESTRICT',
            onUpdate: 'RESTRICT',
          }),
        ],
      }),
    );
    await q.addColumn('items', new TableColumn({ name: 'outcome', type: 'varchar', length: '16', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('items', 'outcome');
    await q.dropTable('risk_alerts');
    await q.dropTable('risk_thresholds');
    await q.dropTable('settlements');
    await q.dropTable('risk_settlement_uploads');
  }
}
