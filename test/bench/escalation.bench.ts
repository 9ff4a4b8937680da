import type { Connection } from 'mysql2/promise';
import { createHash } from 'node:crypto';
import { Clock } from '../../src/common/clock.js';
import { addDays } from '../../src/common/dates.js';
import { EscalationRuns } from '../../src/escalation/escalation-runs.service.js';
import { ESCALATION_BATCH, EscalationService } from '../../src/escalation/escalation.service.js';
import { ItemLevels } from '../../src/ledger/item-levels.service.js';
import { ItemTexts } from '../../src/ledger/item-texts.js';
import { LedgerService } from '../../src/ledger/ledger.service.js';
import { ReviewNotices } from '../../src/ledger/review-notices.js';
import { DIGEST_THRESHOLD } from '../../src/notifications/notice-digest.js';
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
  // The recipients SPEC §2 names: two officers per sub-district, the caseworkers of each department, an admin, the leadership.
  await raw.query('INSERT INTO users (username, passwordHash, role, regionCode, displayName) VALUES ?', [
    [
      ...SUBDISTRICTS.flatMap((code, i) =>
        [1, 2].map((n) => [`officer${i}_${n}`, 'x', 'subdistrict_officer', code, `专干${i}${n}`]),
      ),
      ...[1, 2].map((n) => [`health${n}`, 'x', 'health_caseworker', null, `卫健${n}`]),
      ...[1, 2].map((n) => [`insurance${n}`, 'x', 'insurance_reconciler', null, `医保${n}`]),
      ['admin', 'x', 'admin', null, '管理员'],
      ...[1, 2].map((n) => [`leader${n}`, 'x', 'viewer', null, `领导${n}`]),
    ],
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
  await raw.query("UPDATE items SET ledgerSeq = 1, ledgerHash = SHA2(CONCAT('created', id), 256)");
  progress(`${ITEMS} items and their created entries`);
}

async function copy(from: string, raw: Connection): Promise<void> {
  for (const table of ['regions', 'users', 'campaigns', 'items', 'ledger_entries']) {
    await raw.query(`INSERT INTO ${table} SELECT * FROM \`${from}\`.${table}`);
  }
}

interface BaseUser {
  id: number;
  role: string;
  regionCode: string | null;
}

/**
 * The baseline: the same rows written raw through mysql2, with the product's batching (5000 ids a
 * transaction) and none of its layers: per batch, one SELECT … FOR UPDATE of the due items with
 * their chain tails, the levels (default thresholds) and sha256 hashes worked out in plain JS, one
 * UPDATE of the levels and tails joined to a table of the new values, multi-row INSERTs of the
 * ledger entries and of the notices (one per recipient and item, or one digest per recipient and
 * level beyond five, as SPEC §2 and the product's digests go; the texts are short fixed strings),
 * COMMIT.
 */
async function baseline(raw: Connection): Promise<{ raised: number; notices: number }> {
  const [userRows] = await raw.query('SELECT id, role, regionCode FROM users WHERE active = 1');
  const users = userRows as BaseUser[];
  const byRole = (role: string) => users.filter((u) => u.role === role).map((u) => u.id);
  const reviewers = { health: byRole('health_caseworker'), insurance: byRole('insurance_reconciler') };
  const recipients = (level: number, regionCode: string, dept: 'health' | 'insurance', pending: boolean) => {
    const ids = pending
      ? [...reviewers[dept]]
      : users.filter((u) => u.role === 'subdistrict_officer' && u.regionCode === regionCode).map((u) => u.id);
    if (level >= 2) {
      ids.push(...reviewers[dept]);
    }
    if (level >= 3) {
      ids.push(...byRole('admin'));
    }
    if (level >= 4) {
      ids.push(...byRole('viewer'));
    }
    return [...new Set(ids)];
  };
  const [supervised, warning] = [addDays(AS_OF, -7), addDays(AS_OF, 3)];
  const levelOf = (deadline: string) =>
    deadline <= supervised ? 4 : deadline < AS_OF ? 3 : deadline <= warning ? 2 : 1;
  const at = new Date(`${AS_OF}T02:00:00Z`).toISOString();
  const createdAt = new Date(`${AS_OF}T02:00:00Z`);
  const [[bounds]] = (await raw.query('SELECT MIN(id) AS first, MAX(id) AS last FROM items')) as unknown as [
    { first: number; last: number }[],
  ];
  let raised = 0;
  let notices = 0;
  for (let from = bounds.first; from <= bounds.last; from += ESCALATION_BATCH) {
    await raw.beginTransaction();
    const [found] = await raw.query(
      `SELECT id, title, regionCode, responsibleDept, deadline, escalationLevel, status, ledgerSeq, ledgerHash FROM items
       WHERE id >= ? AND id < ? AND status <> 'closed' AND escalationLevel < 4 AND deadline <= ? ORDER BY id FOR UPDATE`,
      [from, from + ESCALATION_BATCH, addDays(AS_OF, 14)],
    );
    const steps = (
      found as {
        id: number;
        title: string;
        regionCode: string;
        responsibleDept: 'health' | 'insurance';
        deadline: string;
        escalationLevel: number;
        status: string;
        ledgerSeq: number;
        ledgerHash: string;
      }[]
    )
      .map((item) => ({ item, to: levelOf(item.deadline) }))
      .filter(({ item, to }) => to > item.escalationLevel);
    if (steps.length === 0) {
      await raw.commit();
      continue;
    }
    const entries = steps.map(({ item, to }) => {
      const payload = `{"asOf":"${AS_OF}","from":${item.escalationLevel},"to":${to}}`;
      const seq = item.ledgerSeq + 1;
      const hash = createHash('sha256')
        .update(
          `${item.ledgerHash}{"actorId":null,"actorName":"系统","at":"${at}","itemId":${item.id},"note":null,"payload":${JSON.stringify(payload)},"seq":${seq},"type":"escalated"}`,
        )
        .digest('hex');
      return [item.id, seq, 'escalated', null, '系统', at, null, payload, item.ledgerHash, hash] as const;
    });
    // The levels and tails through a joined table of the new values (a CASE over thousands of ids is
    // checked branch by branch for every row), as the product does.
    await raw.query(
      `UPDATE items i JOIN (${steps.map((_, k) => (k === 0 ? 'SELECT ? AS id, ? AS level, ? AS seq, ? AS hash' : 'SELECT ?, ?, ?, ?')).join(' UNION ALL ')}) t ON t.id = i.id
       SET i.escalationLevel = t.level, i.ledgerSeq = t.seq, i.ledgerHash = t.hash`,
      steps.flatMap(({ item, to }, k) => [item.id, to, entries[k][1], entries[k][9]]),
    );
    for (let i = 0; i < entries.length; i += 500) {
      await raw.query(
        'INSERT INTO ledger_entries (itemId, seq, type, actorId, actorName, at, note, payload, prevHash, hash) VALUES ?',
        [entries.slice(i, i + 500)],
      );
    }
    const groups = new Map<string, { userId: number; level: number; itemIds: number[] }>();
    for (const { item, to } of steps) {
      for (const userId of recipients(to, item.regionCode, item.responsibleDept, item.status === 'pending_review')) {
        const key = `${userId}:${to}`;
        const group = groups.get(key) ?? { userId, level: to, itemIds: [] };
        group.itemIds.push(item.id);
        groups.set(key, group);
      }
    }
    const rows = [...groups.values()].flatMap(({ userId, level, itemIds }) =>
      itemIds.length > DIGEST_THRESHOLD
        ? [
            [
              userId,
              itemIds[0],
              'digest',
              level,
              `汇总 ${itemIds.length} 项`,
              itemIds.slice(0, 100).join('\n'),
              createdAt,
            ],
          ]
        : itemIds.map((itemId) => [
            userId,
            itemId,
            'escalation',
            level,
            `提醒 ${itemId}`,
            `整改问题 ${itemId}`,
            createdAt,
          ]),
    );
    for (let i = 0; i < rows.length; i += 500) {
      await raw.query('INSERT INTO notifications (userId, itemId, kind, level, title, body, createdAt) VALUES ?', [
        rows.slice(i, i + 500),
      ]);
    }
    await raw.commit();
    raised += steps.length;
    notices += rows.length;
  }
  return { raised, notices };
}

/** The rows a run wrote into a database: raised levels, escalated entries, notices. */
async function written(raw: Connection): Promise<{ raised: number; entries: number; notices: number }> {
  const count = async (sql: string) => Number(((await raw.query(sql)) as unknown as [{ n: number }[]])[0][0].n);
  return {
    raised: await count('SELECT COUNT(*) AS n FROM items WHERE escalationLevel > 0'),
    entries: await count("SELECT COUNT(*) AS n FROM ledger_entries WHERE type = 'escalated'"),
    notices: await count('SELECT COUNT(*) AS n FROM notifications'),
  };
}

/**
 * One escalation run over 1 000 000 open items in MySQL (two thirds of them due), through the real
 * EscalationService on a DataSource, beside the baseline on an identical copy of the data.
 * Both write the same rows (checked after the run): the levels and chain tails, the ledger entries, and
 * the notices to the users the fill creates.
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

      progress(
        'baseline: per batch SELECT … FOR UPDATE, joined UPDATE of levels and tails, multi-row INSERTs of entries and notices',
      );
      let baselineRaised = 0;
      const baselineMs = await timed(async () => {
        baselineRaised = (await baseline(base.raw)).raised;
      });
      progress(`baseline: ${baselineRaised} items in ${(baselineMs / 1000).toFixed(1)} s`);

      const clock = new FixedClock(real.config);
      const ledger = new LedgerService();
      const service = new EscalationService(
        real.db,
        clock,
        ledger,
        new NotificationsService(real.db, clock, new ItemTexts(real.db), new ItemLevels(clock), new ReviewNotices()),
        new EscalationRuns(real.db, clock),
      );
      progress('EscalationService.run (batches of 5000, row locks, hash chain, one transaction each)');
      let escalated = 0;
      const runMs = await timed(async () => {
        escalated = (await service.run({ trigger: 'manual', asOf: AS_OF })).escalated;
      });
      progress(`service: ${escalated} items in ${(runMs / 1000).toFixed(1)} s`);
      const [product, raw] = [await written(real.raw), await written(base.raw)];
      progress(`rows written: product ${JSON.stringify(product)}, baseline ${JSON.stringify(raw)}`);
      if (escalated !== baselineRaised || JSON.stringify(product) !== JSON.stringify(raw)) {
        throw new Error(
          `the run wrote ${JSON.stringify(product)}, the baseline ${JSON.stringify(raw)}: not the same work`,
        );
      }
      return [
        {
          name: `escalation run, ${ITEMS} open items (${escalated} raised)`,
          unit: 's',
          value: runMs / 1000,
          baselineName:
            'same rows raw (mysql2): per 5000 ids a transaction, SELECT … FOR UPDATE, UPDATE of levels and tails joined to their new values, multi-row INSERTs of entries and notices',
          baseline: baselineMs / 1000,
          higherIsBetter: false,
          goal: { minRatio: 0.67 },
          note: `${product.entries} entries, ${product.notices} notices`,
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
