import { isDeepStrictEqual } from 'node:util';
import type { Indicators } from '../../src/reports/indicators.service.js';
import { benchDatabase, benchSqliteDatabase } from './bench-db.js';
import { type BaselineKey, baselineQueries } from './indicators-baseline.js';
import { countsOf, KEYS } from '../utils/indicator-oracle.js';
import { dialectOf, type Exec, generateDistrict } from './indicators-data.js';
import { type Bench, type BenchLine, timed } from './report.js';
import { BENCH_ROWS, DEMO_REGIONS, runInProcess } from './roster-data.js';

const AS_OF = '2020-06-30';
/** Measured rounds (service and baseline, in turn first); the best of each is reported. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** The databases to run on: BENCH_DB=sqlite, mysql, or both (the default). */
const DATABASES = (process.env.BENCH_DB ?? 'sqlite,mysql').split(',').map((x) => x.trim()) as ('sqlite' | 'mysql')[];

type Row = Record<string, unknown>;
type Figures = Record<string, Record<BaselineKey, { numerator: number; denominator: number }>>;

interface ServiceRun {
  indicators: Indicators;
  ms: number;
  peakMb: number;
  startMb: number;
  queryMs: Record<string, number>;
}

export interface Target {
  type: 'sqlite' | 'mysql';
  exec: Exec;
  all(sql: string): Promise<Row[]>;
  /** Environment of the job process that runs IndicatorsService on this database. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** A benchmark database of `type`, migrated and empty (the worklists benchmark opens its own the same way). */
export async function openTarget(type: 'sqlite' | 'mysql', name = 'indicators'): Promise<Target> {
  if (type === 'sqlite') {
    const { config, raw, drop } = await benchSqliteDatabase(name);
    raw.exec('PRAGMA synchronous = OFF');
    return {
      type,
      exec: (sql) => Promise.resolve(raw.exec(sql)),
      all: (sql) => Promise.resolve(raw.prepare(sql).all()),
      env: { DB_TYPE: 'sqlite', DB_PATH: config.DB_PATH },
      drop: () => Promise.resolve(drop()),
    };
  }
  const { config, raw, drop } = await benchDatabase(name);
  await raw.query('SET SESSION foreign_key_checks = 0, unique_checks = 0');
  return {
    type,
    exec: (sql) => raw.query(sql),
    all: async (sql) => (await raw.query(sql))[0] as Row[],
    env: { DB_TYPE: 'mysql', DB_NAME: config.DB_NAME },
    drop,
  };
}

const SUBDISTRICTS = DEMO_REGIONS.filter((r) => r.level === 'subdistrict').map((r) => r.code);

/** The baseline's rows as figures per sub-district (12 digits) and for the district. */
function baselineFigures(rows: Record<BaselineKey, Row[]>): Figures {
  const out: Figures = {};
  for (const area of [...SUBDISTRICTS, 'district']) {
    out[area] = Object.fromEntries(KEYS.map((k) => [k, { numerator: 0, denominator: 0 }])) as Figures[string];
  }
  for (const key of KEYS) {
    for (const row of rows[key]) {
      for (const area of [`${String(row.area)}000`, 'district']) {
        out[area][key].numerator += Number(row.numerator ?? 0);
        out[area][key].denominator += Number(row.denominator);
      }
    }
  }
  return out;
}

function serviceFigures(result: Indicators): Figures {
  const pick = (set: Indicators['district']) => countsOf(set) as Figures[string];
  return {
    ...Object.fromEntries(result.byRegion.map((r) => [r.regionCode, pick(r)])),
    district: pick(result.district),
  };
}

async function runOn(type: 'sqlite' | 'mysql'): Promise<BenchLine[]> {
  const target = await openTarget(type);
  try {
    const d = dialectOf(type);
    const loadMs = await timed(() => generateDistrict(target.exec, d, BENCH_ROWS));
    await target.exec(
      type === 'sqlite'
        ? 'ANALYZE'
        : 'ANALYZE TABLE households, persons, insurance_enrollments, conditions, contracts, contract_diseases, follow_ups',
    );
    const counts = await target.all(
      `SELECT (SELECT COUNT(*) FROM households) AS households, (SELECT COUNT(*) FROM persons) AS persons,
        (SELECT COUNT(*) FROM insurance_enrollments) AS enrollments, (SELECT COUNT(*) FROM conditions) AS conditions,
        (SELECT COUNT(*) FROM contracts) AS contracts, (SELECT COUNT(*) FROM follow_ups) AS followUps`,
    );
    const sizes = Object.entries(counts[0])
      .map(([k, v]) => `${k} ${Number(v).toLocaleString('en')}`)
      .join(', ');
    console.error(`  ${type}: generated in ${(loadMs / 1000).toFixed(1)} s: ${sizes}`);

    const queries = baselineQueries(d, AS_OF);
    const runBaseline = async () => {
      const rows = {} as Record<BaselineKey, Row[]>;
      const ms = {} as Record<BaselineKey, number>;
      for (const key of KEYS) {
        ms[key] = await timed(async () => {
          rows[key] = await target.all(queries[key]);
        });
      }
      return { rows, ms };
    };
    // Warm the caches for both (the same tables), and take the baseline's figures.
    const expected = baselineFigures((await runBaseline()).rows);

    // Rounds alternate which side goes first; each figure is the best of the rounds (the machine is shared).
    const services: ServiceRun[] = [];
    const baselines: Record<BaselineKey, number>[] = [];
    const sum = (ms: Record<string, number>) => Object.values(ms).reduce((a, b) => a + b, 0);
    const runService = async () => {
      const run = await runInProcess<ServiceRun>(['indicators', AS_OF], target.env, false);
      const found = serviceFigures(run.indicators);
      if (!isDeepStrictEqual(found, expected)) {
        throw new Error(
          `IndicatorsService and the baseline disagree on ${type}:\n${JSON.stringify(found)}\n${JSON.stringify(expected)}`,
        );
      }
      services.push(run);
    };
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        await runService();
        baselines.push((await runBaseline()).ms);
      } else {
        baselines.push((await runBaseline()).ms);
        await runService();
      }
      const [run, base] = [services[round], baselines[round]];
      const list = (ms: Record<string, number>) =>
        Object.entries(ms)
          .map(([k, v]) => `${k} ${v.toFixed(0)}`)
          .join(', ');
      console.error(
        `  ${type} round ${round + 1}: service ${run.ms.toFixed(0)} ms (one by one: ${list(run.queryMs)}); baseline ${sum(base).toFixed(0)} ms (${list(base)})`,
      );
    }
    const best = (values: number[]) => Math.min(...values);
    const service = {
      ms: best(services.map((r) => r.ms)),
      oneByOne: best(services.map((r) => sum(r.queryMs))),
      peakMb: Math.max(...services.map((r) => r.peakMb)),
      query: (name: string) => best(services.map((r) => r.queryMs[name])),
    };
    const baselineSum = best(baselines.map(sum));
    const baseline = (key: BaselineKey) => best(baselines.map((b) => b[key]));
    const district = expected.district;
    const shown = KEYS.map(
      (k) => `${k} ${((100 * district[k].numerator) / Math.max(1, district[k].denominator)).toFixed(1)} %`,
    ).join(', ');
    const db = type === 'sqlite' ? 'SQLite' : 'MariaDB';
    const line = (
      name: string,
      value: number,
      baselineName: string,
      base: number,
      note?: string,
      goal?: BenchLine['goal'],
    ): BenchLine => ({
      name: `${db}: ${name}`,
      unit: 'ms',
      value,
      baselineName,
      baseline: base,
      higherIsBetter: false,
      goal,
      note,
    });
    return [
      line(
        `all indicators as of ${AS_OF}, 5 sub-districts and the district, ${BENCH_ROWS.toLocaleString('en')} persons (IndicatorsService, own process)`,
        service.ms,
        'one hand-written query per indicator, summed',
        baselineSum,
        `best of ${ROUNDS}; the same figures both ways (${shown}); peak RSS ${service.peakMb.toFixed(0)} MB; data: ${sizes}`,
        { minRatio: 0.67 },
      ),
      line('the service’s six queries one after another, summed', service.oneByOne, 'the same sum', baselineSum),
      line(
        '参保率 + 资助参保率 (one query)',
        service.query('enrollment'),
        'two queries',
        baseline('insuredRate') + baseline('subsidizedRate'),
      ),
      ...(['contractRate', 'managedRate', 'bpControlRate', 'glucoseControlRate', 'treatmentRate'] as const).map((k) =>
        line(k, service.query(k), 'hand-written', baseline(k)),
      ),
    ];
  } finally {
    await target.drop();
  }
}

/**
 * Issue #18: every indicator of SPEC §6.4 as of one day, by sub-district and for the district, for a
 * generated district of BENCH_ROWS persons (a million by default; test/bench/indicators-data.ts),
 * through IndicatorsService in a process of its own, beside one hand-written query per indicator
 * (indicators-baseline.ts) run on the same data in the same run; both must give the same figures.
 * On SQLite and on MariaDB (BENCH_DB picks one).
 */
export const indicatorsBench: Bench = {
  name: 'indicators',
  async run(): Promise<BenchLine[]> {
    const lines: BenchLine[] = [];
    for (const type of DATABASES) {
      lines.push(...(await runOn(type)));
    }
    return lines;
  },
};
