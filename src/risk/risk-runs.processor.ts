import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { QUEUES, RISK_RUN_JOB } from '../queue/queues.js';
import { type RiskRunJobData, RiskRunDispatcher } from './risk-run.dispatcher.js';

/** Thin: the run is idempotent (a job may be delivered twice, or run beside another). */
@Processor(QUEUES.riskRuns)
export class RiskRunsProcessor {
  constructor(private readonly dispatcher: RiskRunDispatcher) {}

  @Process(RISK_RUN_JOB)
  handle(job: Job<RiskRunJobData>): Promise<void> {
    return this.dispatcher.handle(job.data);
  }
}
