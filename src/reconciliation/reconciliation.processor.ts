import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { QUEUES } from '../queue/queues.js';
import type { ReconciliationJobData } from './reconciliation.dispatcher.js';
import { ReconciliationRunner } from './reconciliation-runner.service.js';

/** The Bull consumer (workers with Redis): the runner does the work. */
@Processor(QUEUES.reconciliations)
export class ReconciliationProcessor {
  constructor(private readonly runner: ReconciliationRunner) {}

  @Process()
  async handle(job: Job<ReconciliationJobData>): Promise<void> {
    const outcome = await this.runner.run(job.data.reconciliationId, {
      lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
    });
    if (outcome === 'stopped') {
      throw new Error(`reconciliation ${job.data.reconciliationId} stopped for shutdown; it will run again`);
    }
  }
}
