import { parse } from 'csv-parse';
import type { Connection as CallbackConnection } from 'mysql2';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/app/data-source.js';
import { idCheckChar } from '../../src/common/id-number.js';
import { loadConfig } from '../../src/config/app-config.js';
import { benchDatabase } from './bench-db.js';
import { type Bench, type BenchLine, timed } from './report.js';
import { BENCH_ROWS, DEMO_REGIONS, householdOf, personOf, type JobRun, writeCsv } from './roster-data.js';

const CHUNK = 5000;

/** The part of better-sqlite3's connection the benchmark uses (the driver TypeORM opened). */
interface SqliteConnection {
  prepare(sql: string): {
    run(...params: unknown[]): { lastInsertRowid: number | bigint };
    iterate(...params: unknown[]): Iterable<unknown>;
  };
  transaction(work: () => void): () => void;
}
const HOUSEHOLDS = Math.ceil(BENCH_ROWS / 3);

/** The databases to run on: `BENCH_DBS=mysql,sqlite` (both by default). */
const DATABASES = (process.env.BENCH_DBS ?? 'mysql,sqlite').split(',').filter((d) => d === 'mysql' || d === 'sqlite');

/** The generated registry: households 1 % removed, persons 0.2 % deceased. */
const householdStatus = (h: number) => (h % 100 === 3 ? 'removed' : householdOf(h).status);
const personStatus = (n: number) => (n % 500 === 7 ? 'deceased' : 'active');
const TYPE_OF: Record<string, string> = { poor: '未脱贫户', lifted: '脱贫户' };

/** An ID number nobody in the generated registry has (area 620100). */
function outsider(k: number): string {
  const birth = new Date(Date.UTC(1950, 0, 1) + (k % 20_000) * 86_400_000).toISOString().slice(0, 10);
  const first17 = `620100${birth.replaceAll('-', '')}${String(Math.floor(k / 20_000)).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

/**
 * The poverty office's register against the registry: every person of a household that is not
 * removed, agreeing, except 1 % missing, 0.5 % under another name, 0.2 % 死亡 while active here,
 * 0.1 % listed in the next household, 2 % of the households with the other 户类型; plus 1 %
 * unregistered persons in new households, 0.1 % bad check characters and 0.1 % repeated rows.
 */
function* registerLines(): Generator<string> {
  for (let n = 0; n < BENCH_ROWS; n++) {
    const p = personOf(n);
    const h = p.household;
    if (n % 100 === 11 || householdStatus(h) === 'removed') {
      continue;
    }
    const next = (h + 1) % HOUSEHOLDS;
    const there = n % 1000 === 21 && householdStatus(next) !== 'removed' ? next : h;
    const household = householdOf(there);
    const ours = householdStatus(there);
    const status = there % 50 === 7 ? (ours === 'poor' ? 'lifted' : 'poor') : ours;
    const name = n % 200 === 17 ? `${p.name}某` : p.name;
    const personStatus = n % 500 === 9 || n % 500 === 7 ? '死亡' : '正常';
    const line = `${household.registryNo},${household.regionCode},户主${there},${p.idNumber},${name},${['户主', '配偶', '子女'][n % 3]},${TYPE_OF[status]},${status === 'lifted' ? 2019 : ''},${personStatus}`;
    yield line;
    if (n % 1000 === 5) {
      yield line;
    }
  }
  const villages = DEMO_REGIONS.filter((r) => r.level === 'village');
  for (let k = 0; k < BENCH_ROWS / 100; k++) {
    const h = Math.floor(k / 3);
    yield `NH${String(h).padStart(8, '0')},${villages[h % villages.length].code},外来${h},${outsider(k)},外来${k},${['户主', '配偶', '子女'][k % 3]},未脱贫户,,正常`;
  }
  for (let k = 0; k < BENCH_ROWS / 1000; k++) {
    const id = outsider(BENCH_ROWS + k);
    yield `NB${String(k).padStart(8, '0')},${villages[0].code},错号${k},${id.slice(0, 17)}${id[17] === '0' ? '1' : '0'},错号${k},户主,未脱贫户,,正常`;
  }
}

/** Rows of the generated registry, in CHUNK-sized batches of value arrays. */
function* householdRows(): Generator<unknown[][]> {
  for (let start = 0; start < HOUSEHOLDS; start += CHUNK) {
    const rows = [];
    for (let h = start; h < Math.min(HOUSEHOLDS, start + CHUNK); h++) {
      const x = householdOf(h);
      rows.push([h + 1, x.registryNo, x.regionCode, x.povertyCause, x.registeredYear, householdStatus(h)]);
    }
    yield rows;
  }
}

function* personRows(): Generator<unknown[][]> {
  for (let start = 0; start < BENCH_ROWS; start += CHUNK) {
    const rows = [];
    for (let n = start; n < Math.min(BENCH_ROWS, start + CHUNK); n++) {
      const p = personOf(n);
      rows.push([n + 1, p.household + 1, p.idNumber, p.name, p.sex, p.birthDate, p.relation, personStatus(n)]);
    }
    yield rows;
  }
}

/** What the baseline counts: rows matched, rows of unknown numbers, fields that differ, registered persons not listed. */
interface Diff {
  matched: number;
  unknown: number;
  differing: number;
  missing: number;
}

/**
 * The baseline: the registry's households (id → 户编号, status) and persons (ID number → name,
 * status, household) streamed into Maps, the register's rows (csv-parse) diffed against them field
 * by field in plain JS — the same IDs and fields the job compares.
 */
type Rows<T> = AsyncIterable<T> | Iterable<T>;

async function plainDiff(
  file: string,
  households: Rows<{ id: number | string; registryNo: string; status: string }>,
  persons: Rows<{ idNumber: string; name: string; status: string; householdId: number | string }>,
): Promise<Diff> {
  const byId = new Map<number, { registryNo: string; status: string }>();
  for await (const h of households) {
    byId.set(Number(h.id), { registryNo: h.registryNo, status: h.status });
  }
  const registered = new Map<
    string,
    { name: string; status: string; household: { registryNo: string; status: string } }
  >();
  for await (const p of persons) {
    registered.set(p.idNumber, { name: p.name, status: p.status, household: byId.get(Number(p.householdId))! });
  }
  const type: Record<string, string> = { 未脱贫户: 'poor', 脱贫户: 'lifted' };
  let matched = 0;
  let unknown = 0;
  let differing = 0;
  for await (const r of createReadStream(file).pipe(parse({ bom: true, from_line: 2 })) as AsyncIterable<string[]>) {
    const p = registered.get(r[3]);
    if (!p) {
      unknown++;
      continue;
    }
    registered.delete(r[3]);
    matched++;
    if (p.name !== r[4]) {
      differing++;
    }
    if (p.household.registryNo !== r[0]) {
      differing++;
    }
    if (p.household.status !== type[r[6]]) {
      differing++;
    }
    if ((r[8] === '正常') !== (p.status === 'active')) {
      differing++;
    }
  }
  return { matched, unknown, differing, missing: registered.size };
}

/** Runs the reconciliation job in a process of its own (job-process.ts) on the database `env` names; answers its figures. */
async function runJob(id: number, env: Record<string, string>): Promise<JobRun> {
  // BENCH_CPU_PROFILE=<dir>: the job process writes a V8 CPU profile there.
  const profile = process.env.BENCH_CPU_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`]
    : [];
  const child = spawn(
    process.execPath,
    [...profile, join(import.meta.dirname, 'job-process.js'), 'reconciliation', String(id)],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    process.stderr.write(chunk);
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  const line = output.split('\n').find((l) => l.startsWith('RESULT '));
  if (code !== 0 || !line) {
    throw new Error(`the reconciliation job process failed (exit ${code})`);
  }
  return JSON.parse(line.slice('RESULT '.length)) as JobRun;
}

