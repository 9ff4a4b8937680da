import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/app/data-source.js';
import { Clock } from '../../src/common/clock.js';
import { loadConfig } from '../../src/config/app-config.js';
import { IndicatorsService } from '../../src/reports/indicators.service.js';
import { WORKLIST_KINDS } from '../../src/reports/worklist-kinds.js';
import { WorklistsService } from '../../src/reports/worklists.service.js';
import { openTarget, type Target } from './indicators.bench.js';
import { dialectOf, type Dialect, generateDistrict } from './indicators-data.js';
import { type Bench, type BenchLine, timed } from './report.js';
import { BENCH_ROWS } from './roster-data.js';
import { worklistBaseline } from './worklists-baseline.js';

const AS_OF = '2020-06-30';
const PAGE_SIZE = 20;
/** Measured rounds (service and baseline, in turn first); the best of each is reported. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** The databases to run on: BENCH_DB=sqlite, mysql, or both (the default). */
const DATABASES = (process.env.BENCH_DB ?? 'sqlite,mysql').split(',').map((x) => x.trim()) as ('sqlite' | 'mysql')[];
const ADMIN = { id: 1, username: 'admin', displayName: 'admin', role: 'admin' as const, regionCode: null };

/**
 * 整改问题 for the 待办 list: one for every twentieth household (its sub-district's, about the household),
 * a quarter closed, a third for the insurance bureau, deadlines spread over April – July 2020.
 */
async function generateItems(target: Target, d: Dialect): Promise<void> {
  await target.exec(`INSERT INTO campaigns (name, year, deadline) VALUES ('基准整改专项', 2020, '2020-05-31')`);
  await target.exec(`INSERT INTO items (campaignId, category, title, subjectType, subjectId, regionCode, responsibleDept,
      deadline, source, status)
    SELECT (SELECT MAX(id) FROM campaigns), 'contract', '基准问题', 'household', h.id,
      ${d.concat('SUBSTR(h.regionCode, 1, 9)', "'000'")}, CASE WHEN ${d.div('h.id', '20')} % 3 = 0 THEN 'insurance' ELSE 'health' END,
      ${d.addDays(`'2020-04-01'`, `${d.div('h.id', '20')} % 120`)}, 'check',
      CASE WHEN ${d.div('h.id', '20')} % 4 = 0 THEN 'closed' WHEN ${d.div('h.id', '20')} % 4 = 1 THEN 'in_progress' ELSE 'open' END
    FROM households h WHERE h.id % 20 = 0`);
}

type Row = Record<string, unknown>;
const pageKey = (rows: Row[], id: string) => rows.map((r) => `${String(r[id])}@${String(r.dueOn)}`).join(',');

async function runOn(type: 'sqlite' | 'mysql'): Promise<BenchLine[]> {
  const target = await openTarget(type, 'worklists');
  const config = loadConfig({ ...process.env, ...target.env });
  let db: DataSource | null = null;
  try {
    const d = dialectOf(type);
    const loadMs = await timed(async () => {
      await generateDistrict(target.exec, d, BENCH_ROWS);
      await generateItems(target, d);
    });
    await target.exec(
      type === 'sqlite'
        ? 'ANALYZE'
        : 'ANALYZE TABLE households, persons, conditions, contracts, contract_diseases, follow_ups, items',
    );
    const [sizes] = await target.all(
      `SELECT (SELECT COUNT(*) FROM persons) AS persons, (SELECT COUNT(*) FROM contracts) AS contracts,
        (SELECT COUNT(*) FROM follow_ups) AS followUps, (SELECT COUNT(*) FROM items) AS items`,
    );
    const data = Object.entries(sizes)
      .map(([k, v]) => `${k} ${Number(v).toLocaleString('en')}`)
      .join(', ');
    console.error(`  ${type}: generated in ${(loadMs / 1000).toFixed(1)} s: ${data}`);

    db = await new DataSource(dataSourceOptions(config)).initialize();
    const clock = new Clock(config);
    const service = new WorklistsService(db, clock, new IndicatorsService(db, clock));
    const baseline = worklistBaseline(d, AS_OF, PAGE_SIZE);
    const lines: BenchLine[] = [];
    for (const kind of WORKLIST_KINDS) {
      const runService = () => service.page(ADMIN, kind, { asOf: AS_OF }, 1, PAGE_SIZE);
      const runBaseline = async () => {
        const page = await target.all(baseline[kind].page);
        const [count] = await target.all(baseline[kind].count);
        return { page, total: Number(count.n) };
      };
      // Warm both, and check that they answer the same page and total.
      const [mine, theirs] = [await runService(), await runBaseline()];
      const minePage = pageKey(
        mine.items.map((r) => ({ id: r.refId, dueOn: r.dueOn })),
        'id',
      );
      if (minePage !== pageKey(theirs.page, 'id') || mine.total !== theirs.total) {
        throw new Error(
          `${kind} on ${type}: the service and the baseline disagree: ${mine.total} ${minePage} / ${theirs.total} ${pageKey(theirs.page, 'id')}`,
        );
      }
      const serviceMs: number[] = [];
      const baselineMs: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const first = round % 2 === 0;
        if (first) {
          serviceMs.push(await timed(runService));
        }
        baselineMs.push(await timed(runBaseline));
        if (!first) {
          serviceMs.push(await timed(runService));
        }
      }
      const [value, base] = [Math.min(...serviceMs), Math.min(...baselineMs)];
      console.error(
        `  ${type} ${kind}: service ${value.toFixed(0)} ms, baseline ${base.toFixed(0)} ms (${mine.total} rows)`,
      );
      lines.push({
        name: `${type === 'sqlite' ? 'SQLite' : 'MariaDB'}: ${kind}, first page of ${PAGE_SIZE} + total (${mine.total.toLocaleString('en')} rows)`,
        unit: 'ms',
        value,
        baselineName: 'hand-written page + count',
        baseline: base,
        higherIsBetter: false,
        goal: { minRatio: 0.67 },
        note: `best of ${ROUNDS}; as of ${AS_OF}, admin (whole district); data: ${data}`,
      });
    }
    return lines;
  } finally {
    await db?.destroy();
    await target.drop();
  }
}

/**
 * Issue #17: each working list's first page (and its total) as an admin asks for it, through
 * WorklistsService in this process, beside a hand-written page and count (worklists-baseline.ts) on
 * the same generated district (BENCH_ROWS persons, test/bench/indicators-data.ts) in the same run.
 */
export const worklistsBench: Bench = {
  name: 'worklists',
  async run(): Promise<BenchLine[]> {
    const lines: BenchLine[] = [];
    for (const type of DATABASES) {
      lines.push(...(await runOn(type)));
    }
    return lines;
  },
};
