import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../../src/app/app.module.js';
import { configureApp } from '../../src/app/app.setup.js';
import { loadConfig } from '../../src/config/app-config.js';
import type { ImportView } from '../../src/imports/imports.service.js';
import { BENCH_LOG, benchDatabase, dropQueueKeys, settled } from './bench-db.js';
import { type Bench, type BenchLine, timed } from './report.js';
import { BENCH_ROWS, DEMO_REGIONS, householdOf, measured, personOf, writeCsv } from './roster-data.js';
import { pollUntil, postFile, signIn } from './upload-through-api.js';

/** Rows per raw INSERT in the baseline: the import's own rows per statement. */
const RAW_CHUNK = 1000;
const PASSWORD = 'Bench-pass-2020';
const LABEL = { head: '户主', spouse: '配偶', child: '子女' } as const;
/** The two sizes of the issue (#21), scaled down together by BENCH_ROWS. */
const SIZES = [Math.round(BENCH_ROWS / 5), BENCH_ROWS];

const mb = (n: number) => `${n.toFixed(0)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Issue #21: a household roster of 200 000 and of 1 000 000 persons imported end to end through the
 * HTTP API — POST /api/imports/households (multipart, streamed like a browser's upload), the queue,
 * the job, polled through GET /api/imports/:id until done — with the app in this process as
 * production runs it on MariaDB (README "Running on MySQL and Redis": the Bull worker in the same
 * process, APP_ROLE=all). Beside it, in the same run, the same households and persons written raw
 * with mysql2 multi-row INSERTs of 1000 rows into the same tables and columns (the columns the job
 * writes). The peak resident memory of the process (app and job) is its own line.
 */
export const importBench: Bench = {
  name: 'import',
  async run(): Promise<BenchLine[]> {
    const dir = mkdtempSync(join(tmpdir(), 'hpa-bench-import-'));
    const { config, db, raw, drop } = await benchDatabase('import');
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const queuePrefix = `hpa-bench-import-${process.pid}-${Date.now().toString(36)}`;
    let app: NestExpressApplication | undefined;
    try {
      await db.query('INSERT INTO regions (code, name, level, parentCode) VALUES ?', [
        DEMO_REGIONS.map((r) => [r.code, r.name, r.level, r.parentCode]),
      ]);
      const appConfig = loadConfig({
        ...process.env,
        DB_TYPE: 'mysql',
        DB_NAME: config.DB_NAME,
        REDIS_URL: redisUrl,
        QUEUE_PREFIX: queuePrefix,
        UPLOAD_DIR: join(dir, 'uploads'),
        UPLOAD_MAX_MB: '1024',
        DEMO_DATA: '0',
        ADMIN_PASSWORD: PASSWORD,
        LOG_LEVEL: BENCH_LOG.level,
      });
      app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(appConfig), {
        logger: BENCH_LOG.logger,
      });
      configureApp(app);
      await app.listen(0, '127.0.0.1');
      const url = await app.getUrl();
      const token = await signIn(url, 'admin', PASSWORD);

      const lines: BenchLine[] = [];
      for (const rows of SIZES) {
        const file = join(dir, `roster-${rows}.csv`);
        await writeRoster(file, rows);
        // Each side starts on a settled database (no purge or flushing left from the work before).
        await settled(raw);
        const baselineMs = await timed(() => rawInserts(raw, rows));
        await emptyRegistry(raw);
        const calm = await settled(raw);
        const load = loadavg()[0];
        const run = await measured(async () => {
          const { status, body } = await postFile(`${url}/api/imports/households`, { path: file, token });
          if (status !== 202) {
            throw new Error(`the upload was answered ${status}: ${JSON.stringify(body)}`);
          }
          const { id } = body as { id: number };
          return pollUntil<ImportView>(`${url}/api/imports/${id}?pageSize=1`, token, (v) =>
            ['done', 'failed', 'cancelled'].includes(v.status),
          );
        });
        const done = run.result;
        if (done.status !== 'done' || done.inserted !== rows) {
          throw new Error(`the import did not insert every row: ${JSON.stringify(done)}`);
        }
        const jobMs = new Date(done.finishedAt!).getTime() - new Date(done.startedAt!).getTime();
        console.error(
          `  ${rows} persons: upload → done ${s(run.ms)} (job ${s(jobMs)}), raw INSERTs ${s(baselineMs)}, peak RSS ${mb(run.peakMb)}, load ${load.toFixed(1)}, MariaDB ${calm} before it`,
        );
        await emptyRegistry(raw);
        const size = rows.toLocaleString('en');
        lines.push(
          {
            name: `import ${size} persons through the API (upload → queue → job → done)`,
            unit: 'rows/s',
            value: (rows / run.ms) * 1000,
            baselineName: 'raw mysql2 1000-row INSERTs of the same households and persons (same tables, columns)',
            baseline: (rows / baselineMs) * 1000,
            higherIsBetter: true,
            goal: { minRatio: 0.8 },
            note: `${s(run.ms)} (job alone ${s(jobMs)}) vs ${s(baselineMs)}; load average ${load.toFixed(1)}`,
          },
          {
            name: `import ${size} persons through the API: peak RSS of the app (API and worker)`,
            unit: 'MB',
            value: run.peakMb,
            baselineName: 'the app before the upload',
            baseline: run.startMb,
            higherIsBetter: false,
            goal: { max: 1024 },
          },
        );
      }
      return lines;
    } finally {
      await app?.close();
      await dropQueueKeys(redisUrl, queuePrefix);
      await drop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** The roster of `rows` persons (households of three), as the template's CSV. */
function writeRoster(file: string, rows: number): Promise<void> {
  return writeCsv(
    file,
    '户编号,区划代码,致贫原因,户状态,建档年度,身份证号,姓名,与户主关系',
    (function* () {
      for (let n = 0; n < rows; n++) {
        const p = personOf(n);
        const h = householdOf(p.household);
        yield `${h.registryNo},${h.regionCode},因病,${h.status === 'poor' ? '在册未脱贫' : '已脱贫'},${h.registeredYear},${p.idNumber},${p.name},${LABEL[p.relation]}`;
      }
    })(),
  );
}

type Raw = Awaited<ReturnType<typeof benchDatabase>>['raw'];

/** The baseline: the roster's households, then its persons, as 1000-row INSERTs of the columns the import writes. */
async function rawInserts(raw: Raw, rows: number): Promise<void> {
  const now = new Date().toISOString().slice(0, 23).replace('T', ' ');
  const households = Math.ceil(rows / 3);
  for (let start = 0; start < households; start += RAW_CHUNK) {
    const values = [];
    for (let h = start; h < Math.min(households, start + RAW_CHUNK); h++) {
      const x = householdOf(h);
      values.push([h + 1, x.registryNo, x.regionCode, x.povertyCause, x.registeredYear, x.status, 1, now]);
    }
    await raw.query(
      'INSERT INTO households (id, registryNo, regionCode, povertyCause, registeredYear, status, version, updatedAt) VALUES ?',
      [values],
    );
  }
  for (let start = 0; start < rows; start += RAW_CHUNK) {
    const values = [];
    for (let n = start; n < Math.min(rows, start + RAW_CHUNK); n++) {
      const p = personOf(n);
      values.push([p.household + 1, p.idNumber, p.name, p.sex, p.birthDate, p.relation, 'active', 1, now]);
    }
    await raw.query(
      'INSERT INTO persons (householdId, idNumber, name, sex, birthDate, relation, status, version, updatedAt) VALUES ?',
      [values],
    );
  }
}

async function emptyRegistry(raw: Raw): Promise<void> {
  await raw.query('SET FOREIGN_KEY_CHECKS = 0');
  await raw.query('TRUNCATE TABLE persons');
  await raw.query('TRUNCATE TABLE households');
  await raw.query('SET FOREIGN_KEY_CHECKS = 1');
}
