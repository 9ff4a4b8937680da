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
import { ReconciliationRunner } from './reconciliation-runner.service.js';
import { Reconciliation } from './reconciliation.entity.js';

export interface ReconciliationJobData {
  reconciliationId: number;
}

/** Starts reconciliation runs: Bull with Redis, in-process without; reruns those a stopped process left unfinished. */
@Injectable()
export class ReconciliationDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Reconciliation');
  private readonly inProcess = new Set<Promise<unknown>>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly runner: ReconciliationRunner,
    private readonly config: AppConfig,
    @Optional() @InjectQueue(QUEUES.reconciliations) private readonly queue?: Queue<ReconciliationJobData>,
  ) {}

  /** `key`: the stored roster's random name, for the first run's job id (see ImportsDispatcher.dispatch). */
  async dispatch(reconciliationId: number, key?: string): Promise<void> {
    if (this.queue) {
      const jobId = key
        ? `reconciliation-${reconciliationId}-${key}`
        : `reconciliation-${reconciliationId}-rerun-${Date.now().toString(36)}`;
      await this.queue.add({ reconciliationId }, { jobId });
      return;
    }
    const run = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.runner.run(reconciliationId))
      .catch((error: unknown) => this.logger.error(`reconciliation ${reconciliationId} failed`, (error as Error).stack))
      .finally(() => this.inProcess.delete(run));
    this.inProcess.add(run);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.queue && !QueueModule.runsWorkers(this.config)) {
      return;
    }
    const left = await this.db.getRepository(Reconciliation).find({
      select: { id: true },
      where: { status: In(['queued', 'running']) },
      order: { id: 'ASC' },
    });
    for (const rec of left) {
      this.logger.log(`running reconciliation ${rec.id} again`);
      await this.dispatch(rec.id);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.runner.stop();
    await Promise.all([...this.inProcess]);
  }
}
