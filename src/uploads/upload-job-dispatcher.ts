import type { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bull';
import { basename } from 'node:path';
import { DataSource, type EntityTarget } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { AuthUser } from '../auth/auth-user.js';
import type { AppConfig } from '../config/app-config.js';
import { inTransaction } from '../database/transaction.js';
import type { RosterColumn } from './roster-file.js';
import { checkRoster } from './roster-reader.js';
import type { JobStatus, UploadJob } from './upload-job.js';
import { QueueModule } from '../queue/queue.module.js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** The service that works through one job: resumable, idempotent, and stoppable between batches. */
export interface UploadJobRunner {
  run(id: number): Promise<unknown>;
  stop(): void;
}

/** How long an upload waits for Redis to take its job before it answers anyway (the job stays queued). */
const ADD_TIMEOUT_MS = 2_000;

/**
 * Takes in uploaded files for jobs over them (imports, reconciliations) and starts their runs. The
 * database row is the truth: a job is `queued` there before anything is sent to Redis, so nothing is lost when Redis
 * is not there to take it.
 *
 * - With Redis, a run is a Bull job. The first run's job id comes from the upload (`key`, the
 *   stored file's random name: unique even across databases that share a Redis), so adding it
 *   again is a no-op; a resumed run gets an id of its own, as the first may still sit in Redis,
 *   stalled. While Redis is down an upload is accepted all the same, and whenever the connection
 *   is (re)established every job still `queued` is added again under its first id: jobs accepted
 *   during the outage, or lost with a Redis that kept nothing, run once Redis is back.
 * - Without Redis, the run happens in this process.
 * - On start (with Redis: on its first connection), a process that runs the work resumes the jobs
 *   left `running` by a process that stopped (killed, redeployed); each continues after its last
 *   committed batch.
 */
export abstract class UploadJobDispatcher<Row extends UploadJob, Data>
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly inProcess = new Set<Promise<unknown>>();
  /** Whether the jobs left running by a stopped process have been resumed (once, on the first connection). */
  private resumed = false;
  private readonly onRedisReady = (): void => {
    void this.redisReady().catch((error: unknown) =>
      this.logger.warn(`could not hand the waiting ${this.noun}s to Redis: ${(error as Error).message}`),
    );
  };

  protected constructor(
    private readonly logger: Logger,
    /** `import`, `reconciliation`: job ids and log lines. */
    private readonly noun: string,
    private readonly entity: EntityTarget<Row>,
    private readonly dataOf: (id: number) => Data,
    private readonly db: DataSource,
    private readonly runner: UploadJobRunner,
    private readonly config: AppConfig,
    private readonly queue?: Queue<Data>,
  ) {}

  /**
   * Checks the uploaded file's format, encoding and header now (400 naming `file`), records the job
   * as queued with `fields` of its own, and starts its first run.
   */
  async accept<K extends string>(
    file: Express.Multer.File,
    columns: readonly RosterColumn<K>[],
    user: AuthUser,
    fields: Partial<Row>,
  ): Promise<{ id: number; status: 'queued' }> {
    const { format, encoding } = await checkRoster(file.path, columns);
    const storedName = basename(file.path);
    const id = await inTransaction(this.db, async (em) => {
      const result = await em.insert(this.entity, {
        ...fields,
        status: 'queued',
        fileName: (file.originalname || 'roster').slice(0, 255),
        storedName,
        format,
        encoding,
        createdById: user.id,
      } as QueryDeepPartialEntity<Row>);
      return (result.identifiers[0] as { id: number }).id;
    });
    await this.dispatch(id, storedName);
    return { id, status: 'queued' };
  }

  /** Starts a run of job `id`: `key` for its first run (see the class), none for a resumed one. */
  async dispatch(id: number, key?: string): Promise<void> {
    if (!this.queue) {
      const run = yieldToEventLoop()
        .then(() => this.runner.run(id))
        .catch((error: unknown) => this.logger.error(`${this.noun} ${id} failed`, (error as Error).stack))
        .finally(() => this.inProcess.delete(run));
      this.inProcess.add(run);
      return;
    }
    if (this.queue.client.status !== 'ready') {
      this.logger.warn(`${this.noun} ${id} waits in the database until Redis is back`);
      return;
    }
    const jobId = key ? `${this.noun}-${id}-${key}` : `${this.noun}-${id}-resume-${Date.now().toString(36)}`;
    const added = this.queue.add(this.dataOf(id), { jobId });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), ADD_TIMEOUT_MS);
    });
    try {
      if ((await Promise.race([added, late])) === 'late') {
        // Redis went away just now: the add may still go through when it returns, or the next
        // pass on reconnecting adds it (the same id either way).
        added.catch(() => undefined);
        this.logger.warn(`${this.noun} ${id} waits in the database until Redis is back`);
      }
    } catch (error) {
      this.logger.warn(`${this.noun} ${id} waits in the database until Redis is back (${(error as Error).message})`);
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.queue) {
      for (const job of await this.left(['queued', 'running'])) {
        this.logger.log(`resuming ${this.noun} ${job.id}`);
        await this.dispatch(job.id);
      }
      return;
    }
    this.queue.client.on('ready', this.onRedisReady);
    if (this.queue.client.status === 'ready') {
      this.onRedisReady();
    }
  }

  /** Running jobs stop after their current batch; the next start resumes them. */
  async beforeApplicationShutdown(): Promise<void> {
    this.queue?.client.off('ready', this.onRedisReady);
    this.runner.stop();
    await Promise.all([...this.inProcess]);
  }

  /**
   * Whenever Redis is (back) there: every job still `queued` is added under its first id again (a
   * no-op for those Redis has). The first time, a process that runs the work also resumes the jobs
   * left `running` by a process that stopped, under new ids.
   */
  private async redisReady(): Promise<void> {
    const resume = !this.resumed && QueueModule.runsWorkers(this.config);
    this.resumed ||= resume;
    const waiting = await this.left(['queued']);
    for (const job of waiting) {
      await this.dispatch(job.id, job.storedName);
    }
    if (waiting.length > 0) {
      this.logger.log(`${waiting.length} queued ${this.noun}(s) handed to Redis`);
    }
    if (resume) {
      for (const job of await this.left(['running'])) {
        this.logger.log(`resuming ${this.noun} ${job.id}`);
        await this.dispatch(job.id);
      }
    }
  }

  private left(statuses: JobStatus[]): Promise<Row[]> {
    return this.db
      .getRepository(this.entity)
      .createQueryBuilder('job')
      .select(['job.id', 'job.storedName'])
      .where('job.status IN (:...statuses)', { statuses })
      .orderBy('job.id')
      .getMany();
  }
}
