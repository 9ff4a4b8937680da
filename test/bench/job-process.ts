import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { Clock } from '../../src/common/clock.js';
import { loadConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/app/data-source.js';
import { HouseholdImportService } from '../../src/imports/household-import.service.js';
import { ReconciliationRunner } from '../../src/reconciliation/reconciliation-runner.service.js';
import { measured } from './roster-data.js';

/**
 * Runs one import or reconciliation job, as a queue worker would, in a process of its own (started
 * by the benchmarks), so that its peak resident memory is the job's and not the benchmark's: the
 * generated data and the baseline live in the parent. Prints `RESULT {json}` on its last line.
 * Arguments: `import|reconciliation <id>`; the environment names the database and UPLOAD_DIR.
 */
async function main(): Promise<void> {
  const [kind, id] = process.argv.slice(2);
  const config = loadConfig(process.env);
  const db = await new DataSource(dataSourceOptions(config)).initialize();
  try {
    const clock = new Clock(config);
    const job =
      kind === 'import' ? new HouseholdImportService(db, clock, config) : new ReconciliationRunner(db, clock, config);
    const run = await measured(() => job.run(Number(id)));
    process.stdout.write(
      `RESULT ${JSON.stringify({ outcome: run.result, ms: run.ms, peakMb: run.peakMb, startMb: run.startMb })}\n`,
    );
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
