import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { Clock } from '../common/clock.js';
import { chunk } from '../common/sql.js';
import { AppConfig } from '../config/app-config.js';
import { inTransaction } from '../database/transaction.js';
import { asError } from '../uploads/as-error.js';
import { openRoster } from '../uploads/roster-reader.js';
import { Stopped, TakenOver, UploadJobRunner, type WorkDone } from '../uploads/upload-job-runner.js';
import { Discrepancy } from './discrepancy.entity.js';
import { InsuranceComparer } from './insurance-comparer.js';
import { PovertyComparer } from './poverty-comparer.js';
import { loadPovertyRegistry } from './poverty-registry.js';
import { Reconciliation, type SkippedRow } from './reconciliation.entity.js';
import { loadRegistry } from './registry-snapshot.js';
import type { FoundDiscrepancy, RosterComparer } from './roster-comparer.js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** Discrepancies per multi-row INSERT (10 columns each). */
const INSERT_ROWS = 1000;
/** Progress is committed at least this often (rows read), even when nothing is found. */
const PROGRESS_EVERY = 20_000;
/** Skipped rows listed on the reconciliation; the rest are counted. */
const SKIPPED_LISTED = 100;
/**
 * How often (ms) a run that has nothing to write checks that it still owns the reconciliation (a
 * cancel or a takeover stops it at most this much later); every write checks it anyway. Checking
 * after each of a million-row roster's ~1 500 batches cost a round trip each.
 */
const OWNED_EVERY_MS = 500;

type NewDiscrepancy = Omit<Discrepancy, 'id'>;

const DISCREPANCY_COLUMNS = [
  'reconciliationId',
  'kind',
  'idNumber',
  'line',
  'personId',
  'householdId',
  'rosterName',
  'registryName',
  'regionCode',
  'detail',
] as const satisfies readonly (keyof NewDiscrepancy)[];

/**
 * Runs a reconciliation (the queue job) of either source: its comparer loads the registry into
 * memory with streamed queries, the roster is streamed once comparing each row by ID number (hash
 * lookups, no query per row), then the registry is walked for the persons the roster did not mention. Found
 * discrepancies are written in multi-row INSERTs while the roster is still being read.
 *
 * A run starts over: claiming the reconciliation deletes what an interrupted run wrote, and every
 * write checks the run token, so a redelivered job and a resumed one never both write.
 */
@Injectable()
export class ReconciliationRunner extends UploadJobRunner<Reconciliation> {
  constructor(@InjectDataSource() db: DataSource, clock: Clock, config: AppConfig) {
    super(new Logger('Reconciliation'), 'reconciliation', '数据比对', Reconciliation, db, clock, config);
  }

  /** A reconciliation starts over: what an interrupted run wrote is cleared. */
  protected async onClaim(em: EntityManager, id: number): Promise<QueryDeepPartialEntity<Reconciliation>> {
    await em.delete(Discrepancy, { reconciliationId: id });
    return { rowsRead: 0, rowsSkipped: 0, skipped: null };
  }

  protected async work(rec: Reconciliation, token: string, path: string): Promise<WorkDone<Reconciliation>> {
    const started = Date.now();
    const comparer = await this.comparerOf(rec);
    const loaded = Date.now();
    const summary = await this.compare(rec, token, path, comparer);
    return {
      fields: {
        rowsTotal: summary.rows,
        rowsRead: summary.rows,
        rowsSkipped: summary.skipped,
        skipped: JSON.stringify(summary.listed),
      },
      summary: `${summary.rows} ${rec.source} roster rows against ${comparer.size} persons in ${Date.now() - started} ms (registry ${loaded - started} ms, roster ${Date.now() - loaded} ms)`,
    };
  }

  /** The source's comparison, over the registry it loads (one streamed pass per table). */
  private async comparerOf(rec: Reconciliation): Promise<RosterComparer<string>> {
    const today = this.clock.today();
    if (rec.source === 'poverty') {
      return new PovertyComparer(await loadPovertyRegistry(this.db), today);
    }
    return new InsuranceComparer(await loadRegistry(this.db, rec.year), rec.year, today);
  }

  private async compare(
    rec: Reconciliation,
    token: string,
    path: string,
    comparer: RosterComparer<string>,
  ): Promise<{ rows: number; skipped: number; listed: SkippedRow[] }> {
    const listed: SkippedRow[] = [];
    let skipped = 0;
    let rows = 0;
    let pending: NewDiscrepancy[] = [];
    // The write in flight (at most one): it resolves to its error, if any.
    const inflight: Promise<Error | null>[] = [];
    let committedAt = 0;
    const settle = async () => {
      const error = await inflight.pop();
      if (error) {
        throw error;
      }
    };
    const flush = async () => {
      await settle();
      if (this.stopping) {
        throw new Stopped();
      }
      const part = pending;
      pending = [];
      committedAt = rows;
      inflight.push(
        this.write(rec.id, token, rows, part).then(
          () => null,
          (error: unknown) => asError(error),
        ),
      );
    };
    const found = (d: FoundDiscrepancy) => {
      pending.push({ reconciliationId: rec.id, ...d });
    };

    const roster = await openRoster(path, comparer.columns);
    let checkedAt = 0;
    try {
      for await (const batch of roster.batches()) {
        // Let requests in between batches; a cancelled or taken-over run stops here too.
        await yieldToEventLoop();
        if (Date.now() - checkedAt >= OWNED_EVERY_MS) {
          await this.assertOwned(rec.id, token);
          checkedAt = Date.now();
        }
        for (const raw of batch) {
          rows++;
          const skip = comparer.compare(raw, found);
          if (skip) {
            skipped++;
            if (listed.length < SKIPPED_LISTED) {
              listed.push(skip);
            }
          }
          if (pending.length >= INSERT_ROWS || rows - committedAt >= PROGRESS_EVERY) {
            await flush();
          }
        }
      }
    } finally {
      await Promise.all(inflight);
      await roster.close();
    }
    for (const d of comparer.rest()) {
      found(d);
      if (pending.length >= INSERT_ROWS) {
        await flush();
      }
    }
    await flush();
    await settle();
    return { rows, skipped, listed };
  }

  /** One transaction: the progress (only while this run owns the reconciliation) and a part of the findings. */
  private async write(id: number, token: string, rowsRead: number, found: NewDiscrepancy[]): Promise<void> {
    await inTransaction(this.db, async (em) => {
      const owned = await em
        .createQueryBuilder()
        .update(Reconciliation)
        .set({ rowsRead })
        .where('id = :id AND runToken = :token', { id, token })
        .execute();
      if (!owned.affected) {
        throw new TakenOver();
      }
      for (const part of chunk(found, INSERT_ROWS)) {
        await em.query(
          this.sql.insert('discrepancies', DISCREPANCY_COLUMNS, part.length),
          part.flatMap((d) => DISCREPANCY_COLUMNS.map((c) => d[c])),
        );
      }
    });
  }
}
