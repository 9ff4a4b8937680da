import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { asError } from '../uploads/as-error.js';
import { openRoster } from '../uploads/roster-reader.js';
import { removeUpload } from '../uploads/upload.interceptor.js';
import { inTransaction } from '../database/transaction.js';
import { type RunOutcome, Stopped, TakenOver, UploadJobRunner, type WorkDone } from '../uploads/upload-job-runner.js';
import { RiskRunDispatcher } from './risk-run.dispatcher.js';
import { readSettlementRow, SETTLEMENT_COLUMNS, type SettlementRow } from './settlement-rows.js';
import { type SettlementRowError, SettlementUpload } from './settlement-upload.entity.js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** Settlement rows per multi-row INSERT (19 parameters each: under SQLite's 32 766). */
export const SETTLEMENT_BATCH_ROWS = 1000;
/** Row errors listed on an upload; the rest are counted in `rejected`. */
export const MAX_LISTED_ERRORS = 1000;

/** The columns a settlement row is written with, in the order of the INSERT. */
export const SETTLEMENT_INSERT_COLUMNS = [
  'settlementNo',
  'refund',
  'year',
  'idNumber',
  'name',
  'visitType',
  'admittedOn',
  'dischargedOn',
  'settledOn',
  'institution',
  'totalFen',
  'fundFen',
  'majorFen',
  'assistFen',
  'otherFen',
  'burdenFen',
  'uploadId',
  'line',
] as const;

/** How long a transaction of the job takes in batches before it commits them with the upload's counts (progress). */
export const SETTLEMENT_COMMIT_MS = 500;

/** What a run carries from transaction to transaction: the counts and the listed errors. */
interface RunState {
  counts: { inserted: number; duplicates: number; rejected: number };
  listed: SettlementRowError[];
}

interface Batch {
  rows: SettlementRow[];
  /**
   * For each refund among `rows` whose settlement is a charge earlier in this batch: that charge's ID
   * number (refunds of earlier batches or uploads are looked up in the database).
   */
  charged: Map<string, string>;
  /** Data rows read up to the end of this batch (the upload's rowsRead once it is committed). */
  rowsRead: number;
  rejected: number;
  errors: SettlementRowError[];
}

const emptyBatch = (rowsRead: number): Batch => ({ rows: [], charged: new Map(), rowsRead, rejected: 0, errors: [] });

/**
 * A hand-off of one batch at a time from the reader to the writer: the reader reads the next batch
 * while the writer writes, and waits while one it read is still not taken. `fail` (the writer's
 * error) makes the reader's next `put` throw; `end` makes `take` answer null once it is empty.
 */
class Handoff<T> {
  private item: T | null = null;
  private ended = false;
  private error: Error | null = null;
  private wake: (() => void) | null = null;

  async put(item: T): Promise<void> {
    while (this.item !== null && this.error === null) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    if (this.error) {
      throw this.error;
    }
    this.item = item;
    this.notify();
  }

