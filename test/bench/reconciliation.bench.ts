import { parse } from 'csv-parse';
import type { Connection as CallbackConnection } from 'mysql2';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { idCheckChar } from '../../src/common/id-number.js';
import { Discrepancy } from '../../src/reconciliation/discrepancy.entity.js';
import { Reconciliation } from '../../src/reconciliation/reconciliation.entity.js';
import { benchDatabase } from './bench-db.js';
import { type Bench, type BenchLine, timed } from './report.js';
import { BENCH_ROWS, DEMO_REGIONS, householdOf, personOf, runJobProcess, writeCsv } from './roster-data.js';

const CHUNK = 5000;
const YEAR = 2020;

/** An ID number nobody in the generated registry has (area 620100). */
function outsider(k: number): string {
  const birth = new Date(Date.UTC(1950, 0, 1) + (k % 20_000) * 86_400_000).toISOString().slice(0, 10);
  const first17 = `620100${birth.replaceAll('-', '')}${String(Math.floor(k / 20_000)).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

/**
 * Issue #6: reconciling a roster of about BENCH_ROWS rows against a registry of BENCH_ROWS persons
 * (a million each by default) with the reconciliation job's own code, beside a baseline in the same
 * run: streaming the registry's ID numbers from MySQL into a Set and diffing the file's against it
 * in plain JS (csv-parse for the file, as the job uses). The job runs in a process of its own (as a
 * worker), whose peak resident memory is reported.
 */
export const reconciliationBench: Bench = {
  name: 'reconciliation',
  async run(): Promise<BenchLine[]> {
    const dir = mkdtempSync(join(tmpdir(), 'hpa-bench-reconciliation-'));
    const { config, db, raw, drop } = await benchDatabase('reconciliation');
    try {
      await db.query('INSERT INTO regions (code, name, level, parentCode) VALUES ?', [
        DEMO_REGIONS.map((r) => [r.code, r.name, r.level, r.parentCode]),
      ]);
      // The registry: households of three, 1 % removed; 0.2 % of persons deceased; 10 % with a 2020 enrollment.
      const loaded = await timed(async () => {
        const households = Math.ceil(BENCH_ROWS / 3);
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
        for (let start = 0; start < BENCH_ROWS; start += CHUNK) {
          const persons = [];
          const enrollments = [];
          for (let n = start; n < Math.min(BENCH_ROWS, start + CHUNK); n++) {
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
            await raw.query(
              'INSERT INTO insurance_enrollments (personId, year, scheme, enrolled, subsidized) VALUES ?',
              [enrollments],
            );
          }
        }
      });
      // The roster: everyone enrolled, except 1 % missing, 0.5 % listed not enrolled, 0.5 % under another
      // name; plus 1 % subsidized outsiders, 0.1 % bad check characters and 0.1 % repeated rows.
      const file = join(dir, 'roster.csv');
      await writeCsv(
        file,
        '身份证号,姓名,年度,是否参保,是否资助参保',
        (function* () {
          for (let n = 0; n < BENCH_ROWS; n++) {
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
          for (let k = 0; k < BENCH_ROWS / 100; k++) {
            yield `${outsider(k)},外来${k},${YEAR},是,是`;
          }
          for (let k = 0; k < BENCH_ROWS / 1000; k++) {
            const id = outsider(BENCH_ROWS + k);
            yield `${id.slice(0, 17)}${id[17] === '0' ? '1' : '0'},错号${k},${YEAR},是,是`;
          }
        })(),
      );
      console.error(`  registry of ${BENCH_ROWS} persons and the roster generated in ${(loaded / 1000).toFixed(1)} s`);

      // Baseline: the registry's ID numbers streamed into a Set, the file's diffed against it.
      let diff = { matched: 0, unknown: 0, missing: 0 };
      const baselineMs = await timed(async () => {
        const registered = new Set<string>();
        const core = (raw as unknown as { connection: CallbackConnection }).connection;
        for await (const row of core.query('SELECT idNumber FROM persons').stream() as AsyncIterable<{
          idNumber: string;
        }>) {
          registered.add(row.idNumber);
        }
        let matched = 0;
        let unknown = 0;
        for await (const record of createReadStream(file).pipe(parse({ bom: true, from_line: 2 })) as AsyncIterable<
          string[]
        >) {
          if (registered.delete(record[0])) {
            matched++;
          } else {
            unknown++;
          }
        }
        diff = { matched, unknown, missing: registered.size };
      });
      console.error(`  baseline: ${(baselineMs / 1000).toFixed(1)} s (${JSON.stringify(diff)})`);

      // Measured: the reconciliation job's code path, as a queue worker runs it, in a process of its own.
      const rec = await db.getRepository(Reconciliation).save({
        year: YEAR,
        status: 'queued',
        fileName: 'roster.csv',
        storedName: basename(file),
        format: 'csv',
        encoding: 'utf8',
        createdById: null,
      });
      const run = await runJobProcess('reconciliation', rec.id, config.DB_NAME, dir);
      if (run.outcome !== 'done') {
        throw new Error(`the reconciliation did not finish: ${run.outcome}`);
      }
      const counts = await db
        .getRepository(Discrepancy)
        .createQueryBuilder('d')
        .select('d.kind', 'kind')
        .addSelect('COUNT(*)', 'n')
        .where('d.reconciliationId = :id', { id: rec.id })
        .groupBy('d.kind')
        .getRawMany<{ kind: string; n: string }>();
      const found = counts.map((c) => `${c.kind} ${Number(c.n)}`).join(', ');
      console.error(
        `  reconciliation: ${(run.ms / 1000).toFixed(1)} s, peak RSS ${run.peakMb.toFixed(0)} MB; ${found}`,
      );
      return [
        {
          name: `reconcile ${BENCH_ROWS.toLocaleString('en')}-row roster vs ${BENCH_ROWS.toLocaleString('en')} persons`,
          unit: 's',
          value: run.ms / 1000,
          baselineName: 'stream registry IDs + diff in plain JS',
          baseline: baselineMs / 1000,
          higherIsBetter: false,
          note: `goal ≥ 0.50 (at most 2× the baseline); peak RSS ${run.peakMb.toFixed(0)} MB (goal < 1024; ${run.startMb.toFixed(0)} MB at its start); found ${found}`,
        },
      ];
    } finally {
      await drop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
