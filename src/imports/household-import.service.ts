import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, type EntityManager, In } from 'typeorm';
import { AppError } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { maskIdNumber, normalizeIdNumber, parseIdNumber } from '../common/id-number.js';
import { chunk } from '../common/sql.js';
import { AppConfig } from '../config/app-config.js';
import { inTransaction } from '../database/transaction.js';
import { Region } from '../regions/region.entity.js';
import { BulkSql } from './bulk-sql.js';
import { IdNumberIndex } from './id-number-index.js';
import { KeyLookup } from './key-lookup.js';
import {
  checkHouseholdRow,
  HOUSEHOLD_COLUMNS,
  type HouseholdField,
  type HouseholdRow,
  type RowContext,
  type RowProblem,
} from './household-rows.js';
import { ImportJob } from './import-job.entity.js';
import { ImportRowError } from './import-row-error.entity.js';
import { openRoster, RosterFileError, type RosterRow } from './roster-reader.js';
import { removeUpload } from './upload.interceptor.js';

/** File rows per batch: one transaction of a few statements, whatever the batch holds. */
export const IMPORT_BATCH_ROWS = 1000;
/** Households per statement in the households phase. */
const HOUSEHOLDS_PER_STATEMENT = 1000;
/** Keys per lookup while the file is read. */
const KEYS_PER_LOOKUP = 1000;
/** Rows read between two turns of the event loop. */
const YIELD_EVERY = 100;

/** How a run ended: `stopped` (shutdown) and `taken_over` leave the import to another run. */
export type RunOutcome = 'done' | 'failed' | 'finished' | 'stopped' | 'taken_over';

/** Another run of the same import claimed it (a redelivered job, a restart): this one stops. */
class TakenOver extends Error {}
/** The process is shutting down: stop between batches; the import resumes on the next start. */
class Stopped extends Error {}

/** A household as the file gives it (the fields every one of its valid rows agrees on). */
interface FileHousehold {
  regionCode: string;
  povertyCause: string;
  status: string;
  registeredYear: number;
  /** The line of its first valid row: the row that carries a change of the household's fields. */
  line: number;
  /** A second valid row that disagrees with the first (the household is rejected), or 0. */
  conflictLine: number;
  heads: { idNumber: string; line: number }[];
  /** Its place among the file's households (file order of first rows). */
  index: number;
  /** Set once the households phase has written it. */
  id: number;
}

/** Phase 2 running: which lines carry a household change, and when a household is written. */
interface HouseholdWriter {
  changed: Set<number>;
  /** Resolves once the households up to this index (file order) are written. */
  ready(index: number): Promise<void>;
  cancel(): void;
  done: Promise<void>;
}

/** What reading the whole file once tells before anything is written. */
interface FileScan {
  rowsTotal: number;
  /** ID numbers on more than one row, with their lines: all those rows are rejected. */
  duplicates: Map<string, number[]>;
  /** Households whose rows are all rejected (no head, two heads, disagreeing rows, another head in the registry). */
  rejected: Map<string, RowProblem>;
  /** The households the valid rows belong to. */
  households: Map<string, FileHousehold>;
  /** Households of the file already registered, as they were when the file was read. */
  stored: Map<string, StoredHousehold>;
  /** ID numbers of the file's valid rows that are registered already. */
  registered: IdNumberIndex;
}

interface StoredHousehold {
  id: number;
  registryNo: string;
  regionCode: string;
  povertyCause: string;
  status: string;
  registeredYear: number;
}

interface StoredPerson {
  id: number;
  idNumber: string;
  householdId: number;
  name: string;
  relation: string;
}