  async take(): Promise<T | null> {
    while (this.item === null && !this.ended) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    const item = this.item;
    this.item = null;
    this.notify();
    return item;
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  fail(error: Error): void {
    this.error = error;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/**
 * Runs a settlement upload (the queue job; resumable): the file is streamed once; each row is checked
 * (its line named in every error), a refund must name a settlement known from the database or
 * earlier in the file, and the valid rows go in with multi-row `INSERT IGNORE` / `ON CONFLICT DO
 * NOTHING` statements of SETTLEMENT_BATCH_ROWS rows, so a settlement uploaded again is counted once (a
 * duplicate). While a batch is written, the next is read. A transaction takes batches for
 * SETTLEMENT_COMMIT_MS and commits them with the upload's counts and rowsRead (only while this run
 * owns the upload): a run that stops resumes after its last commit. Once done, a risk run for the
 * year is dispatched.
 */
@Injectable()
export class SettlementImportService extends UploadJobRunner<SettlementUpload> {
  private readonly mysql: boolean;
  private readonly insertIgnore: string;
  /** The 1000-row INSERT on SQLite (`?` per value); MySQL's takes the rows as one nested array (`VALUES ?`). */
  private readonly insertRows: string;

  constructor(
    @InjectDataSource() db: DataSource,
    clock: Clock,
    config: AppConfig,
    private readonly riskRuns: RiskRunDispatcher,
  ) {
    super(new Logger('RiskSettlements'), 'settlement upload', '结算数据导入', SettlementUpload, db, clock, config);
    this.mysql = db.options.type === 'mysql';
    this.insertIgnore = this.mysql ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    this.insertRows = this.insertSql(SETTLEMENT_BATCH_ROWS);
  }

  /** Runs the upload, and once it is done, the year's risk run (a queue job with Redis). */
  override async run(id: number, options?: { lastAttempt: boolean }): Promise<RunOutcome> {
    const outcome = await super.run(id, options);
    if (outcome === 'done') {
      const { year } = await this.db.getRepository(SettlementUpload).findOneByOrFail({ id });
      await this.riskRuns.dispatch({ year, trigger: 'upload', uploadId: id });
    }
    return outcome;
  }

  /** An upload resumes where the last run stopped: nothing to reset. */
  protected onClaim(): Promise<QueryDeepPartialEntity<SettlementUpload>> {
    return Promise.resolve({});
  }

  protected afterDone(path: string): Promise<void> {
    return removeUpload(path);
  }

  /**
   * The reader (here) checks the rows and hands batches to the writer. A reader's error (a broken
   * file) ends the hand-off: what was read before it is committed, then the error fails the job; a
   * writer's error stops the reader.
   */
  protected async work(job: SettlementUpload, token: string, path: string): Promise<WorkDone<SettlementUpload>> {
    const started = Date.now();
    const state: RunState = {
      counts: { inserted: job.inserted, duplicates: job.duplicates, rejected: job.rejected },
      listed: job.rowErrors ? (JSON.parse(job.rowErrors) as SettlementRowError[]) : [],
    };
    const today = this.clock.today();
    const handoff = new Handoff<Batch>();
    const writing = this.writeAll(job, token, handoff, state).then(
      () => null,
      (error: unknown) => {
        const failed = asError(error);
        handoff.fail(failed);
        return failed;
      },
    );
    let index = 0;
    let readError: Error | null = null;
    try {
      const roster = await openRoster(path, SETTLEMENT_COLUMNS);
      try {
        /** This batch's charges (number → ID number), for its refunds. */
        let charges = new Map<string, string>();
        let batch = emptyBatch(job.rowsRead);
        for await (const raws of roster.batches()) {
          // Let the writer's replies in between batches the parser had buffered.
          await yieldToEventLoop();
          for (const raw of raws) {
            index++;
            if (index <= job.rowsRead) {
              continue;
            }
            batch.rowsRead = index;
            const read = readSettlementRow(raw, job.year, today);
            if (!read.ok) {
              batch.rejected++;
              batch.errors.push(...read.errors);
            } else {
              const row = read.row;
              if (!row.refund) {
                charges.set(row.settlementNo, row.idNumber);
              } else {
                const idNumber = charges.get(row.settlementNo);
                if (idNumber !== undefined) {
                  batch.charged.set(row.settlementNo, idNumber);
                }
              }
              batch.rows.push(row);
            }
            if (batch.rows.length + batch.rejected >= SETTLEMENT_BATCH_ROWS) {
              if (this.stopping) {
                throw new Stopped();
              }
              await handoff.put(batch);
              batch = emptyBatch(index);
              charges = new Map();
            }
          }
        }
        if (batch.rows.length + batch.rejected > 0) {
          await handoff.put(batch);
        }
      } finally {
        await roster.close();
      }
    } catch (error) {
      readError = asError(error);
    } finally {
      handoff.end();
    }
    const writeError = await writing;
    if (writeError) {
      throw writeError;
    }
    if (readError) {
      throw readError;
    }
    return {
      fields: { rowsTotal: index, rowsRead: index },
      summary: `${index} settlement rows for ${job.year} in ${Date.now() - started} ms: ${state.counts.inserted} new, ${state.counts.duplicates} duplicates, ${state.counts.rejected} rejected`,
    };
  }

  /**
   * Takes the reader's batches until it ends: each transaction writes batches for SETTLEMENT_COMMIT_MS
   * (or until the reader ends or the process stops), then the upload's counts, listed errors and
   * rowsRead — whose UPDATE, last, checks that this run still owns the upload (TakenOver rolls the
   * transaction back): one round trip fewer than a check first.
   */
  private async writeAll(job: SettlementUpload, token: string, handoff: Handoff<Batch>, state: RunState) {
    let first = await handoff.take();
    while (first) {
      const opening = first;
      await inTransaction(this.db, async (em) => {
        const opened = Date.now();
        const listedBefore = state.listed.length;
        let batch: Batch | null = opening;
        let rowsRead = opening.rowsRead;
        while (batch) {
          await this.write(em, job, batch, state);
          rowsRead = batch.rowsRead;
          batch = Date.now() - opened < SETTLEMENT_COMMIT_MS && !this.stopping ? await handoff.take() : null;
        }
        const mine = await this.update(em, job.id, token, {
          ...state.counts,
          rowsRead,
          ...(state.listed.length > listedBefore ? { rowErrors: JSON.stringify(state.listed) } : {}),
        });
        if (!mine) {
          throw new TakenOver();
        }
      });
      first = await handoff.take();
    }
  }

  /** One batch in the open transaction: its refunds checked against their settlements, its valid rows inserted (those already there ignored). */
  private async write(em: EntityManager, job: SettlementUpload, batch: Batch, state: RunState): Promise<void> {
    const { counts, listed } = state;
    const known = await this.knownCharges(em, batch);
    const rows: SettlementRow[] = [];
    let rejected = batch.rejected;
    const errors = batch.errors;
    for (const row of batch.rows) {
      const original = row.refund ? known.get(row.settlementNo) : undefined;
      if (row.refund && original === undefined) {
        rejected++;
        errors.push({
          line: row.line,
          field: 'totalFen',
          reason: `总费用为负（退费），但结算编号 ${row.settlementNo} 不是已知的结算`,
        });
      } else if (row.refund && original !== row.idNumber) {
        rejected++;
        errors.push({
          line: row.line,
          field: 'idNumber',
          reason: `退费的身份证号与结算编号 ${row.settlementNo} 的原结算不同`,
        });
      } else {
        rows.push(row);
      }
    }
    const inserted = rows.length > 0 ? await this.insert(em, job, rows) : 0;
    counts.inserted += inserted;
    counts.duplicates += rows.length - inserted;
    counts.rejected += rejected;
    const room = MAX_LISTED_ERRORS - listed.length;
    if (room > 0 && errors.length > 0) {
      listed.push(...errors.sort((a, b) => a.line - b.line).slice(0, room));
    }
  }

  /** `INSERT IGNORE` of the rows (at most SETTLEMENT_BATCH_ROWS); answers how many were new. */
  private async insert(em: EntityManager, job: SettlementUpload, rows: SettlementRow[]): Promise<number> {
    const values = rows.map((r) => [
      r.settlementNo,
      r.refund ? 1 : 0,
      job.year,
      r.idNumber,
      r.name,
      r.visitType,
      r.admittedOn,
      r.dischargedOn,
      r.settledOn,
      r.institution,
      r.totalFen,
      r.fundFen,
      r.majorFen,
      r.assistFen,
      r.otherFen,
      r.burdenFen,
      job.id,
      r.line,
    ]);
    const [sql, parameters] = this.mysql
      ? [this.insertRows, [values]]
      : [rows.length === SETTLEMENT_BATCH_ROWS ? this.insertRows : this.insertSql(rows.length), values.flat()];
    const result = await em.queryRunner!.query(sql, parameters, true);
    return Number(result.affected ?? 0);
  }

  private insertSql(rows: number): string {
    const columns = SETTLEMENT_INSERT_COLUMNS;
    if (this.mysql) {
      return `${this.insertIgnore} INTO settlements (${columns.map((c) => `\`${c}\``).join(', ')}) VALUES ?`;
    }
    return this.sql.insert('settlements', columns, rows).replace(/^INSERT/, this.insertIgnore);
  }

  /**
   * The ID numbers of the settlements the batch's refunds name: a charge earlier in the batch, else
   * one in the database — an earlier batch of this file (committed, or in this transaction) or an
   * earlier upload. One SELECT for the batch, only when it has such refunds.
   */
  private async knownCharges(em: EntityManager, batch: Batch): Promise<Map<string, string>> {
    const known = new Map(batch.charged);
    const asked = new Set<string>();
    for (const r of batch.rows) {
      if (r.refund && !known.has(r.settlementNo)) {
        asked.add(r.settlementNo);
      }
    }
    if (asked.size > 0) {
      const unique = [...asked];
      const rows = await em.query<{ settlementNo: string; idNumber: string }[]>(
        `${this.sql.select('settlements', ['settlementNo', 'idNumber'], 'settlementNo', unique.length, false)} AND refund = 0`,
        unique,
      );
      rows.forEach((r) => known.set(r.settlementNo, r.idNumber));
    }
    return known;
  }
}
