import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { parse } from 'csv-parse';
import type { Connection as CallbackConnection } from 'mysql2';
import { createReadStream, mkdtempSync, openAsBlob, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppModule } from '../../src/app/app.module.js';
import { configureApp } from '../../src/app/app.setup.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { idCheckChar } from '../../src/common/id-number.js';
import { BENCH_LOG, benchDatabase, dropQueueKeys } from './bench-db.js';
import type { Bench, BenchLine } from './report.js';
import { BENCH_ROWS, DEMO_REGIONS, householdOf, measured, personOf, writeCsv } from './roster-data.js';

const CHUNK = 5000;
const YEAR = 2020;
const PASSWORD = 'Bench-pass-2020';
/** Sizes measured: 200 000 and BENCH_ROWS (a million by default); BENCH_ROWS below 200 000 runs that size alone. */
const SIZES = [...new Set([Math.min(200_000, BENCH_ROWS), BENCH_ROWS])];

/** An ID number nobody in the generated registry has (area 620100). */
function outsider(k: number): string {
  const birth = new Date(Date.UTC(1950, 0, 1) + (k % 20_000) * 86_400_000).toISOString().slice(0, 10);
  const first17 = `620100${birth.replaceAll('-', '')}${String(Math.floor(k / 20_000)).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

const ROUNDS = 2;

type Measured<T> = Awaited<ReturnType<typeof measured<T>>>;

/** What the raw diff counts: rows, repeated rows, IDs not registered, registered IDs not in the file. */
interface Diff {
  rows: number;
  repeated: number;
  unknown: number;
  missing: number;
}

/** The baseline: the registry's ID numbers streamed into a Set, the file's (csv-parse) diffed against it. */
async function rawDiff(raw: { connection: CallbackConnection }, file: string): Promise<Diff> {
  const diff = { rows: 0, repeated: 0, unknown: 0, missing: 0 };
  const registered = new Set<string>();
  for await (const row of raw.connection.query('SELECT idNumber FROM persons').stream() as AsyncIterable<{
    idNumber: string;
  }>) {
    registered.add(row.idNumber);
  }
  const read = new Set<string>();
  for await (const record of createReadStream(file).pipe(parse({ bom: true, from_line: 2 })) as AsyncIterable<
    string[]
  >) {
    diff.rows++;
    const id = record[0];
    if (read.has(id)) {
      diff.repeated++;
      continue;
    }
    read.add(id);
    if (!registered.delete(id)) {
      diff.unknown++;
    }
  }
  diff.missing = registered.size;
  return diff;
}

interface ReconciliationState {
  status: string;
  rowsRead: number;
  rowsSkipped: number;
  error: string | null;
  counts: Record<string, number>;
}

/** Uploads the roster as a browser's form does (multipart, field `file`, the year), answers the reconciliation id. */
async function upload(url: string, token: string, file: string): Promise<number> {
  const form = new FormData();
  form.append('year', String(YEAR));
  form.append('file', await openAsBlob(file, { type: 'text/csv' }), 'roster.csv');
  const res = await fetch(`${url}/api/reconciliations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const body = (await res.json()) as { id?: number };
  if (res.status !== 202 || !body.id) {
    throw new Error(`the upload was refused: ${res.status} ${JSON.stringify(body)}`);
  }
  return body.id;
}

