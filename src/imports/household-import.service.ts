import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In } from 'typeorm';
import { Clock } from '../common/clock.js';
import { parseIdNumber } from '../common/id-number.js';
import { chunk } from '../common/sql.js';
import { AppConfig } from '../config/app-config.js';
import { inTransaction } from '../database/transaction.js';
import { Region } from '../regions/region.entity.js';
import { asError } from '../uploads/as-error.js';
import type { RowContext } from './household-rows.js';
import { scanHouseholdRoster } from './household-scan.js';
import {
  type Counts,
  type ErrorAllowance,
  HOUSEHOLD_WRITE_COLUMNS,
  personOutcome,
  type PersonRow,
  planHouseholdWrites,
  sortBatch,
  type StoredPerson,
} from './import-rules.js';
import { type FileScan, HOUSEHOLDS_PER_STATEMENT } from './scanned-rows.js';
import { ImportJob } from './import-job.entity.js';
import { ImportRowError } from './import-row-error.entity.js';
import { removeUpload } from '../uploads/upload.interceptor.js';
import { Stopped, TakenOver, UploadJobRunner, type WorkDone } from '../uploads/upload-job-runner.js';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';

/** File rows per batch: one transaction of a few statements, whatever the batch holds. */
export const IMPORT_BATCH_ROWS = 5000;
/**
 * Persons per upsert, several in a batch's transaction: each statement's text (built by the driver)
 * stays under V8's large-object size, so that it dies young instead of piling up in the old
 * generation until a full collection — a million rows in 5000-row statements grew the heap by 500 MB.
 */
const PERSONS_PER_STATEMENT = 500;
/**
 * Row errors kept per import (the page, the API and errors.csv list them); the rest are counted in
 * `errorsOmitted`. A file of 100 000 bad rows is refused row by row all the same, but it does not
 * fill a table nobody reads.
 */
export const MAX_LISTED_ERRORS = 1000;
/** How often the reading phase makes sure the run still owns its job (not cancelled, not taken over). */
const OWNERSHIP_CHECK_MS = 250;
/**
 * How long a batch holding its persons' locks waits for the batch before it to commit before it steps
 * back (see `writeBatch`); a batch of 5000 rows commits well within it on a busy 2-core machine.
 */
const HOLD_LOCKS_MS = 5_000;

/** Phase 2 running: which lines carry a household change, and when a household is written. */
interface HouseholdWriter {
  changed: Set<number>;
  /** Resolves once the households up to this index (file order) are written. */
  ready(index: number): Promise<void>;
  cancel(): void;
  done: Promise<void>;
}