/** The job's counts per kind, as the report's note lists them. */
async function foundOf(db: DataSource, id: number): Promise<string> {
  const counts = await db.query<{ kind: string; n: string | number }[]>(
    'SELECT kind, COUNT(*) AS n FROM discrepancies WHERE reconciliationId = ? GROUP BY kind ORDER BY kind',
    [id],
  );
  return counts.map((c) => `${c.kind} ${Number(c.n)}`).join(', ');
}

const RECONCILIATION = {
  source: 'poverty',
  year: 2020,
  status: 'queued',
  fileName: 'register.csv',
  format: 'csv',
  encoding: 'utf8',
};

async function onMysql(dir: string, file: string): Promise<BenchLine[]> {
  const { config, db, raw, drop } = await benchDatabase('poverty');
  try {
    await raw.query('INSERT INTO regions (code, name, level, parentCode) VALUES ?', [
      DEMO_REGIONS.map((r) => [r.code, r.name, r.level, r.parentCode]),
    ]);
    const loaded = await timed(async () => {
      for (const rows of householdRows()) {
        await raw.query(
          'INSERT INTO households (id, registryNo, regionCode, povertyCause, registeredYear, status) VALUES ?',
          [rows],
        );
      }
      for (const rows of personRows()) {
        await raw.query(
          'INSERT INTO persons (id, householdId, idNumber, name, sex, birthDate, relation, status) VALUES ?',
          [rows],
        );
      }
    });
    console.error(`  MariaDB: registry of ${BENCH_ROWS} persons loaded in ${(loaded / 1000).toFixed(1)} s`);
    const core = (raw as unknown as { connection: CallbackConnection }).connection;
    let diff: Diff | undefined;
    const baseline = await timed(async () => {
      diff = await plainDiff(
        file,
        core.query('SELECT id, registryNo, status FROM households').stream() as AsyncIterable<{
          id: number;
          registryNo: string;
          status: string;
        }>,
        core.query('SELECT idNumber, name, status, householdId FROM persons').stream() as AsyncIterable<{
          idNumber: string;
          name: string;
          status: string;
          householdId: number;
        }>,
      );
    });
    console.error(`  MariaDB baseline: ${(baseline / 1000).toFixed(1)} s (${JSON.stringify(diff)})`);
    const [rec] = (await raw.query(
      'INSERT INTO reconciliations (source, year, status, fileName, storedName, format, encoding) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [...Object.values(RECONCILIATION).slice(0, 4), basename(file), 'csv', 'utf8'],
    )) as unknown as [{ insertId: number }];
    const run = await runJob(rec.insertId, { DB_TYPE: 'mysql', DB_NAME: config.DB_NAME, UPLOAD_DIR: dir });
    return linesOf('MariaDB', run, baseline, await foundOf(db, rec.insertId));
  } finally {
    await drop();
  }
}

