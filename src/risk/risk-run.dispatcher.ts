import { InjectQueue } from '@nestjs/bull';
import { type BeforeApplicationShutdown, Injectable, Logger, Optional } from '@nestjs/common';
import type { Queue } from 'bull';
import { AppError } from '../common/app-error.js';
import { QUEUES, RISK_RUN_JOB } from '../queue/queues.js';
import { RiskRunService } from './risk-run.service.js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** A risk-runs job: after an upload (`uploadId`), or the daily schedule (no year: the current one). */
export interface RiskRunJobData {
  year?: number;
  trigger: 'upload' | 'schedule';
  uploadId?: number;
}

/**
 * Starts the risk runs that follow an upload or the schedule: a Bull job with Redis (job id per
 * upload, so a redelivered upload queues one run), in this process without. A year without
 * thresholds is left alone (logged): the run by hand says what is missing.
 */
@Injectable()
export class RiskRunDispatcher implements BeforeApplicationShutdown {
  private readonly logger = new Logger('RiskRun');
  private readonly inProcess = new Set<Promise<unknown>>();

  constructor(
    private readonly runs: RiskRunService,
    @Optional() @InjectQueue(QUEUES.riskRuns) private readonly queue?: Queue<RiskRunJobData>,
  ) {}

  async dispatch(data: RiskRunJobData): Promise<void> {
    if (!this.queue) {
      const run = yieldToEventLoop()
        .then(() => this.handle(data))
        .finally(() => this.inProcess.delete(run));
      this.inProcess.add(run);
      return;
    }
    const jobId = data.uploadId ? `risk-run:upload:${data.uploadId}` : undefined;
    await this.queue.add(RISK_RUN_JOB, data, { jobId }).catch((error: unknown) => {
      this.logger.warn(`risk run for ${data.year} not queued (Redis: ${(error as Error).message}); run it by hand`);
    });
  }

  /** The job's work (the processor's, or in-process): a run as of today; a year without thresholds is skipped. */
  async handle(data: RiskRunJobData): Promise<void> {
    const year = data.year ?? Number(this.runs.today().slice(0, 4));
    try {
      await this.runs.run({ year });
    } catch (error) {
      if (error instanceof AppError && error.field === 'thresholds') {
        this.logger.warn(`risk run (${data.trigger}) skipped: ${error.message}`);
        return;
      }
      if (this.queue) {
        throw error;
      }
      this.logger.error(`risk run (${data.trigger}) for ${year} failed`, (error as Error).stack);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.inProcess]);
  }
}
