import { Module } from '@nestjs/common';
import { ReconciliationModule } from './reconciliation.module.js';
import { ReconciliationProcessor } from './reconciliation.processor.js';

/** The reconciliations queue's consumer, for a process that runs workers (QueueModule.runsWorkers). */
@Module({ imports: [ReconciliationModule], providers: [ReconciliationProcessor] })
export class ReconciliationWorkerModule {}
