import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app/app.module.js';
import type { AppConfig } from '../../src/config/app-config.js';
import { RiskRunService } from '../../src/risk/risk-run.service.js';
import { SettlementImportService } from '../../src/risk/settlement-import.service.js';
import { SettlementUpload } from '../../src/risk/settlement-upload.entity.js';
import { measured } from './roster-data.js';

/**
 * The risk benchmark's jobs in the job process, through the application's own wiring (an application
 * context of AppModule, no HTTP): `risk-import <storedName>` records an upload of that file in
 * UPLOAD_DIR for 2020 once the context is up (so that its start does not resume it beside this run)
 * and runs it as a worker does; `risk-run <year>` the year's risk run as of the March after it.
 */
export async function riskJob(config: AppConfig, kind: 'risk-import' | 'risk-run', arg: string) {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    if (kind === 'risk-import') {
      const upload = await app.get(DataSource).getRepository(SettlementUpload).save({
        year: 2020,
        status: 'queued',
        fileName: 'settlements.csv',
        storedName: arg,
        format: 'csv',
        encoding: 'utf8',
        createdById: null,
      });
      const run = await measured(() => app.get(SettlementImportService).run(upload.id));
      return { id: upload.id, outcome: run.result, ms: run.ms, peakMb: run.peakMb, startMb: run.startMb };
    }
    const year = Number(arg);
    const run = await measured(() => app.get(RiskRunService).run({ year, asOf: `${year + 1}-03-01` }));
    return { outcome: 'done', result: run.result, ms: run.ms, peakMb: run.peakMb, startMb: run.startMb };
  } finally {
    await app.close();
  }
}