async function onSqlite(dir: string, file: string): Promise<BenchLine[]> {
  const path = join(dir, 'bench.sqlite');
  const env = { DB_TYPE: 'sqlite', DB_PATH: path, UPLOAD_DIR: dir };
  const db = await new DataSource(dataSourceOptions(loadConfig({ ...process.env, ...env }))).initialize();
  try {
    await db.runMigrations({ transaction: 'each' });
    const sqlite = (db.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
    const insert = (sql: string, rows: unknown[][]) => {
      const statement = sqlite.prepare(sql);
      sqlite.transaction(() => rows.forEach((r) => statement.run(...r)))();
    };
    insert(
      'INSERT INTO regions (code, name, level, parentCode) VALUES (?, ?, ?, ?)',
      DEMO_REGIONS.map((r) => [r.code, r.name, r.level, r.parentCode]),
    );
    const loaded = await timed(() => {
      for (const rows of householdRows()) {
        insert(
          'INSERT INTO households (id, registryNo, regionCode, povertyCause, registeredYear, status) VALUES (?, ?, ?, ?, ?, ?)',
          rows,
        );
      }
      for (const rows of personRows()) {
        insert(
          'INSERT INTO persons (id, householdId, idNumber, name, sex, birthDate, relation, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          rows,
        );
      }
      return Promise.resolve();
    });
    console.error(`  SQLite: registry of ${BENCH_ROWS} persons loaded in ${(loaded / 1000).toFixed(1)} s`);
    let diff: Diff | undefined;
    const baseline = await timed(async () => {
      diff = await plainDiff(
        file,
        sqlite.prepare('SELECT id, registryNo, status FROM households').iterate() as Iterable<{
          id: number;
          registryNo: string;
          status: string;
        }>,
        sqlite.prepare('SELECT idNumber, name, status, householdId FROM persons').iterate() as Iterable<{
          idNumber: string;
          name: string;
          status: string;
          householdId: number;
        }>,
      );
    });
    console.error(`  SQLite baseline: ${(baseline / 1000).toFixed(1)} s (${JSON.stringify(diff)})`);
    const rec = sqlite
      .prepare(
        'INSERT INTO reconciliations (source, year, status, fileName, storedName, format, encoding) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(...Object.values(RECONCILIATION).slice(0, 4), basename(file), 'csv', 'utf8');
    const id = Number(rec.lastInsertRowid);
    const run = await runJob(id, env);
    return linesOf('SQLite', run, baseline, await foundOf(db, id));
  } finally {
    await db.destroy();
  }
}

function linesOf(database: string, run: JobRun, baselineMs: number, found: string): BenchLine[] {
  if (run.outcome !== 'done') {
    throw new Error(`the poverty reconciliation did not finish on ${database}: ${run.outcome}`);
  }
  console.error(`  ${database}: ${(run.ms / 1000).toFixed(1)} s, peak RSS ${run.peakMb.toFixed(0)} MB; ${found}`);
  const rows = BENCH_ROWS.toLocaleString('en');
  return [
    {
      name: `${database}: reconcile a ${rows}-row poverty register vs ${rows} persons`,
      unit: 's',
      value: run.ms / 1000,
      baselineName: 'stream households and persons into Maps + diff the same fields in plain JS',
      baseline: baselineMs / 1000,
      higherIsBetter: false,
      goal: { minRatio: 0.5 },
      note: `found ${found}`,
    },
    {
      name: `${database}: the poverty reconciliation job's peak RSS`,
      unit: 'MB',
      value: run.peakMb,
      baselineName: 'at its start',
      baseline: run.startMb,
      higherIsBetter: false,
      goal: { max: 1024 },
    },
  ];
}

/**
 * Issue #19: the poverty office's register (about BENCH_ROWS rows) against a registry of
 * BENCH_ROWS persons, on MariaDB and on SQLite, with the reconciliation job's own code in a process
 * of its own (as a worker: its peak resident memory is the job's), beside a plain JS diff of the
 * same IDs and fields in the same run (plainDiff).
 */
export const povertyReconciliationBench: Bench = {
  name: 'poverty-reconciliation',
  async run(): Promise<BenchLine[]> {
    const dir = mkdtempSync(join(tmpdir(), 'hpa-bench-poverty-'));
    try {
      const file = join(dir, 'register.csv');
      await writeCsv(
        file,
        '户编号,区划代码,户主姓名,身份证号,姓名,与户主关系,户类型,脱贫年度,人员状态',
        registerLines(),
      );
      const lines: BenchLine[] = [];
      for (const database of DATABASES) {
        lines.push(...(database === 'mysql' ? await onMysql(dir, file) : await onSqlite(dir, file)));
      }
      return lines;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
