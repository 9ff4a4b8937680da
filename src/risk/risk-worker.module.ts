import { Module } from '@nestjs/common';
import { RiskRunsProcessor } from './risk-runs.processor.js';
import { RiskModule } from './risk.module.js';
import { SettlementUploadsProcessor } from './settlement-uploads.processor.js';

/** The risk queues' consumers, for a process that runs workers (QueueModule.runsWorkers). */
@Module({ imports: [RiskModule], providers: [SettlementUploadsProcessor, RiskRunsProcessor] })
export class RiskWorkerModule {}
