import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { ESCALATION_JOB, QUEUES } from '../queue/queues.js';
import type { EscalationTrigger } from './escalation-run.entity.js';
import { EscalationService, type RunResult } from './escalation.service.js';

/** A job's data: nothing for the nightly repeatable job (asOf is today when it fires). */
export interface EscalationJobData {
  asOf?: string;
  trigger: EscalationTrigger;
  startedBy?: number | null;
}

/** Thin: the service does the work, idempotently (a job may be delivered twice, or run beside another). */
@Processor(QUEUES.escalation)
export class EscalationProcessor {
  constructor(private readonly escalation: EscalationService) {}

  @Process(ESCALATION_JOB)
  handle(job: Job<EscalationJobData>): Promise<RunResult> {
    return this.escalation.run({
      asOf: job.data.asOf,
      trigger: job.data.trigger ?? 'schedule',
      startedBy: job.data.startedBy ?? null,
    });
  }
}
