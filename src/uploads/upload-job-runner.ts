import type { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource, EntityManager, EntityTarget } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import type { Clock } from '../common/clock.js';
import { maskIdLike } from '../common/mask-id-like.js';
import type { AppConfig } from '../config/app-config.js';
import { inTransaction } from '../database/transaction.js';
import { BulkSql } from './bulk-sql.js';
import { RosterFileError } from './roster-file.js';
import { removeUpload } from './upload.interceptor.js';
import type { UploadJob } from './upload-job.js';

/**
 * How a run ended: `stopped` (shutdown) and `taken_over` leave the job to another run; `cancelled`:
 * a user cancelled it meanwhile; `finished`: nothing was left to do.
 */
export type RunOutcome = 'done' | 'failed' | 'finished' | 'stopped' | 'taken_over' | 'cancelled';

/** Another run of the same job claimed it (a redelivered job, a restart): this one stops. */
export class TakenOver extends Error {}
/** The process is shutting down: stop between batches; the job is resumed on the next start. */
export class Stopped extends Error {}

/** What a run's work leaves on its job when done, and says in the log. */
export interface WorkDone<Row> {
  fields: QueryDeepPartialEntity<Row>;
  summary: string;
}

/** Columns every job has, to set on a job of a kind of its own (Row extends UploadJob). */
function common<Row extends UploadJob>(fields: QueryDeepPartialEntity<UploadJob>): QueryDeepPartialEntity<Row> {
  return fields as QueryDeepPartialEntity<Row>;
}

/**
 * The frame of a run over an uploaded file (an import, a reconciliation). `run` claims the job with a
 * fresh run token, checks that the file is there, does the subclass's `work`, and marks the job done
 * (only while the token is still the job's). A file error fails the job and is not thrown (trying
 * again would not help); another error is thrown for the queue to retry, and fails the job on the
 * last attempt. `work` checks `stopping` between batches and writes only while `owned` passes.
 */
export abstract class UploadJobRunner<Row extends UploadJob> {
  protected readonly sql: BulkSql;
  protected stopping = false;

  protected constructor(
    protected readonly logger: Logger,
    /** `import`, `reconciliation`: log lines. */
    private readonly noun: string,
    /** 导入, 数据比对: the job's error as users read it. */
    private readonly label: string,
    private readonly entity: EntityTarget<Row>,
    protected readonly db: DataSource,
    protected readonly clock: Clock,
    protected readonly config: AppConfig,
  ) {
    this.sql = new BulkSql(db);
  }

  /** Reads the file (with UPLOAD_DIR shared with the API) and writes the results, in batches. */
  protected abstract work(job: Row, token: string, path: string): Promise<WorkDone<Row>>;

  /** Once this run has claimed the job: what it clears (in `em`) and the job's fields it resets, for a run that starts over. */
  protected abstract onClaim(em: EntityManager, id: number): Promise<QueryDeepPartialEntity<Row>>;

  /** Once the job is done: e.g. remove the file that is no longer needed. */
  protected afterDone(_path: string): Promise<void> {
    return Promise.resolve();
  }

  filePath(job: Pick<UploadJob, 'storedName'>): string {
    return join(this.config.UPLOAD_DIR, job.storedName);
  }

  /** Asks running jobs to stop after their current batch (shutdown). */
  stop(): void {
    this.stopping = true;
  }

  /** Runs or resumes job `id`; `lastAttempt`: the queue will not retry after this one. */
  async run(id: number, options: { lastAttempt: boolean } = { lastAttempt: true }): Promise<RunOutcome> {
    const token = randomUUID();
    const job = await this.claim(id, token);
    if (!job) {
      return 'finished';
    }
    try {
      const path = this.filePath(job);
      if (!existsSync(path)) {
        throw new RosterFileError(
          `上传的文件已不在 UPLOAD_DIR 中（${job.storedName}），请重新上传（API 与后台任务是否共用 UPLOAD_DIR？）`,
        );
      }
      const done = await this.work(job, token, path);
      const finished = await inTransaction(this.db, (em) =>
        this.update(em, id, token, {
          ...done.fields,
          ...common({ status: 'done', finishedAt: this.clock.now(), runToken: null }),
        }),
      );
      if (!finished) {
        return this.lost(id);
      }
      await this.afterDone(path);
      this.logger.log(`${this.noun} ${id}: ${done.summary}`);
      return 'done';
    } catch (error) {
      if (error instanceof TakenOver) {
        return this.lost(id);
      }
      if (error instanceof Stopped) {
        this.logger.log(`${this.noun} ${id}: stopped for shutdown; it resumes on the next start`);
        return 'stopped';
      }
      const fileError = error instanceof RosterFileError;
      if (fileError || options.lastAttempt) {
        const message = fileError ? error.message : `${this.label}中断：${(error as Error).message}`;
        await inTransaction(this.db, (em) =>
          this.update(
            em,
            id,
            token,
            common({
              status: 'failed',
              error: maskIdLike(message).slice(0, 2000),
              finishedAt: this.clock.now(),
              runToken: null,
            }),
          ),
        );
      }
      if (!fileError) {
        throw error;
      }
      return 'failed';
    }
  }

