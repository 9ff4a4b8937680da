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

/** What a run carries from batch to batch: the counts, the listed errors, the file's settlements so far. */
interface RunState {
  counts: { inserted: number; duplicates: number; rejected: number };
  listed: SettlementRowError[];
  /** Settlements accepted from this file so far (number → ID number): what its refunds may refund. */
  charges: Map<string, string>;
}

interface Batch {
  rows: SettlementRow[];
  /** Data rows read up to the end of this batch (the upload's rowsRead once it is committed). */
  rowsRead: number;
  rejected: number;
  errors: SettlementRowError[];
}

/**
 * Runs a settlement upload (the queue job; resumable): the file is streamed once; each row is checked
 * (its line named in every error), a refund must name a settlement known from the database or
 * earlier in the file, and the valid rows go in with multi-row `INSERT IGNORE` / `ON CONFLICT DO
 * NOTHING` statements, so a settlement uploaded again is counted once (a duplicate). Each batch
 * commits its rows with the upload's counts and rowsRead (only while this run owns the upload): a
 * run that stops resumes after its last committed batch. While a batch is written, the next is read.
 * Once done, a risk run for the year is dispatched.
 */
@Injectable()
export class SettlementImportService extends UploadJobRunner<SettlementUpload> {
  private readonly insertIgnore: string;

  constructor(
    @InjectDataSource() db: DataSource,
    clock: Clock,
    config: AppConfig,
    private readonly riskRuns: RiskRunDispatcher,
  ) {
    super(new Logger('RiskSettlements'), 'settlement upload', '结算数据导入', SettlementUpload, db, clock, config);
    this.insertIgnore = db.options.type === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
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

  protected async work(job: SettlementUpload, token: string, path: string): Promise<WorkDone<SettlementUpload>> {
    const started = Date.now();
    const listed: SettlementRowError[] = job.rowErrors ? (JSON.parse(job.rowErrors) as SettlementRowError[]) : [];
    const counts = { inserted: job.inserted, duplicates: job.duplicates, rejected: job.rejected };
    const today = this.clock.today();
    const charges = new Map<string, string>();
    let inflight: Promise<Error | null> = Promise.resolve(null);
    const settle = async () => {
      const error = await inflight;
      if (error) {
        throw error;
      }
    };
    const roster = await openRoster(path, SETTLEMENT_COLUMNS);
    let index = 0;
    let batch: Batch = { rows: [], rowsRead: job.rowsRead, rejected: 0, errors: [] };
    const flush = async () => {
      await settle();
      if (this.stopping) {
        throw new Stopped();
      }
      const part = batch;
      batch = { rows: [], rowsRead: part.rowsRead, rejected: 0, errors: [] };
      inflight = this.write(job, token, part, { counts, listed, charges }).then(
        () => null,
        (error: unknown) => asError(error),
      );
    };
    try {
      for await (const raws of roster.batches()) {
        await new Promise<void>((resolve) => setImmediate(resolve));
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
          } else if (!read.row.refund) {
            charges.set(read.row.settlementNo, read.row.idNumber);
            batch.rows.push(read.row);
          } else {
            batch.rows.push(read.row);
          }
          if (batch.rows.length + batch.rejected >= SETTLEMENT_BATCH_ROWS) {
            await flush();
          }
        }
      }
    } finally {
      await inflight;
      await roster.close();
    }
    await flush();
    await settle();
    return {
      fields: { rowsTotal: index, rowsRead: index },
      summary: `${index} settlement rows for ${job.year} in ${Date.now() - started} ms: ${counts.inserted} new, ${counts.duplicates} duplicates, ${counts.rejected} rejected`,
    };
  }

  /**
   * One transaction: the refunds' originals looked up, the valid rows inserted (those already there
   * ignored), and the upload's counts, listed errors and rowsRead — whose UPDATE, last, checks that
   * this run still owns the upload (TakenOver rolls it all back): one round trip fewer than a check first.
   */
  private async write(job: SettlementUpload, token: string, batch: Batch, run: RunState): Promise<void> {
    const { counts, listed } = run;
    await inTransaction(this.db, async (em) => {
      const known = await this.knownCharges(
        em,
        batch.rows.filter((r) => r.refund),
        run.charges,
      );
      const rows: SettlementRow[] = [];
      let rejected = batch.rejected;
      const errors = [...batch.errors];
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
      let inserted = 0;
      if (rows.length > 0) {
        const columns = SETTLEMENT_INSERT_COLUMNS;
        const values = rows.flatMap((r) => [
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
        const sql = this.sql.insert('settlements', columns, rows.length).replace(/^INSERT/, this.insertIgnore);
        const result = await em.queryRunner!.query(sql, values, true);
        inserted = Number(result.affected ?? 0);
      }
      counts.inserted += inserted;
      counts.duplicates += rows.length - inserted;
      counts.rejected += rejected;
      const room = MAX_LISTED_ERRORS - listed.length;
      if (room > 0 && errors.length > 0) {
        listed.push(...errors.sort((a, b) => a.line - b.line).slice(0, room));
      }
      const mine = await this.update(em, job.id, token, {
        ...counts,
        rowsRead: batch.rowsRead,
        ...(errors.length > 0 && room > 0 ? { rowErrors: JSON.stringify(listed) } : {}),
      });
      if (!mine) {
        throw new TakenOver();
      }
    });
  }

  /** The ID numbers of the settlements the refunds name: from this file, else from the database. */
  private async knownCharges(
    em: EntityManager,
    refunds: SettlementRow[],
    charges: ReadonlyMap<string, string>,
  ): Promise<Map<string, string>> {
    const known = new Map<string, string>();
    const asked: string[] = [];
    for (const r of refunds) {
      const idNumber = charges.get(r.settlementNo);
      if (idNumber === undefined) {
        asked.push(r.settlementNo);
      } else {
        known.set(r.settlementNo, idNumber);
      }
    }
    if (asked.length > 0) {
      const unique = [...new Set(asked)];
      const rows = await em.query<{ settlementNo: string; idNumber: string }[]>(
        `${this.sql.select('settlements', ['settlementNo', 'idNumber'], 'settlementNo', unique.length, false)} AND refund = 0`,
        unique,
      );
      rows.forEach((r) => known.set(r.settlementNo, r.idNumber));
    }
    return known;
  }
}