/** Polls the reconciliation every 50 ms (as its page does, more often) until it is done or failed. */
async function untilFinished(url: string, token: string, id: number): Promise<ReconciliationState> {
  for (;;) {
    const res = await fetch(`${url}/api/reconciliations/${id}?pageSize=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const state = (await res.json()) as ReconciliationState;
    if (state.status === 'done' || state.status === 'failed' || state.status === 'cancelled') {
      return state;
    }
    await sleep(50);
  }
}

/**
 * Issue #21: the insurance reconciliation measured end to end, as a user drives it — the roster
 * uploaded through the HTTP API (multipart), queued in Redis, run by the Bull worker of the same
 * app (APP_ROLE all, as README's single-process MariaDB deployment runs), polled until done — at
 * 200 000 and at BENCH_ROWS (1 000 000) roster rows against as many registered persons. Beside it,
 * in the same run, the raw diff: the registry's ID numbers streamed from MariaDB into a Set, the file
 * parsed with csv-parse and diffed against it in JS, counting what the product reports about ID
 * numbers (rows, repeated rows, numbers not registered, registered persons not in the file). The
 * peak resident memory is the app's process (API and worker), sampled during the run.
 */
export const reconciliationBench: Bench = {
  name: 'reconciliation',
  async run(): Promise<BenchLine[]> {
    const lines: BenchLine[] = [];
    for (const rows of SIZES) {
      lines.push(...(await measureSize(rows)));
    }
    return lines;
  },
};

async function measureSize(size: number): Promise<BenchLine[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hpa-bench-reconciliation-'));
  const { config, raw, drop } = await benchDatabase('reconciliation');
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let app: NestExpressApplication | undefined;
  try {
    await raw.query('INSERT INTO regions (code, name, level, parentCode) VALUES ?', [
      DEMO_REGIONS.map((r) => [r.code, r.name, r.level, r.parentCode]),
    ]);
    // The registry: households of three, 1 % removed; 0.2 % of persons deceased; 10 % with a 2020 enrollment.
    const started = Date.now();
    const households = Math.ceil(size / 3);
    for (let start = 0; start < households; start += CHUNK) {
      const rows = [];
      for (let h = start; h < Math.min(households, start + CHUNK); h++) {
        const x = householdOf(h);
        const status = h % 100 === 3 ? 'removed' : x.status;
        rows.push([h + 1, x.registryNo, x.regionCode, x.povertyCause, x.registeredYear, status]);
      }
      await raw.query(
        'INSERT INTO households (id, registryNo, regionCode, povertyCause, registeredYear, status) VALUES ?',
        [rows],
      );
    }
    for (let start = 0; start < size; start += CHUNK) {
      const persons = [];
      const enrollments = [];
      for (let n = start; n < Math.min(size, start + CHUNK); n++) {
        const p = personOf(n);
        const status = n % 500 === 7 ? 'deceased' : 'active';
        persons.push([n + 1, p.household + 1, p.idNumber, p.name, p.sex, p.birthDate, p.relation, status]);
        if (n % 10 === 0) {
          enrollments.push([n + 1, YEAR, '城乡居民基本医疗保险', 1, 1]);
        }
      }
      await raw.query(
        'INSERT INTO persons (id, householdId, idNumber, name, sex, birthDate, relation, status) VALUES ?',
        [persons],
      );
      if (enrollments.length > 0) {
        await raw.query('INSERT INTO insurance_enrollments (personId, year, scheme, enrolled, subsidized) VALUES ?', [
          enrollments,
        ]);
      }
    }
    await raw.query('INSERT INTO users (username, passwordHash, role, regionCode, displayName, active) VALUES ?', [
      [['recon1', await hashPassword(PASSWORD), 'insurance_reconciler', null, '基准医保专员', 1]],
    ]);
    // The roster: everyone enrolled, except 1 % missing, 0.5 % listed not enrolled, 0.5 % under another
    // name; plus 1 % subsidized outsiders, 0.1 % bad check characters and 0.1 % repeated rows.
    const file = join(dir, 'roster.csv');
    await writeCsv(
      file,
      '身份证号,姓名,年度,是否参保,是否资助参保',
      (function* () {
        for (let n = 0; n < size; n++) {
          if (n % 100 === 11) {
            continue;
          }
          const p = personOf(n);
          const name = n % 200 === 17 ? `${p.name}某` : p.name;
          yield `${p.idNumber},${name},${YEAR},${n % 200 === 13 ? '否' : '是'},是`;
          if (n % 1000 === 5) {
            yield `${p.idNumber},${name},${YEAR},是,是`;
          }
        }
        for (let k = 0; k < size / 100; k++) {
          yield `${outsider(k)},外来${k},${YEAR},是,是`;
        }
        for (let k = 0; k < size / 1000; k++) {
          const id = outsider(size + k);
          yield `${id.slice(0, 17)}${id[17] === '0' ? '1' : '0'},错号${k},${YEAR},是,是`;
        }
      })(),
    );
    const megabytes = statSync(file).size / 2 ** 20;
    console.error(
      `  ${size.toLocaleString('en')} persons and a ${megabytes.toFixed(0)} MB roster generated in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    // The app as deployed on MariaDB with Redis: API and Bull worker in one process (APP_ROLE all),
    // on queues of its own (other benchmarks may share the Redis).
    app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot({
        ...config,
        DEMO_DATA: '0',
        ADMIN_PASSWORD: PASSWORD,
        LOG_LEVEL: BENCH_LOG.level,
        REDIS_URL: redisUrl,
        QUEUE_PREFIX: `bench-${config.DB_NAME}`,
        UPLOAD_DIR: join(dir, 'uploads'),
        APP_ROLE: 'all',
      } as typeof config),
      { logger: BENCH_LOG.logger },
    );
    configureApp(app);
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();
    const login = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'recon1', password: PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };

    // Two rounds, the baseline then the product in each; the best time of each counts (the machine is
    // shared), the highest peak of the product's.
    const baselines: Measured<Diff>[] = [];
    const runs: (Measured<ReconciliationState> & { afterUpload: number })[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const b = await measured(() => rawDiff(raw as unknown as { connection: CallbackConnection }, file));
      console.error(`  baseline: ${(b.ms / 1000).toFixed(1)} s (${JSON.stringify(b.result)})`);
      baselines.push(b);
      // Measured: upload → queue → job → done, through the API.
      let afterUpload = 0;
      const p = await measured(async () => {
        const id = await upload(url, accessToken, file);
        const accepted = Date.now();
        const state = await untilFinished(url, accessToken, id);
        afterUpload = Date.now() - accepted;
        return state;
      });
      const found = Object.entries(p.result.counts)
        .map(([kind, count]) => `${kind} ${count}`)
        .join(', ');
      console.error(
        `  product: ${(p.ms / 1000).toFixed(1)} s (after the upload's answer ${(afterUpload / 1000).toFixed(1)} s), peak RSS ${p.peakMb.toFixed(0)} MB; ${p.result.status}, rows ${p.result.rowsRead}; ${found}`,
      );
      if (p.result.status !== 'done') {
        throw new Error(`the reconciliation did not finish: ${p.result.status} ${p.result.error ?? ''}`);
      }
      if (p.result.rowsRead !== b.result.rows || p.result.counts.duplicate_row !== b.result.repeated) {
        throw new Error(
          `the product and the baseline read different rows: ${p.result.rowsRead} vs ${JSON.stringify(b.result)}`,
        );
      }
      runs.push({ ...p, afterUpload });
    }
    const baseline = baselines.reduce((best, b) => (b.ms < best.ms ? b : best));
    const run = runs.reduce((best, r) => (r.ms < best.ms ? r : best));
    const peakMb = Math.max(...runs.map((r) => r.peakMb));
    const found = Object.entries(run.result.counts)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ');
    const n = size.toLocaleString('en');
    return [
      {
        name: `insurance reconciliation, ${n}-row roster vs ${n} persons, upload → done through the API`,
        unit: 's',
        value: run.ms / 1000,
        baselineName:
          'same roster and registry: IDs streamed into a Set, the file (csv-parse) diffed in JS, counting rows, repeated rows, unregistered and unlisted IDs',
        baseline: baseline.ms / 1000,
        higherIsBetter: false,
        goal: { minRatio: 0.67 },
        note: `best of ${ROUNDS}; job after the upload's 202 ${(run.afterUpload / 1000).toFixed(1)} s; found ${found}; baseline found ${JSON.stringify(baseline.result)}`,
      },
      {
        name: `insurance reconciliation, ${n} rows: peak RSS of the app (API + worker)`,
        unit: 'MB',
        value: peakMb,
        baselineName: 'the baseline diff in the same process',
        baseline: baseline.peakMb,
        higherIsBetter: false,
        goal: { max: 1024 },
        note: `highest of ${ROUNDS} runs; ${run.startMb.toFixed(0)} MB at its start`,
      },
    ];
  } finally {
    await app?.close();
    await dropQueueKeys(redisUrl, `bench-${config.DB_NAME}`);
    await drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
