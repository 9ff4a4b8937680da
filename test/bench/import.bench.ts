import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ImportJob } from '../../src/imports/import-job.entity.js';
import { benchDatabase } from './bench-db.js';
import { type Bench, type BenchLine, timed } from './report.js';
import { BENCH_ROWS, DEMO_REGIONS, householdOf, personOf, runJobProcess, writeCsv } from './roster-data.js';

/** Rows per raw INSERT in the baseline: the import's own batch size. */
const RAW_CHUNK = 1000;

const LABEL = { head: '户主', spouse: '配偶', child: '子女' } as const;

/**
 * Issue #6: importing a roster of BENCH_ROWS persons (a million by default) through the import's
 * own code — streamed CSV parsing, the whole-file checks, batched upserts with progress — beside
 * raw mysql2 multi-row INSERTs of the same households and persons into the same tables. The import
 * runs in a process of its own (as a worker), whose peak resident memory is reported.
 */
export const importBench: Bench = {
  name: 'import',
  async run(): Promise<BenchLine[]> {
    const dir = mkdtempSync(join(tmpdir(), 'hpa-bench-import-'));
    const { config, db, raw, drop } = await benchDatabase('import');
    try {
      await db.query('INSERT INTO regions (code, name, level, parentCode) VALUES ?', [
        DEMO_REGIONS.map((r) => [r.code, r.name, r.level, r.parentCode]),
      ]);
      const file = join(dir, 'roster.csv');
      const generated = await timed(() =>
        writeCsv(
          file,
          '户编号,区划代码,致贫原因,户状态,建档年度,身份证号,姓名,与户主关系',
          (function* () {
            for (let n = 0; n < BENCH_ROWS; n++) {
              const p = personOf(n);
              const h = householdOf(p.household);
              yield `${h.registryNo},${h.regionCode},因病,${h.status === 'poor' ? '在册未脱贫' : '已脱贫'},${h.registeredYear},${p.idNumber},${p.name},${LABEL[p.relation]}`;
            }
          })(),
        ),
      );
      console.error(`  roster of ${BENCH_ROWS} persons written in ${(generated / 1000).toFixed(1)} s`);

      // Baseline: the same rows, generated in memory, sent as multi-row INSERTs (households, then persons).
      const households = Math.ceil(BENCH_ROWS / 3);
      const baselineMs = await timed(async () => {
        for (let start = 0; start < households; start += RAW_CHUNK) {
          const rows = [];
          for (let h = start; h < Math.min(households, start + RAW_CHUNK); h++) {
            const x = householdOf(h);
            rows.push([h + 1, x.registryNo, x.regionCode, x.povertyCause, x.registeredYear, x.status]);
          }
          await raw.query(
            'INSERT INTO households (id, registryNo, regionCode, povertyCause, registeredYear, status) VALUES ?',
            [rows],
          );
        }
        for (let start = 0; start < BENCH_ROWS; start += RAW_CHUNK) {
          const rows = [];
          for (let n = start; n < Math.min(BENCH_ROWS, start + RAW_CHUNK); n++) {
            const p = personOf(n);
            rows.push([p.household + 1, p.idNumber, p.name, p.sex, p.birthDate, p.relation]);
          }
          await raw.query('INSERT INTO persons (householdId, idNumber, name, sex, birthDate, relation) VALUES ?', [
            rows,
          ]);
        }
      });
      console.error(`  baseline: ${(baselineMs / 1000).toFixed(1)} s`);
      await raw.query('SET FOREIGN_KEY_CHECKS = 0');
      await raw.query('TRUNCATE TABLE persons');
      await raw.query('TRUNCATE TABLE households');
      await raw.query('SET FOREIGN_KEY_CHECKS = 1');

      // Measured: the import job's code path, as a queue worker runs it, in a process of its own.
      const job = await db.getRepository(ImportJob).save({
        kind: 'households',
        status: 'queued',
        fileName: 'roster.csv',
        storedName: basename(file),
        format: 'csv',
        encoding: 'utf8',
        createdById: null,
      });
      const run = await runJobProcess('import', job.id, config.DB_NAME, dir);
      const done = await db.getRepository(ImportJob).findOneByOrFail({ id: job.id });
      if (run.outcome !== 'done' || done.inserted !== BENCH_ROWS) {
        throw new Error(`the import did not insert every row: ${JSON.stringify(done)}`);
      }
      console.error(`  import: ${(run.ms / 1000).toFixed(1)} s, peak RSS ${run.peakMb.toFixed(0)} MB`);
      return [
        {
          name: `import ${BENCH_ROWS.toLocaleString('en')} persons (CSV → checked, upserted)`,
          unit: 'rows/s',
          value: (BENCH_ROWS / run.ms) * 1000,
          baselineName: 'raw mysql2 multi-row INSERT',
          baseline: (BENCH_ROWS / baselineMs) * 1000,
          higherIsBetter: true,
          note: `goal ≥ 0.70; ${(run.ms / 1000).toFixed(1)} s vs ${(baselineMs / 1000).toFixed(1)} s; peak RSS ${run.peakMb.toFixed(0)} MB (goal < 1024; ${run.startMb.toFixed(0)} MB at its start)`,
        },
      ];
    } finally {
      await drop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