  /**
   * Cancels a job that is queued, running or failed (POST …/:id/cancel): it is marked `cancelled` and
   * loses its run token, so a run in progress stops at its next batch (its next check of `owned`) and
   * no restart or resume runs it again. Its file is removed. A job that is done, or cancelled
   * already, cannot be cancelled (409); an unknown one is 404.
   */
  async cancel(id: number): Promise<{ id: number; status: 'cancelled' }> {
    const job = await inTransaction(this.db, async (em) => {
      const result = await em
        .createQueryBuilder()
        .update(this.entity)
        .set(common({ status: 'cancelled', runToken: null, finishedAt: this.clock.now() }))
        .where('id = :id AND status IN (:...open)', { id, open: ['queued', 'running', 'failed'] })
        .execute();
      const row = await em.getRepository(this.entity).createQueryBuilder('job').where('job.id = :id', { id }).getOne();
      if (!row) {
        throw AppError.notFound(`${this.noun} ${id}`);
      }
      if (!result.affected) {
        throw new AppError(
          ErrorCode.InvalidTransition,
          `${this.label} #${id} ${row.status === 'done' ? '已完成' : '已取消'}，不能取消`,
          'status',
        );
      }
      return row;
    });
    await removeUpload(this.filePath(job));
    this.logger.log(`${this.noun} ${id}: cancelled`);
    return { id, status: 'cancelled' };
  }

  /** Throws TakenOver unless this run still owns the job (between batches of a phase that writes nothing). */
  protected async assertOwned(id: number, token: string): Promise<void> {
    const mine = await this.db
      .getRepository(this.entity)
      .createQueryBuilder('job')
      .where('job.id = :id AND job.runToken = :token', { id, token })
      .getExists();
    if (!mine) {
      throw new TakenOver();
    }
  }

  /**
   * Runs `write` in a transaction that first checks this run still owns the job (a plain read, so
   * that such transactions do not queue behind each other on the job's row); TakenOver otherwise.
   */
  protected owned<T>(id: number, token: string, write: (em: EntityManager) => Promise<T>): Promise<T> {
    return inTransaction(this.db, async (em) => {
      const mine = await em
        .createQueryBuilder(this.entity, 'job')
        .where('job.id = :id AND job.runToken = :token', { id, token })
        .getExists();
      if (!mine) {
        throw new TakenOver();
      }
      return write(em);
    });
  }

  /** Sets `fields` on the job while `token` owns it; answers whether it still did. */
  protected async update(
    em: EntityManager,
    id: number,
    token: string,
    fields: QueryDeepPartialEntity<Row>,
  ): Promise<boolean> {
    const result = await em
      .createQueryBuilder()
      .update(this.entity)
      .set(fields)
      .where('id = :id AND runToken = :token', { id, token })
      .execute();
    return Boolean(result.affected);
  }

  /** Why this run lost its job: a user cancelled it, or another run took it over. */
  private async lost(id: number): Promise<RunOutcome> {
    const job = await this.db
      .getRepository(this.entity)
      .createQueryBuilder('job')
      .where('job.id = :id', { id })
      .getOne();
    if (job?.status === 'cancelled') {
      this.logger.log(`${this.noun} ${id}: stopped, it was cancelled`);
      return 'cancelled';
    }
    this.logger.log(`${this.noun} ${id}: taken over by another run`);
    return 'taken_over';
  }

  /** Takes the job over for this run; null when it is finished (done, failed or cancelled). */
  private async claim(id: number, token: string): Promise<Row | null> {
    const claimed = await inTransaction(this.db, async (em) => {
      const result = await em
        .createQueryBuilder()
        .update(this.entity)
        .set(common({ status: 'running', runToken: token, error: null }))
        .where('id = :id AND status IN (:...open)', { id, open: ['queued', 'running'] })
        .execute();
      if (!result.affected) {
        return false;
      }
      const reset = await this.onClaim(em, id);
      if (Object.keys(reset).length > 0) {
        await em.createQueryBuilder().update(this.entity).set(reset).where('id = :id', { id }).execute();
      }
      await em
        .createQueryBuilder()
        .update(this.entity)
        .set(common({ startedAt: this.clock.now() }))
        .where('id = :id AND startedAt IS NULL', { id })
        .execute();
      return true;
    });
    const job = await this.db
      .getRepository(this.entity)
      .createQueryBuilder('job')
      .where('job.id = :id', { id })
      .getOne();
    if (!job) {
      // Not in this database: throw, so that a queue shared by mistake retries it elsewhere.
      throw AppError.notFound(`${this.noun} ${id}`);
    }
    return claimed ? job : null;
  }
}
