import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';
import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

dayjs.extend(utc);
dayjs.extend(timezone);

/** The zone existing closures are dated in: APP_TIMEZONE's default (migrations read no configuration). */
const BACKFILL_ZONE = 'Asia/Shanghai';
const BATCH = 1000;

/**
 * Issue #13. `items.closedOn`: the calendar day an item was closed (销号), so that a closure after
 * the deadline (逾期销号) is a plain date comparison in lists, counts and exports; existing closed
 * items get theirs from `closedAt`. `enrollment_changes`: what writing a reconciliation's
 * enrollment changed (who, when, which reconciliation, before → after).
 */
export class ClosedOnAndEnrollmentChanges1765013000000 implements MigrationInterface {
  name = 'ClosedOnAndEnrollmentChanges1765013000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('items', new TableColumn({ name: 'closedOn', type: 'date', isNullable: true }));
    for (let after = 0; ;) {
      const rows = (await q.query(
        `SELECT id, closedAt FROM items WHERE status = 'closed' AND closedAt IS NOT NULL AND id > ? ORDER BY id LIMIT ${BATCH}`,
        [after],
      )) as { id: number; closedAt: Date | string }[];
      if (rows.length === 0) {
        break;
      }
      const byDay = new Map<string, number[]>();
      for (const row of rows) {
        // SQLite keeps the instant as UTC text, MySQL (timezone 'Z') answers a Date.
        const instant = typeof row.closedAt === 'string' ? dayjs.utc(row.closedAt) : dayjs(row.closedAt);
        const day = instant.tz(BACKFILL_ZONE).format('YYYY-MM-DD');
        byDay.set(day, [...(byDay.get(day) ?? []), Number(row.id)]);
      }
      for (const [day, ids] of byDay) {
        await q.query(`UPDATE items SET closedOn = ? WHERE id IN (${ids.map(() => '?').join(',')})`, [day, ...ids]);
      }
      after = Number(rows[rows.length - 1].id);
    }
    await q.createTable(
      new Table({
        name: 'enrollment_changes',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'reconciliationId', type: 'int' },
          { name: 'personId', type: 'int' },
          { name: 'year', type: 'int' },
          // Null before: the person had no record for the year.
          { name: 'enrolledBefore', type: 'boolean', isNullable: true },
          { name: 'subsidizedBefore', type: 'boolean', isNullable: true },
          { name: 'enrolledAfter', type: 'boolean' },
          { name: 'subsidizedAfter', type: 'boolean' },
          { name: 'changedById', type: 'int' },
          { name: 'changedAt', type: 'datetime' },
        ],
        indices: [
          new TableIndex({ name: 'IDX_enrollment_changes_reconciliation', columnNames: ['reconciliationId'] }),
          new TableIndex({ name: 'IDX_enrollment_changes_person', columnNames: ['personId', 'year'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('enrollment_changes');
    await q.dropColumn('items', 'closedOn');
  }
}
