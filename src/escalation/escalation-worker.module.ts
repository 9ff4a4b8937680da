import { Module } from '@nestjs/common';
import { EscalationModule } from './escalation.module.js';
import { EscalationProcessor } from './escalation.processor.js';

/** The escalation queue's consumer, for a process that runs workers (QueueModule.runsWorkers). */
@Module({ imports: [EscalationModule], providers: [EscalationProcessor] })
export class EscalationWorkerModule {}