interface Counts {
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

type NewRowError = Omit<ImportRowError, 'id'>;

/**
 * Runs a household import (the queue job; idempotent and resumable):
 *
 * 1. claims the import with a fresh run token (a run that finds another token stops);
 * 2. reads the whole file once, checking each row and collecting what needs the whole file: ID
 *    numbers on two rows, one head per household, rows of a household that disagree, a household
 *    whose registered head is not in the file. A broken file fails here, before any write;
 * 3. writes the households of the valid rows (by registry number: a keyed SELECT and a multi-row
 *    upsert of the new and changed ones per thousand);
 * 4. reads the file again in batches of 1000 rows, after those already committed: per batch, one
 *    transaction loads the batch's persons by ID number, upserts the new and changed ones with one
 *    multi-row `INSERT … ON DUPLICATE KEY / ON CONFLICT … UPDATE`, records the rejected rows, and
 *    advances `rowsRead` with the counts (compare-and-set on the run token and the previous value).
 *    A process killed between batches loses nothing: the next run starts after the last committed
 *    batch. On MySQL two batches are in flight at once (their persons are disjoint: an ID number
 *    on two rows is rejected), committing in file order.
 */
@Injectable()
export class HouseholdImportService {
  private readonly logger = new Logger('Imports');
  private readonly sql: BulkSql;
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {
    this.sql = new BulkSql(db);
  }

  filePath(job: Pick<ImportJob, 'storedName'>): string {
    return join(this.config.UPLOAD_DIR, job.storedName);
  }

  /** Asks running imports to stop after their current batch (shutdown). */
  stop(): void {
    this.stopping = true;
  }

  /**
   * Runs or resumes the import. A file error fails the import (and is not thrown: retrying would not
   * help); another error is thrown for the queue to retry, and fails the import on the last attempt.
   */
  async run(importId: number, options: { lastAttempt: boolean } = { lastAttempt: true }): Promise<RunOutcome> {
    const token = randomUUID();
    const job = await this.claim(importId, token);
    if (!job) {
      return 'finished';
    }
    const started = Date.now();
    try {
      const ctx = await this.rowContext();
      const path = this.filePath(job);
      if (!existsSync(path)) {
        throw new RosterFileError(
          `the uploaded file is no longer in UPLOAD_DIR (${job.storedName}): upload it again (do the API and the workers share UPLOAD_DIR?)`,
        );
      }
      const scan = await this.scan(path, ctx);
      const scanned = Date.now();
      await this.owned(importId, token, (em) =>
        em.update(ImportJob, { id: importId, runToken: token }, { rowsTotal: scan.rowsTotal }),
      );
      const { rowsRead } = await this.db.getRepository(ImportJob).findOneByOrFail({ id: importId });
      // The households are written ahead of the persons: a batch of persons waits only for its own.
      const households = this.writeHouseholds(importId, token, scan);
      try {
        await this.writePersons(importId, token, path, ctx, scan, households, rowsRead);
      } catch (error) {
        households.cancel();
        await households.done.catch(() => undefined);
        throw error;
      }
      await households.done;
      const finished = await inTransaction(this.db, (em) =>
        em.update(
          ImportJob,
          { id: importId, runToken: token },
          { status: 'done', finishedAt: this.clock.now(), runToken: null },
        ),
      );
      if (!finished.affected) {
        return 'taken_over';
      }
      await removeUpload(path);
      this.logger.log(
        `import ${importId}: ${scan.rowsTotal} rows in ${Date.now() - started} ms (reading through ${scanned - started} ms, writing ${Date.now() - scanned} ms)`,
      );
      return 'done';
    } catch (error) {
      if (error instanceof TakenOver) {
        this.logger.log(`import ${importId}: taken over by another run`);
        return 'taken_over';
      }
      if (error instanceof Stopped) {
        this.logger.log(`import ${importId}: stopped for shutdown; it resumes on the next start`);
        return 'stopped';
      }
      const fileError = error instanceof RosterFileError;
      if (fileError || options.lastAttempt) {
        await this.fail(importId, token, fileError ? error.message : `the import stopped: ${(error as Error).message}`);
      }
      if (!fileError) {
        throw error;
      }
      return 'failed';
    }
  }

  /** Takes the import over for this run; null when it is finished (done or failed). */
  private async claim(importId: number, token: string): Promise<ImportJob | null> {
    const claimed = await inTransaction(this.db, async (em) => {
      const result = await em.update(
        ImportJob,
        { id: importId, status: In(['queued', 'running']) },
        { status: 'running', runToken: token, error: null },
      );
      if (result.affected) {
        await em
          .createQueryBuilder()
          .update(ImportJob)
          .set({ startedAt: this.clock.now() })
          .where('id = :id AND startedAt IS NULL', { id: importId })
          .execute();
      }
      return result.affected;
    });
    const job = await this.db.getRepository(ImportJob).findOneBy({ id: importId });
    if (!job) {
      // Not in this database: throw, so that a queue shared by mistake retries it elsewhere.
      throw AppError.notFound(`import ${importId}`);
    }
    return claimed ? job : null;
  }

