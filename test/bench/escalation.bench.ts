import type { Connection } from 'mysql2/promise';
import { createHash } from 'node:crypto';
import { Clock } from '../../src/common/clock.js';
import { addDays } from '../../src/common/dates.js';
import { EscalationRuns } from '../../src/escalation/escalation-runs.service.js';
import { EscalationService } from '../../src/escalation/escalation.service.js';
import { ItemLevels } from '../../src/ledger/item-levels.service.js';
import { ItemViews } from '../../src/ledger/item-views.js';
import { LedgerService } from '../../src/ledger/ledger.service.js';
import { ReviewNotices } from '../../src/ledger/review-notices.js';
import { NotificationsService } from '../../src/notifications/notifications.service.js';
import { benchDatabase } from './bench-db.js';
import { type Bench, timed } from './report.js';

/** 1 000 000 open items (BENCH_ROWS for a quick look); a third not due yet, the rest over the four levels. */
const ITEMS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const ROWS_PER_INSERT = 5_000;
const AS_OF = '2020-06-01';
const SUBDISTRICTS = ['610199001000', '610199002000', '610199003000', '610199004000', '610199005000'];
const CAMPAIGNS = 3;

const progress = (message: string) => console.error(`  [escalation] ${message}`);

/** The day of the run, 10:00 in Shanghai: a real run may not look ahead of today. */
class FixedClock extends Clock {
  override now(): Date {
    return new Date(`${AS_OF}T02:00:00Z`);
  }
}

/** Item i's deadline: twelve buckets, 4 not due, 2 each at levels 1 … 4 as of AS_OF. */
function deadlineOf(i: number): string {
  switch (i % 12) {
    case 0:
    case 1:
    case 2:
    case 3:
      return addDays(AS_OF, 15 + (i % 60));
    case 4:
    case 5:
      return addDays(AS_OF, 4 + (i % 11));
    case 6:
    case 7:
      return addDays(AS_OF, i % 4);
    case 8:
    case 9:
      return addDays(AS_OF, -1 - (i % 6));
    default:
      return addDays(AS_OF, -7 - (i % 31));
  }
}

async function fill(raw: Connection): Promise<void> {
  await raw.query(
    "INSERT INTO regions (code, name, level, parentCode) VALUES ('610199000000', '示范区', 'district', NULL)",
  );
  await raw.query('INSERT INTO regions (code, name, level, parentCode) VALUES ?', [
    SUBDISTRICTS.map((code, i) => [code, `街道${i + 1}`, 'subdistrict', '610199000000']),
  ]);
  await raw.query('INSERT INTO campaigns (name, year, deadline) VALUES ?', [
    Array.from({ length: CAMPAIGNS }, (_, i) => [`基准专项${i + 1}`, 2020, '2020-05-31']),
  ]);
  const [campaigns] = await raw.query('SELECT id FROM campaigns ORDER BY id');
  const campaignIds = (campaigns as { id: number }[]).map((c) => c.id);
  for (let start = 0; start < ITEMS; start += ROWS_PER_INSERT) {
    const rows = [];
    for (let i = start; i < Math.min(start + ROWS_PER_INSERT, ITEMS); i++) {
      rows.push([
        campaignIds[i % CAMPAIGNS],
        'data',
        `基准问题${i}`,
        SUBDISTRICTS[i % SUBDISTRICTS.length],
        i % 5 === 0 ? 'insurance' : 'health',
        deadlineOf(i),
        'inspection',
        i % 7 === 0 ? 'in_progress' : 'open',
      ]);
    }
    await raw.query(
      'INSERT INTO items (campaignId, category, title, regionCode, responsibleDept, deadline, source, status) VALUES ?',
      [rows],
    );
    if ((start + ROWS_PER_INSERT) % 200_000 === 0) {
      progress(`${start + ROWS_PER_INSERT} items`);
    }
  }
  // Every item has its `created` entry, so that the run chains onto a real last entry.
  await raw.query(
    `INSERT INTO ledger_entries (itemId, seq, type, actorId, actorName, at, note, payload, prevHash, hash)
     SELECT id, 1, 'created', NULL, '系统', '2020-04-15T02:00:00.000Z', NULL, NULL, REPEAT('0', 64), SHA2(CONCAT('created', id), 256)
     FROM items`,
  );
  progress(`${ITEMS} items and their created entries`);
}

