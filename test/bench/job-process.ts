import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { Clock } from '../../src/common/clock.js';
import { loadConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/app/data-source.js';
import { ReconciliationRunner } from '../../src/reconciliation/reconciliation-runner.service.js';
import { IndicatorsService } from '../../src/reports/indicators.service.js';
import { riskJob } from './risk-job.js';
import { measured } from './roster-data.js';
import { timed } from './report.js';

/**
 * Runs one reconciliation job, as a queue worker would, in a process of its own (started
 * by the benchmarks), so that its peak resident memory is the job's and not the benchmark's: the
 * generated data and the baseline live in the parent. Prints `RESULT {json}` on its last line.
 * Arguments: `reconciliation <id>`, `risk-import|risk-run <id>`, or `indicators <asOf>` (all indicators through
 * IndicatorsService as an admin asks for them, then each of its queries alone); the environment names
 * the database and UPLOAD_DIR.
 */
async function main(): Promise<void> {
  const [kind, arg] = process.argv.slice(2);
  const config = loadConfig(process.env);
  const db = await new DataSource(dataSourceOptions(config)).initialize();
  try {
    const clock = new Clock(config);
    if (kind === 'risk-import' || kind === 'risk-run') {
      const run = await riskJob(config, kind, arg);
      process.stdout.write(`RESULT ${JSON.stringify(run)}\n`);
      return;
    }
    if (kind === 'indicators') {
      const service = new IndicatorsService(db, clock);
      const admin = { id: 1, username: 'admin', displayName: 'admin', role: 'admin' as const, regionCode: null };
      // Warm the code paths (as in a running app) with an officer of no sub-district, who sees no rows.
      await service.indicators({ ...admin, role: 'subdistrict_officer' }, arg);
      const run = await measured(() => service.indicators(admin, arg));
      const params = service.parameters(arg, null);
      const queryMs: Record<string, number> = {};
      for (const [name, sql] of Object.entries(service.queries())) {
        queryMs[name] = await timed(() => service.run(sql, params));
      }
      process.stdout.write(
        `RESULT ${JSON.stringify({ indicators: run.result, ms: run.ms, peakMb: run.peakMb, startMb: run.startMb, queryMs })}\n`,
      );
      return;
    }
    const run = await measured(() => new ReconciliationRunner(db, clock, config).run(Number(arg)));
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