  /**
   * Runs `work` in a transaction that first checks this run still owns the import (a plain read,
   * so that such transactions do not queue behind each other on the import's row).
   */
  private owned<T>(importId: number, token: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return inTransaction(this.db, async (em) => {
      if (!(await em.existsBy(ImportJob, { id: importId, runToken: token }))) {
        throw new TakenOver();
      }
      return work(em);
    });
  }

  private async fail(importId: number, token: string, message: string): Promise<void> {
    await inTransaction(this.db, (em) =>
      em.update(
        ImportJob,
        { id: importId, runToken: token },
        { status: 'failed', error: message.slice(0, 2000), finishedAt: this.clock.now(), runToken: null },
      ),
    );
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
   * Pass 1: the whole file once, nothing written. While it is read, the valid rows' registry numbers
   * and ID numbers are looked up in the registry (a thousand per query, in the background), so
   * that the writing phases know what exists without asking again.
   */
  private async scan(path: string, ctx: RowContext): Promise<FileScan> {
    const firstLine = new IdNumberIndex();
    const duplicates = new Map<string, number[]>();
    const households = new Map<string, FileHousehold>();
    const stored = new Map<string, StoredHousehold>();
    const registered = new IdNumberIndex();
    const parallel = this.db.options.type === 'mysql' ? 2 : 1;
    const householdLookup = new KeyLookup(
      async (registryNos) => {
        const rows = await this.db.query<StoredHousehold[]>(
          this.sql.select(
            'households',
            ['id', 'registryNo', 'regionCode', 'povertyCause', 'status', 'registeredYear'],
            'registryNo',
            registryNos.length,
            false,
          ),
          registryNos,
        );
        rows.forEach((h) => stored.set(h.registryNo, { ...h, id: Number(h.id), registeredYear: Number(h.registeredYear) }));
      },
      KEYS_PER_LOOKUP,
      parallel,
    );
    const personLookup = new KeyLookup(
      async (idNumbers) => {
        const rows = await this.db.query<{ idNumber: string }[]>(
          this.sql.select('persons', ['idNumber'], 'idNumber', idNumbers.length, false),
          idNumbers,
        );
        rows.forEach((p) => registered.setIfAbsent(p.idNumber, 1));
      },
      KEYS_PER_LOOKUP,
      parallel,
    );
    let rowsTotal = 0;
    const roster = await openRoster(path, HOUSEHOLD_COLUMNS);
    try {
      for await (const raw of roster.rows()) {
        rowsTotal++;
        const idNumber = normalizeIdNumber(raw.values.idNumber);
        let repeated = false;
        if (idNumber) {
          const first = firstLine.setIfAbsent(idNumber, raw.line);
          if (first !== undefined) {
            repeated = true;
            const lines = duplicates.get(idNumber);
            if (lines) {
              lines.push(raw.line);
            } else {
              duplicates.set(idNumber, [first, raw.line]);
            }
          }
        }
        const { row } = checkHouseholdRow(raw, ctx);
        if (!row) {
          continue;
        }
        if (!repeated) {
          const wait = process.env.NOLOOKUP ? null : personLookup.add(row.idNumber);
          if (wait) {
            await wait;
          }
        }
        const household = households.get(row.registryNo);
        if (!household) {
          households.set(row.registryNo, {
            regionCode: row.regionCode,
            povertyCause: row.povertyCause,
            status: row.status,
            registeredYear: row.registeredYear,
            line: row.line,
            conflictLine: 0,
            heads: row.relation === 'head' ? [{ idNumber: row.idNumber, line: row.line }] : [],
            index: 0,
            id: 0,
          });
          const wait = process.env.NOLOOKUP ? null : householdLookup.add(row.registryNo);
          if (wait) {
            await wait;
          }
          continue;
        }
        if (household.conflictLine === 0 && !sameHousehold(household, row)) {
          household.conflictLine = row.line;
        }
        if (row.relation === 'head') {
          household.heads.push({ idNumber: row.idNumber, line: row.line });
        }
      }
      await Promise.all([householdLookup.finish(), personLookup.finish()]);
    } finally {
      await Promise.all([householdLookup.abandon(), personLookup.abandon()]);
      await roster.close();
    }
    if (rowsTotal === 0) {
      throw new RosterFileError('the file has a header but no rows');
    }

    const rejected = new Map<string, RowProblem>();
    for (const [registryNo, h] of households) {
      const heads = h.heads.filter((head) => !duplicates.has(head.idNumber));
      if (h.conflictLine !== 0) {
        rejected.set(registryNo, {
          field: 'registryNo',
          reason: `户编号 ${registryNo}: the household's rows disagree on 区划代码, 致贫原因, 户状态 or 建档年度 (lines ${h.line} and ${h.conflictLine})`,
        });
      } else if (heads.length === 0) {
        rejected.set(registryNo, {
          field: 'relation',
          reason: `户编号 ${registryNo}: the household has no head (户主) among its valid rows`,
        });
      } else if (heads.length > 1) {
        rejected.set(registryNo, {
          field: 'relation',
          reason: `户编号 ${registryNo}: the household has ${heads.length} heads (户主), on lines ${heads.map((x) => x.line).join(', ')}`,
        });
      }
    }

    // A household keeps one head: one already registered who is not in the file would make two.
    const candidates = [...stored.keys()].filter((registryNo) => !rejected.has(registryNo));
    for (const registryNos of chunk(candidates, HOUSEHOLDS_PER_STATEMENT)) {
      const heads = await this.db.query<{ registryNo: string; idNumber: string }[]>(
        `SELECT h.registryNo AS registryNo, p.idNumber AS idNumber FROM households h
         INNER JOIN persons p ON p.householdId = h.id AND p.relation = 'head'
         WHERE h.registryNo IN (${registryNos.map(() => '?').join(', ')})`,
        registryNos,
      );
      for (const head of heads) {
        const fileHead = households.get(head.registryNo)!.heads.find((x) => !duplicates.has(x.idNumber));
        if (head.idNumber !== fileHead?.idNumber && !firstLine.has(head.idNumber)) {
          rejected.set(head.registryNo, {
            field: 'relation',
            reason: `户编号 ${head.registryNo}: the registry already has another head (户主), ${maskIdNumber(head.idNumber)}, who is not in this file`,
          });
        }
      }
    }
    for (const registryNo of rejected.keys()) {
      households.delete(registryNo);
    }
    return { rowsTotal, duplicates, rejected, households, stored, registered };
  }

  /**
   * Phase 2: the households of the valid rows, in file order, a thousand per statement: new ones
   * inserted, changed ones updated (their version bumped), each household's id noted for the
   * persons. Runs alongside phase 3, whose batches wait (`ready`) for the households they name.
   * `changed` holds the lines that carry a household change (each changed household's first row).
   */
  private writeHouseholds(importId: number, token: string, scan: FileScan): HouseholdWriter {
    const columns = ['registryNo', 'regionCode', 'povertyCause', 'registeredYear', 'status', 'version', 'updatedAt'];
    const changed = new Set<number>();
    const keys = [...scan.households.keys()];
    const now = this.now();
    const statements = chunk(keys, HOUSEHOLDS_PER_STATEMENT).map((registryNos, n) => {
      const writes: unknown[] = [];
      const created: string[] = [];
      registryNos.forEach((registryNo, i) => {
        const h = scan.households.get(registryNo)!;
        h.index = n * HOUSEHOLDS_PER_STATEMENT + i;
        const before = scan.stored.get(registryNo);
        if (before) {
          h.id = before.id;
          if (sameHousehold(before, h)) {
            return;
          }
          changed.add(h.line);
        } else {
          created.push(registryNo);
        }
        writes.push(registryNo, h.regionCode, h.povertyCause, h.registeredYear, h.status, 1, now);
      });
      return { writes, created };
    });
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
    const write = async ({ writes, created }: (typeof statements)[number]) => {
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
          ids.forEach((h) => (scan.households.get(h.registryNo)!.id = Number(h.id)));
        }
      });
    };
    const done = (async () => {
      const inflight = new Set<Promise<unknown>>();
      let previous: Promise<unknown> = Promise.resolve();
      try {
        for (const [n, statement] of statements.entries()) {
          while (inflight.size >= parallel) {
            await Promise.race(inflight);
          }
          if (cancelled || this.stopping) {
            throw new Stopped();
          }
          const written = write(statement);
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
      ready: (index) => (gates.length === 0 ? Promise.resolve() : gates[Math.floor(index / HOUSEHOLDS_PER_STATEMENT)].promise),
      cancel: () => (cancelled = true),
      done,
    };
  }

  /** Phase 3: the rows, in batches after the `skip` already committed, each batch in its own transaction. */
  private async writePersons(
    importId: number,
    token: string,
    path: string,
    ctx: RowContext,
    scan: FileScan,
    households: HouseholdWriter,
    skip: number,
  ): Promise<void> {
    // Batches are read and checked while earlier ones are written; on MySQL two are written at once.
    const parallel = this.db.options.type === 'mysql' ? 2 : 1;
    const inflight: Promise<void>[] = [];
    let previous: Promise<void> = Promise.resolve();
    let failure: unknown = null;
    const submit = async (rows: RosterRow<HouseholdField>[], start: number) => {
      while (inflight.length >= parallel) {
        await inflight.shift();
      }
      if (failure) {
        throw failure;
      }
      if (this.stopping) {
        throw new Stopped();
      }
      const batch = this.writeBatch(importId, token, ctx, scan, households, rows, start, previous);
      const settled = batch.catch((error: unknown) => {
        failure ??= error;
      });
      previous = batch;
      inflight.push(settled);
    };
    const roster = await openRoster(path, HOUSEHOLD_COLUMNS);
    let index = 0;
    let batch: RosterRow<HouseholdField>[] = [];
    let start = skip;
    try {
      for await (const raw of roster.rows()) {
        if (++index <= skip) {
          continue;
        }
        batch.push(raw);
        if (batch.length % YIELD_EVERY === 0) {
          // Parsing runs in long synchronous stretches: let the database's answers in between.
          await new Promise((resolve) => setImmediate(resolve));
        }
        if (batch.length === IMPORT_BATCH_ROWS) {
          await submit(batch, start);
          start += batch.length;
          batch = [];
        }
      }
      if (batch.length > 0) {
        await submit(batch, start);
      }
    } finally {
      await Promise.all(inflight);
      await roster.close();
    }
    if (failure) {
      throw failure;
    }
  }

  /**
   * One batch: checks its rows, then in one transaction loads their persons, upserts the new and
   * changed ones and records the rejected rows; then, once the batch before it has committed,
   * advances `rowsRead` with the counts (only from where that batch left it) and commits.
   */
  private async writeBatch(
    importId: number,
    token: string,
    ctx: RowContext,
    scan: FileScan,
    households: HouseholdWriter,
    rows: RosterRow<HouseholdField>[],
    start: number,
    previous: Promise<void>,
  ): Promise<void> {
    const valid: HouseholdRow[] = [];
    const errors: NewRowError[] = [];
    const counts: Counts = { inserted: 0, updated: 0, unchanged: 0, rejected: 0 };
    for (const raw of rows) {
      const checked = checkHouseholdRow(raw, ctx);
      const idNumber = normalizeIdNumber(raw.values.idNumber);
      let problems = checked.problems;
      if (!problems) {
        const lines = scan.duplicates.get(idNumber);
        const household = scan.rejected.get(raw.values.registryNo);
        if (lines) {
          problems = [{ field: 'idNumber', reason: `身份证号 appears on more than one row (lines ${lines.join(', ')})` }];
        } else if (household) {
          problems = [household];
        }
      }
      if (!problems) {
        valid.push(checked.row!);
        continue;
      }
      counts.rejected++;
      for (const p of problems) {
        errors.push({
          importId,
          line: raw.line,
          field: p.field,
          reason: p.reason.slice(0, 255),
          idNumber: idNumber ? maskIdNumber(idNumber.slice(0, 32)) : null,
          registryNo: raw.values.registryNo.slice(0, 64) || null,
        });
      }
    }
    // Their households first (written ahead, in file order): then the batch holds no lock while it waits.
    let last = -1;
    for (const row of valid) {
      last = Math.max(last, scan.households.get(row.registryNo)!.index);
    }
    if (last >= 0) {
      await households.ready(last);
    }
    await inTransaction(this.db, async (em) => {
      if (valid.length > 0) {
        await this.upsertPersons(em, valid, scan, households.changed, counts);
      }
      for (const part of chunk(errors, IMPORT_BATCH_ROWS)) {
        await em.createQueryBuilder().insert().into(ImportRowError).values(part).updateEntity(false).execute();
      }
      // Commit in file order: rowsRead moves on only from where the batch before this one left it.
      await previous;
      const claimed = await em
        .createQueryBuilder()
        .update(ImportJob)
        .set({
          rowsRead: start + rows.length,
          inserted: () => `inserted + ${counts.inserted}`,
          updated: () => `updated + ${counts.updated}`,
          unchanged: () => `unchanged + ${counts.unchanged}`,
          rejected: () => `rejected + ${counts.rejected}`,
        })
        .where('id = :id AND runToken = :token AND rowsRead = :start', { id: importId, token, start })
        .execute();
      if (!claimed.affected) {
        throw new TakenOver();
      }
    });
  }

  /**
   * The batch's persons: loaded by ID number with one query, the new and changed ones written with
   * one multi-row upsert. A person new to the registry is `inserted`; one whose household, name or
   * relation changed — or whose row is the first of a household whose fields changed — `updated`;
   * anything else `unchanged`.
   */
  private async upsertPersons(
    em: EntityManager,
    rows: HouseholdRow[],
    scan: FileScan,
    changed: Set<number>,
    counts: Counts,
  ): Promise<void> {
    // Only the persons the registry held when the file was read can be there to compare with.
    const stored = new Map<string, StoredPerson>();
    const known = rows.filter((r) => scan.registered.has(r.idNumber)).map((r) => r.idNumber);
    if (known.length > 0) {
      for (const p of await em.query<StoredPerson[]>(
        this.sql.select('persons', ['id', 'idNumber', 'householdId', 'name', 'relation'], 'idNumber', known.length, false),
        known,
      )) {
        stored.set(p.idNumber, p);
      }
    }
    const columns = ['householdId', 'idNumber', 'name', 'sex', 'birthDate', 'relation', 'status', 'version', 'updatedAt'];
    const writes: unknown[] = [];
    const now = this.now();
    for (const row of rows) {
      const householdId = scan.households.get(row.registryNo)!.id;
      const before = stored.get(row.idNumber);
      if (before) {
        if (Number(before.householdId) === householdId && before.name === row.name && before.relation === row.relation) {
          counts[changed.has(row.line) ? 'updated' : 'unchanged']++;
          continue;
        }
        counts.updated++;
      } else {
        counts.inserted++;
      }
      const { sex, birthDate } = parseIdNumber(row.idNumber);
      writes.push(householdId, row.idNumber, row.name, sex, birthDate, row.relation, 'active', 1, now);
    }
    if (writes.length > 0) {
      await em.query(
        this.sql.upsert('persons', columns, 'idNumber', writes.length / columns.length, {
          update: ['householdId', 'name', 'relation', 'updatedAt'],
          increment: ['version'],
        }),
        writes,
      );
    }
  }

  /** The clock's now as both drivers store a datetime: UTC `YYYY-MM-DD HH:MM:SS.mmm`. */
  private now(): string {
    return this.clock.now().toISOString().slice(0, 23).replace('T', ' ');
  }
}

function sameHousehold(
  a: Pick<FileHousehold, 'regionCode' | 'povertyCause' | 'status' | 'registeredYear'>,
  b: Pick<FileHousehold, 'regionCode' | 'povertyCause' | 'status' | 'registeredYear'>,
): boolean {
  return (
    a.regionCode === b.regionCode &&
    a.povertyCause === b.povertyCause &&
    a.status === b.status &&
    Number(a.registeredYear) === Number(b.registeredYear)
  );
}
