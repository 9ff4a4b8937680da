import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * Issue #18, follow-up quality. A follow-up's `result` and readings (blood pressure, fasting
 * glucose); the catalogue's `followUpIntervalDays`; a contract's `endedOn` (the person died).
 * Existing follow-ups keep `result` and readings NULL: what happened on those visits was not
 * recorded, and nothing is invented. Intervals follow the yearly counts already in the catalogue
 * (4 a year: every 90 days, 6: 60, 2: 180); major diseases have none.
 */
export class FollowUpResults1765200000000 implements MigrationInterface {
  name = 'FollowUpResults1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('follow_ups', [
      new TableColumn({ name: 'result', type: 'varchar', length: '16', isNullable: true }),
      new TableColumn({ name: 'systolic', type: 'integer', isNullable: true }),
      new TableColumn({ name: 'diastolic', type: 'integer', isNullable: true }),
      new TableColumn({ name: 'fastingGlucose', type: 'decimal', precision: 4, scale: 1, isNullable: true }),
    ]);
    await q.addColumn('diseases', new TableColumn({ name: 'followUpIntervalDays', type: 'integer', isNullable: true }));
    for (const [perYear, days] of [
      [4, 90],
      [6, 60],
      [2, 180],
    ]) {
      await q.query(`UPDATE diseases SET followUpIntervalDays = ? WHERE kind = 'chronic' AND followUpsPerYear = ?`, [
        days,
        perYear,
      ]);
    }
    await q.addColumn('contracts', new TableColumn({ name: 'endedOn', type: 'date', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('contracts', 'endedOn');
    await q.dropColumn('diseases', 'followUpIntervalDays');
    for (const column of ['fastingGlucose', 'diastolic', 'systolic', 'result']) {
      await q.dropColumn('follow_ups', column);
    }
  }
}
