import { parse } from 'csv-parse';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { idCheckChar } from '../../src/common/id-number.js';
import type { RiskRunResult } from '../../src/risk/risk-run.service.js';
import { SettlementUpload } from '../../src/risk/settlement-upload.entity.js';
import { SETTLEMENT_BATCH_ROWS, SETTLEMENT_INSERT_COLUMNS } from '../../src/risk/settlement-import.service.js';
import { benchDatabase } from './bench-db.js';
import { type Bench, type BenchLine, timed } from './report.js';
import { BENCH_ROWS, DEMO_REGIONS, householdOf, type JobRun, personOf, runInProcess, writeCsv } from './roster-data.js';

const YEAR = 2020;
/** Registered persons in the generated registry, and persons with settlements (the rest outside the register). */
const REGISTERED = Math.ceil(BENCH_ROWS / 10);
const PATIENTS = Math.ceil(BENCH_ROWS / 4);

/** An ID number outside the generated registry (area 620100). */
function outsider(k: number): string {
  const birth = new Date(Date.UTC(1950, 0, 1) + (k % 20_000) * 86_400_000).toISOString().slice(0, 10);
  const first17 = `620100${birth.replaceAll('-', '')}${String(Math.floor(k / 20_000)).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

const yuan = (fen: number): string =>
  `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;
const dayOf = (i: number): string => {
  const d = new Date(Date.UTC(YEAR, 0, 1) + (i % 366) * 86_400_000);
  return d.toISOString().slice(0, 10);
};

/**
 * Settlement row i: patient i % PATIENTS (the first REGISTERED registered), about four settlements
 * each; one patient in 500 has heavy costs (above both thresholds); every 1000th row is the refund of
 * half the row before it (same settlement number).
 */
function* settlementLines(): Generator<string> {
  let previous = { no: '', id: '', total: 0, fund: 0 };
  for (let i = 0; i < BENCH_ROWS; i++) {
    if (i % 1000 === 999) {
      const total = -Math.floor(previous.total / 2);
      const fund = -Math.floor(previous.fund / 2);
      yield `${previous.no},${previous.id},退费,门诊,,,${dayOf(i)},区人民医院,${yuan(total)},${yuan(fund)},0,0,0`;
      continue;
    }
    const p = i % PATIENTS;
    const id = p < REGISTERED ? personOf(p).idNumber : outsider(p);
    const heavy = p % 500 === 7;
    const total = heavy ? 2_000_000 + (i % 97) * 100 : 20_000 + ((i * 37) % 300_000);
    const fund = Math.floor(total * 0.55);
    const major = heavy ? 200_000 : 0;
    const no = `JS${YEAR}${String(i).padStart(9, '0')}`;
    previous = { no, id, total, fund };
    yield `${no},${id},患者${p % 1000},${i % 3 ? '门诊' : '住院'},${dayOf(i)},${dayOf(i)},${dayOf(i)},区人民医院,${yuan(total)},${yuan(fund)},${yuan(major)},0,0`;
  }
}

/**
 * Issue #20: a file of BENCH_ROWS settlement rows (a million by default) through the upload job
 * (a process of its own, whose peak memory is reported) beside a raw multi-row INSERT of the same
 * file (csv-parse, amounts to fen, 1000-row `INSERT … VALUES ?` into a copy of the table, in the same
 * run); then the risk run beside one raw SQL `GROUP BY` over the same rows (best of two).
 */
export const riskBench: Bench = {
  name: 'risk',
  async run(): Promise<BenchLine[]> {
    const dir = mkdtempSync(join(tmpdir(), 'hpa-bench-risk-'));
    const { config, db, raw, drop } = await benchDatabase('risk');
    try {
      await db.query('INSERT INTO regions (code, name, level, parentCode) VALUES ?', [
        DEMO_REGIONS.map((r) => [r.code, r.name, r.level, r.parentCode]),
      ]);
      for (let start = 0; start < REGISTERED; start += 5000) {
        const households = [];
        const persons = [];
        for (let n = start; n < Math.min(REGISTERED, start + 5000); n++) {
          const p = personOf(n);
          if (n % 3 === 0) {
            const h = householdOf(p.household);
            households.push([p.household + 1, h.registryNo, h.regionCode, h.povertyCause, h.registeredYear, h.status]);
          }
          persons.push([n + 1, p.household + 1, p.idNumber, p.name, p.sex, p.birthDate, p.relation, 'active']);
        }
        await raw.query(
          'INSERT INTO households (id, registryNo, regionCode, povertyCause, registeredYear, status) VALUES ?',
          [households],
        );
        await raw.query(
          'INSERT INTO persons (id, householdId, idNumber, name, sex, birthDate, relation, status) VALUES ?',
          [persons],
        );
      }
      const file = join(dir, 'settlements.csv');
      await writeCsv(
        file,
        '结算编号,身份证号,姓名,就诊类型,入院日期,出院日期,结算日期,医疗机构,总费用,统筹基金支付,大病保险支付,医疗救助支付,其他支付',
        settlementLines(),
      );

      // Baseline: the same file parsed and inserted raw, 1000 rows per INSERT, into a copy of the table.
      await raw.query('CREATE TABLE settlements_baseline LIKE settlements');
      const fen = (text: string) => Math.round(Number(text) * 100);
      const baselineMs = await timed(async () => {
        let rows: unknown[][] = [];
        let line = 1;
        const flush = async () => {
          await raw.query(`INSERT INTO settlements_baseline (${SETTLEMENT_INSERT_COLUMNS.join(', ')}) VALUES ?`, [
            rows,
          ]);
          rows = [];
        };
        for await (const r of createReadStream(file).pipe(parse({ bom: true, from_line: 2 })) as AsyncIterable<
          string[]
        >) {
          line++;
          const amounts = [fen(r[8]), fen(r[9]), fen(r[10]), fen(r[11]), fen(r[12])];
          const burden = amounts[0] - amounts[1] - amounts[2] - amounts[3] - amounts[4];
          rows.push([
            r[0],
            amounts[0] < 0 ? 1 : 0,
            YEAR,
            r[1],
            r[2],
            r[3],
            r[4] || null,
            r[5] || null,
            r[6],
            r[7],
            ...amounts,
            burden,
            0,
            line,
          ]);
          if (rows.length === SETTLEMENT_BATCH_ROWS) {
            await flush();
          }
        }
        if (rows.length > 0) {
          await flush();
        }
      });
      console.error(`  baseline insert: ${(baselineMs / 1000).toFixed(1)} s`);

      const env = { DB_TYPE: 'mysql', DB_NAME: config.DB_NAME, UPLOAD_DIR: dir, DEMO_DATA: '0', LOG_LEVEL: 'warn' };
      const imported = await runInProcess<JobRun & { id: number }>(['risk-import', basename(file)], env);
      const counts = await db.getRepository(SettlementUpload).findOneByOrFail({ id: imported.id });
      if (imported.outcome !== 'done') {
        throw new Error(`the settlement upload did not finish: ${imported.outcome} ${counts.error ?? ''}`);
      }
      console.error(`  import: ${(imported.ms / 1000).toFixed(1)} s, peak RSS ${imported.peakMb.toFixed(0)} MB`);

      // The aggregation: thresholds of 10 000 元 (50 % / 100 %), the raw GROUP BY before and after the run.
      await raw.query(
        'INSERT INTO risk_thresholds (year, ruralIncomeFen, registeredRatioBp, otherRatioBp) VALUES (?, 1000000, 5000, 10000)',
        [YEAR],
      );
      let flagged = 0;
      const groupBy = () =>
        timed(async () => {
          const [rows] = await raw.query(
            `SELECT idNumber, SUM(totalFen - fundFen - majorFen - assistFen - otherFen) AS burden
             FROM settlements WHERE year = ? GROUP BY idNumber HAVING burden >= 500000`,
            [YEAR],
          );
          flagged = (rows as unknown[]).length;
        });
      const firstGroupBy = await groupBy();
      const ran = await runInProcess<JobRun & { result: RiskRunResult }>(['risk-run', String(YEAR)], env);
      const groupByMs = Math.min(firstGroupBy, await groupBy());
      console.error(
        `  risk run: ${(ran.ms / 1000).toFixed(2)} s (${JSON.stringify(ran.result)}); GROUP BY ${groupByMs} ms`,
      );
      const n = BENCH_ROWS.toLocaleString('en');
      return [
        {
          name: `upload ${n} settlement rows (CSV)`,
          unit: 'rows/s',
          value: BENCH_ROWS / (imported.ms / 1000),
          baselineName:
            'the same file: csv-parse, amounts to fen, raw 1000-row INSERTs (autocommit) into a copy of the table',
          baseline: BENCH_ROWS / (baselineMs / 1000),
          higherIsBetter: true,
          goal: { minRatio: 0.7 },
          note: `${counts.inserted} new, ${counts.duplicates} duplicates, ${counts.rejected} rejected`,
        },
        {
          name: `the settlement upload job's peak RSS (${n} rows)`,
          unit: 'MB',
          value: imported.peakMb,
          baselineName: 'at its start',
          baseline: imported.startMb,
          higherIsBetter: false,
          goal: { max: 1024 },
        },
        {
          name: `risk run over ${n} settlement rows`,
          unit: 'ms',
          value: ran.ms,
          baselineName: 'one raw SQL GROUP BY … HAVING over the same rows (best of two)',
          baseline: groupByMs,
          higherIsBetter: false,
          goal: { minRatio: 0.5 },
          note: `peak RSS ${ran.peakMb.toFixed(0)} MB; ${ran.result.registered + ran.result.unregistered} alerts (${ran.result.items} items), GROUP BY found ${flagged} at the lower threshold`,
        },
      ];
    } finally {
      await drop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