async function copy(from: string, raw: Connection): Promise<void> {
  for (const table of ['regions', 'campaigns', 'items', 'ledger_entries']) {
    await raw.query(`INSERT INTO ${table} SELECT * FROM \`${from}\`.${table}`);
  }
}

/**
 * The baseline: what the database does when told the answer — one UPDATE of the levels by
 * deadline (default thresholds) and one multi-row INSERT per 5000 ledger rows of the same number.
 */
async function baseline(raw: Connection): Promise<number> {
  const level = `CASE
      WHEN deadline <= '${addDays(AS_OF, -7)}' THEN 4
      WHEN deadline < '${AS_OF}' THEN 3
      WHEN deadline <= '${addDays(AS_OF, 3)}' THEN 2
      ELSE 1 END`;
  const [result] = await raw.query(
    `UPDATE items SET escalationLevel = ${level}
     WHERE status <> 'closed' AND deadline <= '${addDays(AS_OF, 14)}' AND escalationLevel < ${level}`,
  );
  const raised = (result as { affectedRows: number }).affectedRows;
  const [ids] = await raw.query(
    `SELECT id, escalationLevel FROM items WHERE status <> 'closed' AND escalationLevel > 0 ORDER BY id`,
  );
  const at = new Date(`${AS_OF}T02:00:00Z`).toISOString();
  const all = ids as { id: number; escalationLevel: number }[];
  for (let start = 0; start < all.length; start += ROWS_PER_INSERT) {
    const rows = all.slice(start, start + ROWS_PER_INSERT).map(({ id, escalationLevel }) => {
      const payload = `{"asOf":"${AS_OF}","from":0,"to":${escalationLevel}}`;
      const hash = createHash('sha256').update(`${id}${payload}`).digest('hex');
      return [id, 2, 'escalated', null, '系统', at, null, payload, hash, hash];
    });
    await raw.query(
      'INSERT INTO ledger_entries (itemId, seq, type, actorId, actorName, at, note, payload, prevHash, hash) VALUES ?',
      [rows],
    );
  }
  return raised;
}

/**
 * One escalation run over 1 000 000 open items in MySQL (two thirds of them due), through the real
 * EscalationService on a DataSource, beside the baseline on an identical copy of the data.
 * No users exist in the benchmark database, so no notices are written: both sides do levels + ledger.
 */
export const escalationBench: Bench = {
  name: 'escalation',
  async run() {
    const real = await benchDatabase('escalation');
    const base = await benchDatabase('escalation_base');
    try {
      progress(`filling ${real.config.DB_NAME} with ${ITEMS} items`);
      await fill(real.raw);
      progress(`copying it to ${base.config.DB_NAME}`);
      await copy(real.config.DB_NAME, base.raw);

      progress('baseline: UPDATE … CASE + multi-row INSERT of the ledger rows');
      let baselineRaised = 0;
      const baselineMs = await timed(async () => {
        baselineRaised = await baseline(base.raw);
      });
      progress(`baseline: ${baselineRaised} items in ${(baselineMs / 1000).toFixed(1)} s`);

      const clock = new FixedClock(real.config);
      const ledger = new LedgerService();
      const service = new EscalationService(
        real.db,
        clock,
        ledger,
        new NotificationsService(
          real.db,
          clock,
          new ItemViews(real.db, clock, ledger),
          new ItemLevels(clock),
          new ReviewNotices(),
        ),
        new EscalationRuns(real.db, clock),
      );
      progress('EscalationService.run (batches of 5000, row locks, hash chain, one transaction each)');
      let escalated = 0;
      const runMs = await timed(async () => {
        escalated = (await service.run({ trigger: 'manual', asOf: AS_OF })).escalated;
      });
      progress(`service: ${escalated} items in ${(runMs / 1000).toFixed(1)} s`);
      if (escalated !== baselineRaised) {
        throw new Error(`the run raised ${escalated} items, the baseline ${baselineRaised}`);
      }
      return [
        {
          name: `escalation run, ${ITEMS} open items (${escalated} raised)`,
          unit: 's',
          value: runMs / 1000,
          baselineName: 'raw UPDATE … CASE + multi-row INSERT of the ledger rows',
          baseline: baselineMs / 1000,
          higherIsBetter: false,
        },
        {
          name: 'escalation run, throughput',
          unit: 'items/s',
          value: escalated / (runMs / 1000),
          baselineName: 'raw',
          baseline: baselineRaised / (baselineMs / 1000),
          higherIsBetter: true,
        },
      ];
    } finally {
      await base.drop();
      await real.drop();
    }
  },
};
