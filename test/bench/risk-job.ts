import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../src/app/app.module.js';
import type { AppConfig } from '../../src/config/app-config.js';
import { RiskRunService } from '../../src/risk/risk-run.service.js';
import { SettlementImportService } from '../../src/risk/settlement-import.service.js';
import { measured } from './roster-data.js';

/**
 * The risk benchmark's jobs in the job process, through the application's own wiring (an application
 * context of AppModule, no HTTP): `risk-import <uploadId>` runs a settlement upload as a worker does,
 * `risk-run <year>` the year's risk run as of the March after it.
 */
export async function riskJob(config: AppConfig, kind: 'risk-import' | 'risk-run', arg: number) {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    if (kind === 'risk-import') {
      const run = await measured(() => app.get(SettlementImportService).run(arg));
      return { outcome: run.result, ms: run.ms, peakMb: run.peakMb, startMb: run.startMb };
    }
    const run = await measured(() => app.get(RiskRunService).run({ year: arg, asOf: `${arg + 1}-03-01` }));
    return { outcome: 'done', result: run.result, ms: run.ms, peakMb: run.peakMb, startMb: run.startMb };
  } finally {
    await app.close();
  }
}
