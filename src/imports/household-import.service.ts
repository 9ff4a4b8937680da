import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { Region } from '../regions/region.entity.js';
import { removeUpload } from '../uploads/upload.interceptor.js';
import { Stopped, UploadJobRunner, type WorkDone } from '../uploads/upload-job-runner.js';
import { HouseholdImportWriter, type ImportRun, MAX_LISTED_ERRORS } from './household-import-writer.js';
import type { RowContext } from './household-rows.js';
import { scanHouseholdRoster } from './household-scan.js';
import type { ErrorAllowance } from './import-rules.js';
import { ImportJob } from './import-job.entity.js';
import { ImportRowError } from './import-row-error.entity.js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** How often the reading phase makes sure the run still owns its job (not cancelled, not taken over). */
const OWNERSHIP_CHECK_MS = 250;
/**
 * Runs a household import (the queue job; idempotent and resumable):
 *
 * 1. claims the import with a fresh run token (a run that finds another token stops);
 * 2. reads the file once (streamed), checking each row and collecting what needs the whole file:
 *    ID numbers on two rows, one head per household, rows of a household that disagree, a
 *    household whose registered head is not in the file; meanwhile the rows' registry numbers and
 *    ID numbers are looked up in the registry five thousand at a time. A broken file fails here,
 *    before any write. The rows are kept compactly for the next phases;
 * 3. (HouseholdImportWriter) writes the valid rows' households (multi-row upserts of the new and
 *    changed ones, a thousand per statement), in file order, while
 * 4. the rows go to the registry in batches of 5000, after those already committed: per batch, one
 *    transaction loads the persons that were registered, upserts the new and changed ones with
 *    multi-row `INSERT … ON DUPLICATE KEY / ON CONFLICT … UPDATE`, records the rejected rows, and
 *    advances `rowsRead` with the counts (compare-and-set on the run token and the previous value).
 *    A process killed between batches loses nothing: the next run starts after the last committed
 *    batch. On MySQL two batches are in flight at once (their persons are disjoint: an ID number on
 *    two rows is rejected), committing in file order.
 */
@Injectable()
export class HouseholdImportService extends UploadJobRunner<ImportJob> {
  constructor(@InjectDataSource() db: DataSource, clock: Clock, config: AppConfig) {
    super(new Logger('Imports'), 'import', '导入', ImportJob, db, clock, config);
  }

  /** An import resumes where the last run stopped: nothing to reset. */
  protected onClaim(): Promise<QueryDeepPartialEntity<ImportJob>> {
    return Promise.resolve({});
  }

  protected afterDone(path: string): Promise<void> {
    return removeUpload(path);
  }

  protected async work(job: ImportJob, token: string, path: string): Promise<WorkDone<ImportJob>> {
    const started = Date.now();
    const ctx = await this.rowContext();
    // Whether the run still owns the job is asked at most every OWNERSHIP_CHECK_MS while the file is
    // read (a round trip per batch of the file would hold the reading up); cancelling stops it as soon.
    let checked = Date.now();
    const scan = await scanHouseholdRoster(this.db, this.sql, path, ctx, async () => {
      await yieldToEventLoop();
      if (this.stopping) {
        throw new Stopped();
      }
      if (Date.now() - checked >= OWNERSHIP_CHECK_MS) {
        await this.assertOwned(job.id, token);
        checked = Date.now();
      }
    });
    const scanned = Date.now();
    await this.owned(job.id, token, (em) => this.update(em, job.id, token, { rowsTotal: scan.rows.count }));
    const { rowsRead } = await this.db.getRepository(ImportJob).findOneByOrFail({ id: job.id });
    const listed = await this.db.getRepository(ImportRowError).countBy({ importId: job.id });
    const allowance: ErrorAllowance = { left: Math.max(0, MAX_LISTED_ERRORS - listed) };
    await new HouseholdImportWriter(this.runOf(job.id, token), scan).write(rowsRead, allowance);
    return {
      fields: {},
      summary: `${scan.rows.count} rows in ${Date.now() - started} ms (reading ${scanned - started} ms, writing ${Date.now() - scanned} ms)`,
    };
  }

  private async rowContext(): Promise<RowContext> {
    const regions = await this.db.getRepository(Region).find({
      select: { code: true },
      where: { level: In(['village', 'subdistrict']) },
    });
    const today = this.clock.today();
    return { regions: new Set(regions.map((r) => r.code)), today, thisYear: Number(today.slice(0, 4)) };
  }

  /** What the writing phases need of this run (HouseholdImportWriter). */
  private runOf(importId: number, token: string): ImportRun {
    return {
      importId,
      token,
      db: this.db,
      sql: this.sql,
      logger: this.logger,
      now: () => this.now(),
      stopping: () => this.stopping,
      owned: (write) => this.owned(importId, token, write),
    };
  }

  /** The clock's now as both drivers store a datetime: UTC `YYYY-MM-DD HH:MM:SS.mmm`. */
  private now(): string {
    return this.clock.now().toISOString().slice(0, 23).replace('T', ' ');
  }
}