/**
 * Runs a household import (the queue job; idempotent and resumable):
 *
 * 1. claims the import with a fresh run token (a run that finds another token stops);
 * 2. reads the file once (streamed), checking each row and collecting what needs the whole file:
 *    ID numbers on two rows, one head per household, rows of a household that disagree, a
 *    household whose registered head is not in the file; meanwhile the rows' registry numbers and
 *    ID numbers are looked up in the registry five thousand at a time. A broken file fails here,
 *    before any write. The rows are kept compactly for the next phases;
 * 3. writes the valid rows' households (multi-row upserts of the new and changed ones, a thousand
 *    per statement), in file order, while
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
    // The households are written ahead of the persons: a batch of persons waits only for its own.
    const households = this.writeHouseholds(job.id, token, scan);
    try {
      await this.writePersons(job.id, token, scan, households, rowsRead, allowance);
    } catch (error) {
      households.cancel();
      await households.done.catch(() => undefined);
      throw error;
    }
    await households.done;
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

  /**
   * Phase 2: the households of the valid rows, in file order, a thousand per statement: new ones
   * inserted, changed ones updated (their version bumped), each household's id noted for the
   * persons. Runs alongside phase 3, whose batches wait (`ready`) for the households they name.
   * `changed` holds the lines that carry a household change (each changed household's first row).
   */
  private writeHouseholds(importId: number, token: string, scan: FileScan): HouseholdWriter {
    const columns = HOUSEHOLD_WRITE_COLUMNS;
    const { statements, changed, accepted } = planHouseholdWrites(scan, this.now());
    // One gate per statement, opened once it and every statement before it are written.
    const gates = statements.map(() => {
      let open!: () => void;
      let fail!: (error: unknown) => void;
      const promise = new Promise<void>((resolve, reject) => {
        open = resolve;
        fail = reject;
      });
      promise.catch(() => undefined); // awaited by the batches that need it; never unhandled
      return { promise, open, fail };
    });
    let cancelled = false;
    const parallel = this.db.options.type === 'mysql' ? 2 : 1;
    const write = async ({ writes, created }: (typeof statements)[number], n: number) => {
      if (writes.length === 0) {
        return;
      }
      // Households of different statements are different rows: the statements may run side by side.
      await this.owned(importId, token, async (em) => {
        await em.query(
          this.sql.upsert('households', columns, 'registryNo', writes.length / columns.length, {
            increment: ['version'],
          }),
          writes,
        );
        if (created.length > 0) {
          const ids = await em.query<{ id: number; registryNo: string }[]>(
            this.sql.select('households', ['id', 'registryNo'], 'registryNo', created.length, false),
            created,
          );
          // The statement's own households by registry number (not a map of the whole file's).
          const from = n * HOUSEHOLDS_PER_STATEMENT;
          const byRegistryNo = new Map(
            accepted.slice(from, from + HOUSEHOLDS_PER_STATEMENT).map((h) => [h.registryNo, h]),
          );
          ids.forEach((h) => (byRegistryNo.get(h.registryNo)!.id = Number(h.id)));
        }
      });
    };
    const done = (async () => {
      const inflight = new Set<Promise<unknown>>();
      let previous: Promise<unknown> = Promise.resolve();
      try {
        for (const [n, statement] of statements.entries()) {
          // Updating registered households takes next-key locks: such a statement runs alone.
          const alone = statement.writes.length / columns.length > statement.created.length;
          while (inflight.size >= (alone ? 1 : parallel)) {
            await Promise.race(inflight);
          }
          await yieldToEventLoop();
          if (cancelled || this.stopping) {
            throw new Stopped();
          }
          const written = write(statement, n);
          const gate = gates[n];
          previous = Promise.all([previous, written]).then(gate.open, (error: unknown) => {
            gate.fail(error);
            throw error;
          });
          const settled: Promise<unknown> = previous.catch(() => undefined).finally(() => inflight.delete(settled));
          inflight.add(settled);
        }
        await previous;
      } catch (error) {
        gates.forEach((gate) => gate.fail(error));
        throw error;
      }
    })();
    done.catch(() => undefined);
    return {
      changed,
      ready: (index) => gates[Math.floor(index / HOUSEHOLDS_PER_STATEMENT)].promise,
      cancel: () => (cancelled = true),
      done,
    };
  }

  /** Phase 3: the rows, in batches after the `skip` already committed, each batch in its own transaction. */
  private async writePersons(
    importId: number,
    token: string,
    scan: FileScan,
    households: HouseholdWriter,
    skip: number,
    allowance: ErrorAllowance,
  ): Promise<void> {
    // On MySQL two batches are written at once; they commit in file order.
    const parallel = this.db.options.type === 'mysql' ? 2 : 1;
    const inflight: Promise<void>[] = [];
    let previous: Promise<void> = Promise.resolve();
    const failed: { error: Error | null } = { error: null };
    try {
      for (let start = skip; start < scan.rows.count; start += IMPORT_BATCH_ROWS) {
        while (inflight.length >= parallel) {
          await inflight.shift();
        }
        // SQLite answers synchronously: let requests (progress polls) in between batches.
        await yieldToEventLoop();
        if (failed.error) {
          throw failed.error;
        }
        if (this.stopping) {
          throw new Stopped();
        }
        const end = Math.min(scan.rows.count, start + IMPORT_BATCH_ROWS);
        const batch = this.writeBatch(importId, token, scan, households, start, end, previous, allowance);
        inflight.push(
          batch.catch((error: unknown) => {
            failed.error ??= asError(error);
          }),
        );
        previous = batch;
      }
    } finally {
      await Promise.all(inflight);
    }
    if (failed.error) {
      throw failed.error;
    }
  }

  /**
   * One batch (rows `start` to `end`): sorts its rows into valid and rejected (`sortBatch`), waits for their
   * households, then in one transaction loads the registered persons, upserts the new and changed
   * ones and records the rejected rows (as many as the allowance has left; the rest are counted);
   * once the batch before it has committed, it advances `rowsRead` with the counts (only from where
   * that batch left it) and commits. Every row's message is of bounded length.
   *
   * While it waits for the batch before it, this batch holds the locks of the persons it wrote, and
   * InnoDB may make that batch wait for one of them (seen: a resumed import's first batch, inserting
   * below this one's first ID number, waited for a next-key lock on it) — a wait that neither the
   * database nor this code would ever end but by the lock wait timeout. So a batch that has waited
   * HOLD_LOCKS_MS steps back: it rolls back, lets the batch before it commit, and is written again.
   */
  private async writeBatch(
    importId: number,
    token: string,
    scan: FileScan,
    households: HouseholdWriter,
    start: number,
    end: number,
    previous: Promise<void>,
    allowance: ErrorAllowance,
  ): Promise<void> {
    const sorted = sortBatch(importId, scan, start, end, allowance);
    // Their households first (written ahead, in file order): the batch holds no lock while it waits.
    if (sorted.last >= 0) {
      await households.ready(sorted.last);
    }
    const batch = { importId, token, scan, households, start, end, sorted };
    try {
      await this.commitBatch(batch, () => withinHold(previous));
    } catch (error) {
      if (!(error instanceof StepBack)) {
        throw error;
      }
      this.logger.warn(
        `import ${importId}: rows ${start + 1}–${end} step back for the batch before them, then are written again`,
      );
      await previous;
      await this.commitBatch(batch, () => previous);
    }
  }

  /** The transaction of `writeBatch`; `before` resolves once the batch before this one has committed. */
  private async commitBatch(
    batch: {
      importId: number;
      token: string;
      scan: FileScan;
      households: HouseholdWriter;
      start: number;
      end: number;
      sorted: ReturnType<typeof sortBatch>;
    },
    before: () => Promise<void>,
  ): Promise<void> {
    const { importId, token, scan, households, start, end } = batch;
    const { valid, errors, rejected, omitted } = batch.sorted;
    const counts: Counts = { inserted: 0, updated: 0, unchanged: 0, rejected };
    await inTransaction(this.db, async (em) => {
      if (valid.some((r) => scan.registered.has(r.idNumber))) {
        // Updating registered persons takes next-key locks (duplicate-key checks lock the gap before
        // the row): the batch before this one might wait on them while this one waits for it. So a
        // batch that updates starts writing only once the one before has committed.
        await before();
      }
      if (valid.length > 0) {
        await this.upsertPersons(em, valid, scan, households.changed, counts);
      }
      // Commit in file order: rowsRead moves on only from where the batch before this one left it.
      await before();
      // Only now the rejected rows: their foreign key share-locks the import's row, which the batch
      // before this one must be able to update while this one waits for it.
      for (const part of chunk(errors, MAX_LISTED_ERRORS)) {
        await em.createQueryBuilder().insert().into(ImportRowError).values(part).updateEntity(false).execute();
      }
      const claimed = await em
        .createQueryBuilder()
        .update(ImportJob)
        .set({
          rowsRead: end,
          inserted: () => `inserted + ${counts.inserted}`,
          updated: () => `updated + ${counts.updated}`,
          unchanged: () => `unchanged + ${counts.unchanged}`,
          rejected: () => `rejected + ${counts.rejected}`,
          errorsOmitted: () => `errorsOmitted + ${omitted}`,
        })
        .where('id = :id AND runToken = :token AND rowsRead = :start', { id: importId, token, start })
        .execute();
      if (!claimed.affected) {
        throw new TakenOver();
      }
    });
  }

  /**
   * The batch's persons: those registered when the file was read loaded with one query, the new and
   * changed ones written with multi-row upserts of PERSONS_PER_STATEMENT rows, each counted as
   * `personOutcome` says.
   */
  private async upsertPersons(
    em: EntityManager,
    rows: PersonRow[],
    scan: FileScan,
    changed: Set<number>,
    counts: Counts,
  ): Promise<void> {
    const stored = new Map<string, StoredPerson>();
    const known = rows.filter((r) => scan.registered.has(r.idNumber)).map((r) => r.idNumber);
    if (known.length > 0) {
      for (const p of await em.query<StoredPerson[]>(
        this.sql.select(
          'persons',
          ['id', 'idNumber', 'householdId', 'name', 'relation'],
          'idNumber',
          known.length,
          false,
        ),
        known,
      )) {
        stored.set(p.idNumber, p);
      }
    }
    const columns = [
      'householdId',
      'idNumber',
      'name',
      'sex',
      'birthDate',
      'relation',
      'status',
      'version',
      'updatedAt',
    ];
    const now = this.now();
    const written = rows.filter((row) => {
      const outcome = personOutcome(row, stored.get(row.idNumber), changed);
      counts[outcome.count]++;
      return outcome.write;
    });
    // Each statement's parameters built just before it is sent: a batch never holds them all at once.
    for (const part of chunk(written, PERSONS_PER_STATEMENT)) {
      const params: unknown[] = [];
      for (const row of part) {
        const { sex, birthDate } = parseIdNumber(row.idNumber);
        params.push(row.household.id, row.idNumber, row.name, sex, birthDate, row.relation, 'active', 1, now);
      }
      await em.query(
        this.sql.upsert('persons', columns, 'idNumber', part.length, {
          update: ['householdId', 'name', 'relation', 'updatedAt'],
          increment: ['version'],
        }),
        params,
      );
    }
  }

  /** The clock's now as both drivers store a datetime: UTC `YYYY-MM-DD HH:MM:SS.mmm`. */
  private now(): string {
    return this.clock.now().toISOString().slice(0, 23).replace('T', ' ');
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A batch waited HOLD_LOCKS_MS for the one before it while holding its locks: it rolls back and is written again. */
class StepBack extends Error {}

/** `previous`, or StepBack once HOLD_LOCKS_MS have passed without it. */
function withinHold(previous: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepBack()), HOLD_LOCKS_MS);
  });
  return Promise.race([previous, late]).finally(() => clearTimeout(timer));
}
