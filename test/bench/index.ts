import 'reflect-metadata';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/config/paths.js';
import { escalationBench } from './escalation.bench.js';
import { httpBench } from './http.bench.js';
import { importBench } from './import.bench.js';
import { indicatorsBench } from './indicators.bench.js';
import { ledgerBench } from './ledger.bench.js';
import { povertyReconciliationBench } from './poverty-reconciliation.bench.js';
import { reconciliationBench } from './reconciliation.bench.js';
import { type Bench, formatTable, type ReportRow, reportRow } from './report.js';
import { riskBench } from './risk.bench.js';
import { worklistsBench } from './worklists.bench.js';

/**
 * `npm run bench [name…]`: every benchmark, or those named. One table (work, product, baseline,
 * ratio, goal, pass) goes to stdout and test/artifacts/bench.md, and the same rows as JSON to
 * test/artifacts/bench.json; the previous JSON, if any, is kept as bench.previous.json and each
 * figure's change against it is printed, so that one run can be compared with the last.
 */
const BENCHES: Bench[] = [
  ledgerBench,
  escalationBench,
  httpBench,
  importBench,
  reconciliationBench,
  povertyReconciliationBench,
  indicatorsBench,
  worklistsBench,
  riskBench,
];

interface BenchRun {
  date: string;
  machine: { host: string; cpus: number; cpu: string; memoryGb: number; node: string; loadavgAtStart: number[] };
  rows: ReportRow[];
}

function compare(previous: BenchRun, rows: readonly ReportRow[]): string {
  const before = new Map(previous.rows.map((r) => [`${r.bench}: ${r.name}`, r]));
  const changes = rows.flatMap((r) => {
    const old = before.get(`${r.bench}: ${r.name}`);
    return old ? [`- ${r.bench}: ${r.name}: ratio ${old.ratio.toFixed(2)} → ${r.ratio.toFixed(2)}`] : [];
  });
  return changes.length > 0 ? `Against the run of ${previous.date}:\n${changes.join('\n')}` : '';
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const chosen = BENCHES.filter((b) => wanted.length === 0 || wanted.includes(b.name));
  const run: BenchRun = {
    date: new Date().toISOString(),
    machine: {
      host: hostname(),
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadavgAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    },
    rows: [],
  };
  for (const bench of chosen) {
    console.error(`running ${bench.name} …`);
    const rows = (await bench.run()).map((line) => reportRow(bench.name, line));
    console.error(formatTable(rows));
    run.rows.push(...rows);
  }
  const out = join(PROJECT_ROOT, 'test/artifacts');
  mkdirSync(out, { recursive: true });
  const jsonPath = join(out, 'bench.json');
  const previous = existsSync(jsonPath) ? (JSON.parse(readFileSync(jsonPath, 'utf8')) as BenchRun) : null;
  if (previous) {
    writeFileSync(join(out, 'bench.previous.json'), JSON.stringify(previous, null, 2));
  }
  const { machine } = run;
  const table = [
    `# npm run bench — ${run.date}`,
    '',
    `${machine.cpus} × ${machine.cpu}, ${machine.memoryGb} GB, Node ${machine.node}, load average at start ${machine.loadavgAtStart.join(' / ')}`,
    '',
    formatTable(run.rows),
    '',
    previous ? compare(previous, run.rows) : '',
  ].join('\n');
  process.stdout.write(`${table}\n`);
  writeFileSync(join(out, 'bench.md'), `${table}\n`);
  writeFileSync(jsonPath, JSON.stringify(run, null, 2));
  if (run.rows.some((r) => r.pass === false)) {
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
