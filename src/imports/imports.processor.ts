import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { QUEUES } from '../queue/queues.js';
import { HouseholdImportService } from './household-import.service.js';
import type { ImportJobData } from './imports.dispatcher.js';

/** The Bull consumer (workers with Redis): the service does the work. */
@Processor(QUEUES.imports)
export class ImportsProcessor {
  constructor(private readonly runner: HouseholdImportService) {}

  @Process()
  async handle(job: Job<ImportJobData>): Promise<void> {
    const outcome = await this.runner.run(job.data.importId, {
      lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
    });
    if (outcome === 'stopped') {
      // This worker is shutting down mid-import: fail the attempt so that another worker retries it.
      throw new Error(`import ${job.data.importId} stopped for shutdown; it will be resumed`);
    }
  }
}
