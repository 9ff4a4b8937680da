import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { QUEUES } from '../queue/queues.js';
import { SettlementImportService } from './settlement-import.service.js';
import type { SettlementUploadJobData } from './settlement-upload.dispatcher.js';

/** The Bull consumer (workers with Redis): the service does the work. */
@Processor(QUEUES.riskSettlements)
export class SettlementUploadsProcessor {
  constructor(private readonly runner: SettlementImportService) {}

  @Process()
  async handle(job: Job<SettlementUploadJobData>): Promise<void> {
    const outcome = await this.runner.run(job.data.uploadId, {
      lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
    });
    if (outcome === 'stopped') {
      // This worker is shutting down mid-upload: fail the attempt so that another worker retries it.
      throw new Error(`settlement upload ${job.data.uploadId} stopped for shutdown; it will be resumed`);
    }
  }
}
