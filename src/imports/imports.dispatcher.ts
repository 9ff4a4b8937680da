import { InjectQueue } from '@nestjs/bull';
import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { DataSource, In } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { QueueModule } from '../queue/queue.module.js';
import { QUEUES } from '../queue/queues.js';
import { HouseholdImportService } from './household-import.service.js';
import { ImportJob } from './import-job.entity.js';

export interface ImportJobData {
  importId: number;
}

/**
 * Starts import runs: a Bull job when Redis is configured, otherwise in this process. On start, a
 * process that runs the work resumes the imports left `queued` or `running` by a process that
 * stopped (killed, redeployed): each continues after its last committed batch.
 */
@Injectable()
export class ImportsDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Imports');
  private readonly inProcess = new Set<Promise<unknown>>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly runner: HouseholdImportService,
    private readonly config: AppConfig,
    @Optional() @InjectQueue(QUEUES.imports) private readonly queue?: Queue<ImportJobData>,
  ) {}

  /**
   * Queues a run. The first run's job id comes from the upload (`key`, the stored file's random
   * name: unique even across databases that share a Redis); a resumed run gets a new one, as the
   * first job may still sit in Redis, stalled.
   */
  async dispatch(importId: number, key?: string): Promise<void> {
    if (this.queue) {
      const jobId = key ? `import-${importId}-${key}` : `import-${importId}-resume-${Date.now().toString(36)}`;
      await this.queue.add({ importId }, { jobId });
      return;
    }
    const run = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.runner.run(importId))
      .catch((error: unknown) => this.logger.error(`import ${importId} failed`, (error as Error).stack))
      .finally(() => this.inProcess.delete(run));
    this.inProcess.add(run);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.queue && !QueueModule.runsWorkers(this.config)) {
      return; // an API-only instance leaves this to the workers
    }
    const left = await this.db.getRepository(ImportJob).find({
      select: { id: true },
      where: { status: In(['queued', 'running']) },
      order: { id: 'ASC' },
    });
    for (const job of left) {
      this.logger.log(`resuming import ${job.id}`);
      await this.dispatch(job.id);
    }
  }

  /** Running imports stop after their current batch; the next start resumes them. */
  async beforeApplicationShutdown(): Promise<void> {
    this.runner.stop();
    await Promise.all([...this.inProcess]);
  }
}
