import 'reflect-metadata';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/config/paths.js';
import { escalationBench } from './escalation.bench.js';
import { httpBench } from './http.bench.js';
import { importBench } from './import.bench.js';
import { indicatorsBench } from './indicators.bench.js';
import { ledgerBench } from './ledger.bench.js';
import { povertyReconciliationBench } from './poverty-reconciliation.bench.js';
import { reconciliationBench } from './reconciliation.bench.js';
import { riskBench } from './risk.bench.js';
import { type Bench, formatReport } from './report.js';
import { worklistsBench } from './worklists.bench.js';

/** `npm run bench [name…]`: every benchmark, or those named; the report goes to stdout and test/artifacts/bench.md. */
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

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const chosen = BENCHES.filter((b) => wanted.length === 0 || wanted.includes(b.name));
  const sections: string[] = [];
  for (const bench of chosen) {
    console.error(`running ${bench.name} …`);
    const section = formatReport(bench.name, await bench.run());
    console.error(section);
    sections.push(section);
  }
  const out = join(PROJECT_ROOT, 'test/artifacts');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'bench.md'), `# npm run bench — ${new Date().toISOString()}\n\n${sections.join('\n\n')}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
