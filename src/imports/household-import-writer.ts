import type { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { parseIdNumber } from '../common/id-number.js';
import { chunk } from '../common/sql.js';
import { inTransaction } from '../database/transaction.js';
import { asError } from '../uploads/as-error.js';
import type { BulkSql } from '../uploads/bulk-sql.js';
import { Stopped, TakenOver } from '../uploads/upload-job-runner.js';
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
import { ImportJob } from './import-job.entity.js';
import { ImportRowError } from './import-row-error.entity.js';
import { type FileScan, HOUSEHOLDS_PER_STATEMENT } from './scanned-rows.js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** File rows per batch: one transaction of a few statements, whatever the batch holds. */
export const IMPORT_BATCH_ROWS = 5000;
/**
 * Row errors kept per import (the page, the API and errors.csv list them); the rest are counted in
 * `errorsOmitted`. A file of 100 000 bad rows is refused row by row all the same, but it does not
 * fill a table nobody reads.
 */
export const MAX_LISTED_ERRORS = 1000;
/**
 * Persons per upsert, several in a batch's transaction: each statement's text (built by the driver)
 * stays under V8's large-object size, so that it dies young instead of piling up in the old
 * generation until a full collection — a million rows in 5000-row statements grew the heap by 500 MB.
 */
const PERSONS_PER_STATEMENT = 500;
/**
 * How long a batch holding its persons' locks waits for the batch before it to commit before it steps
 * back (see `writeBatch`); a batch of 5000 rows commits well within it on a busy 2-core machine.
 */
const HOLD_LOCKS_MS = 5_000;

/** Step 3 running: which lines carry a household change, and when a household is written. */
interface HouseholdWriter {
  changed: Set<number>;
  /** Resolves once the households up to this index (file order) are written. */
  ready(index: number): Promise<void>;
  cancel(): void;
  done: Promise<void>;
}

/** What the writing phases need of the run that owns the import (HouseholdImportService). */
export interface ImportRun {
  importId: number;
  token: string;
  db: DataSource;
  sql: BulkSql;
  logger: Logger;
  /** The clock's now as both drivers store a datetime. */
  now(): string;
  /** Whether the worker is shutting down: the run stops between statements. */
  stopping(): boolean;
  /** A transaction that commits only while the run still owns the import (TakenOver otherwise). */
  owned(write: (em: EntityManager) => Promise<void>): Promise<void>;
}

/**
 * The writing phases of a household import (steps 3 and 4 of HouseholdImportService), once the
 * file is read: the households of the valid rows, in file order, and alongside them the rows in
 * batches of IMPORT_BATCH_ROWS, each in its own transaction, committing in file order.
 */
export class HouseholdImportWriter {
  constructor(
    private readonly run: ImportRun,
    private readonly scan: FileScan,
  ) {}

  /** Writes the rows after the `skip` already committed; `allowance`: row errors this run may still list. */
  async write(skip: number, allowance: ErrorAllowance): Promise<void> {
    // The households are written ahead of the persons: a batch of persons waits only for its own.
    const households = this.writeHouseholds();
    try {
      await this.writePersons(households, skip, allowance);
    } catch (error) {
      households.cancel();
      await households.done.catch(() => undefined);
      throw error;
    }
    await households.done;
  }

  /**
   * Step 3: the households of the valid rows, in file order, a thousand per statement: new ones
   * inserted, changed ones updated (their version bumped), each household's id noted for the
   * persons. Runs alongside step 4, whose batches wait (`ready`) for the households they name.
   * `changed` holds the lines that carry a household change (each changed household's first row).
   */
  private writeHouseholds(): HouseholdWriter {
    const scan = this.scan;
    const columns = HOUSEHOLD_WRITE_COLUMNS;
    const { statements, changed, accepted } = planHouseholdWrites(scan, this.run.now());
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
    const parallel = this.run.db.options.type === 'mysql' ? 2 : 1;
    const write = async ({ writes, created }: (typeof statements)[number], n: number) => {
      if (writes.length === 0) {
        return;
      }
      // Households of different statements are different rows: the statements may run side by side.
      await this.run.owned(async (em) => {
        await em.query(
          this.run.sql.upsert('households', columns, 'registryNo', writes.length / columns.length, {
            increment: ['version'],
          }),
          writes,
        );
        if (created.length > 0) {
          const ids = await em.query<{ id: number; registryNo: string }[]>(
            this.run.sql.select('households', ['id', 'registryNo'], 'registryNo', created.length, false),
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
          if (cancelled || this.run.stopping()) {
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

  /** Step 4: the rows, in batches after the `skip` already committed, each batch in its own transaction. */
  private async writePersons(households: HouseholdWriter, skip: number, allowance: ErrorAllowance): Promise<void> {
    const scan = this.scan;
    // On MySQL two batches are written at once; they commit in file order.
    const parallel = this.run.db.options.type === 'mysql' ? 2 : 1;
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
        if (this.run.stopping()) {
          throw new Stopped();
        }
        const end = Math.min(scan.rows.count, start + IMPORT_BATCH_ROWS);
        const batch = this.writeBatch(households, start, end, previous, allowance);
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
    households: HouseholdWriter,
    start: number,
    end: number,
    previous: Promise<void>,
    allowance: ErrorAllowance,
  ): Promise<void> {
    const { importId } = this.run;
    const sorted = sortBatch(importId, this.scan, start, end, allowance);
    // Their households first (written ahead, in file order): the batch holds no lock while it waits.
    if (sorted.last >= 0) {
      await households.ready(sorted.last);
    }
    const batch = { households, start, end, sorted };
    try {
      await this.commitBatch(batch, () => withinHold(previous));
    } catch (error) {
      if (!(error instanceof StepBack)) {
        throw error;
      }
      this.run.logger.warn(
        `import ${importId}: rows ${start + 1}–${end} step back for the batch before them, then are written again`,
      );
      await previous;
      await this.commitBatch(batch, () => previous);
    }
  }

  /** The transaction of `writeBatch`; `before` resolves once the batch before this one has committed. */
  private async commitBatch(
    batch: {
      households: HouseholdWriter;
      start: number;
      end: number;
      sorted: ReturnType<typeof sortBatch>;
    },
    before: () => Promise<void>,
  ): Promise<void> {
    const { importId, token } = this.run;
    const scan = this.scan;
    const { households, start, end } = batch;
    const { valid, errors, rejected, omitted } = batch.sorted;
    const counts: Counts = { inserted: 0, updated: 0, unchanged: 0, rejected };
    await inTransaction(this.run.db, async (em) => {
      if (valid.some((r) => scan.registered.has(r.idNumber))) {
        // Updating registered persons takes next-key locks (duplicate-key checks lock the gap before
        // the row): the batch before this one might wait on them while this one waits for it. So a
        // batch that updates starts writing only once the one before has committed.
        await before();
      }
      if (valid.length > 0) {
        await this.upsertPersons(em, valid, households.changed, counts);
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
    changed: Set<number>,
    counts: Counts,
  ): Promise<void> {
    const scan = this.scan;
    const stored = new Map<string, StoredPerson>();
    const known = rows.filter((r) => scan.registered.has(r.idNumber)).map((r) => r.idNumber);
    if (known.length > 0) {
      for (const p of await em.query<StoredPerson[]>(
        this.run.sql.select(
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
    const now = this.run.now();
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
        this.run.sql.upsert('persons', columns, 'idNumber', part.length, {
          update: ['householdId', 'name', 'relation', 'updatedAt'],
          increment: ['version'],
        }),
        params,
      );
    }
  }
}

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
