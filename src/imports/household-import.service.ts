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
import { Household } from '../households/household.entity.js';
import { Person } from '../households/person.entity.js';
import { Region } from '../regions/region.entity.js';
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

/** File rows per batch: one transaction, about five statements, whatever the batch holds. */
export const IMPORT_BATCH_ROWS = 1000;
/** Households per IN list when checking their heads in the registry. */
const KEYS_PER_QUERY = 1000;

/** Another run of the same import claimed it (a redelivered job, a restart): this one stops. */
class TakenOver extends Error {}
/** The process is shutting down: stop between batches; the import resumes on the next start. */
class Stopped extends Error {}

/** How a run ended: `stopped` (shutdown) and `taken_over` leave the import to another run. */
export type RunOutcome = 'done' | 'failed' | 'finished' | 'stopped' | 'taken_over';

/** What reading the whole file once tells about each row before anything is written. */
interface FileVerdicts {
  rowsTotal: number;
  /** ID numbers on more than one row, with their lines: all those rows are rejected. */
  duplicates: Map<string, number[]>;
  /** Households whose rows are all rejected (no head, two heads, disagreeing rows, another head in the registry). */
  households: Map<string, RowProblem>;
}

interface StoredHousehold {
  id: number | null;
  regionCode: string;
  povertyCause: string;
  status: string;
  registeredYear: number;
  version: number;
}

interface StoredPerson {
  id: number;
  idNumber: string;
  householdId: number;
  name: string;
  relation: string;
  version: number;
}

interface Counts {
  inserted: number;
  updated: number;
  unchanged: number;
}

type NewRowError = Omit<ImportRowError, 'id'>;

/**
 * Runs a household import (the queue job; idempotent and resumable):
 *
 * 1. claims the import with a fresh run token (a run that finds another token stops);
 * 2. reads the whole file once, checking each row and collecting what needs the whole file:
 *    ID numbers on two rows, one head per household, rows of a household that disagree, a
 *    household whose registry head is not in the file. A broken file fails here, before any write;
 * 3. reads it again in batches of 1000 rows, skipping the rows already committed: per batch, one
 *    transaction advances `rowsRead` (compare-and-set on the run token and the previous value),
 *    loads the batch's households and persons by registry number and ID number, upserts the new
 *    and changed ones with multi-row `INSERT … ON CONFLICT/DUPLICATE KEY UPDATE`, records the
 *    rejected rows and adds the counts. A process killed between batches loses nothing: the next
 *    run starts after the last committed batch.
 */
@Injectable()
export class HouseholdImportService {
  private readonly logger = new Logger('Imports');
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

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
      const verdicts = await this.scan(path, ctx);
      await inTransaction(this.db, (em) =>
        em
          .createQueryBuilder()
          .update(ImportJob)
          .set({ rowsTotal: verdicts.rowsTotal })
          .where('id = :id AND runToken = :token', { id: importId, token })
          .execute(),
      );
      const { rowsRead } = await this.db.getRepository(ImportJob).findOneByOrFail({ id: importId });
      await this.apply(importId, token, path, ctx, verdicts, rowsRead);
      const finished = await inTransaction(this.db, (em) =>
        em
          .createQueryBuilder()
          .update(ImportJob)
          .set({ status: 'done', finishedAt: this.clock.now(), runToken: null })
          .where('id = :id AND runToken = :token', { id: importId, token })
          .execute(),
      );
      if (!finished.affected) {
        return 'taken_over';
      }
      await removeUpload(path);
      this.logger.log(`import ${importId}: ${verdicts.rowsTotal} rows in ${Date.now() - started} ms`);
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
      const result = await em
        .createQueryBuilder()
        .update(ImportJob)
        .set({ status: 'running', runToken: token, error: null })
        .where('id = :id AND status IN (:...open)', { id: importId, open: ['queued', 'running'] })
        .execute();
      await em
        .createQueryBuilder()
        .update(ImportJob)
        .set({ startedAt: this.clock.now() })
        .where('id = :id AND runToken = :token AND startedAt IS NULL', { id: importId, token })
        .execute();
      return result;
    });
    const job = await this.db.getRepository(ImportJob).findOneBy({ id: importId });
    if (!job) {
      // Not in this database: throw, so that a queue shared by mistake retries it elsewhere.
      throw AppError.notFound(`import ${importId}`);
    }
    return claimed.affected ? job : null;
  }

  private async fail(importId: number, token: string, message: string): Promise<void> {
    await inTransaction(this.db, (em) =>
      em
        .createQueryBuilder()
        .update(ImportJob)
        .set({ status: 'failed', error: message.slice(0, 2000), finishedAt: this.clock.now(), runToken: null })
        .where('id = :id AND runToken = :token', { id: importId, token })
        .execute(),
    );
  }

  private async rowContext(): Promise<RowContext> {
    const regions = await this.db.getRepository(Region).find({
      select: { code: true },
      where: { level: In(['village', 'subdistrict']) },
    });
    return { regions: new Set(regions.map((r) => r.code)), today: this.clock.today() };
  }

  /** Pass 1: the whole file once, nothing written. */
  private async scan(path: string, ctx: RowContext): Promise<FileVerdicts> {
    const firstLine = new Map<string, number>();
    const duplicates = new Map<string, number[]>();
    const households = new Map<
      string,
      { signature: string; line: number; conflictLine: number | null; heads: { idNumber: string; line: number }[] }
    >();
    let rowsTotal = 0;
    const roster = await openRoster(path, HOUSEHOLD_COLUMNS);
    try {
      for await (const raw of roster.rows()) {
        rowsTotal++;
        const idNumber = normalizeIdNumber(raw.values.idNumber);
        if (idNumber) {
          const first = firstLine.get(idNumber);
          if (first === undefined) {
            firstLine.set(idNumber, raw.line);
          } else {
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
        const signature = `${row.regionCode}|${row.povertyCause}|${row.status}|${row.registeredYear}`;
        let household = households.get(row.registryNo);
        if (!household) {
          household = { signature, line: row.line, conflictLine: null, heads: [] };
          households.set(row.registryNo, household);
        } else if (household.signature !== signature && household.conflictLine === null) {
          household.conflictLine = row.line;
        }
        if (row.relation === 'head') {
          household.heads.push({ idNumber: row.idNumber, line: row.line });
        }
      }
    } finally {
      await roster.close();
    }
    if (rowsTotal === 0) {
      throw new RosterFileError('the file has a header but no rows');
    }

    const rejected = new Map<string, RowProblem>();
    const soleHead = new Map<string, string>();
    for (const [registryNo, h] of households) {
      const heads = h.heads.filter((head) => !duplicates.has(head.idNumber));
      if (h.conflictLine !== null) {
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
      } else {
        soleHead.set(registryNo, heads[0].idNumber);
      }
    }
    households.clear();

    // A household keeps one head: one already registered who is not in the file would make two.
    for (const registryNos of chunk([...soleHead.keys()], KEYS_PER_QUERY)) {
      const heads = await this.db
        .createQueryBuilder()
        .select('h.registryNo', 'registryNo')
        .addSelect('p.idNumber', 'idNumber')
        .from(Household, 'h')
        .innerJoin(Person, 'p', "p.householdId = h.id AND p.relation = 'head'")
        .where('h.registryNo IN (:...registryNos)', { registryNos })
        .getRawMany<{ registryNo: string; idNumber: string }>();
      for (const head of heads) {
        if (head.idNumber !== soleHead.get(head.registryNo) && !firstLine.has(head.idNumber)) {
          rejected.set(head.registryNo, {
            field: 'relation',
            reason: `户编号 ${head.registryNo}: the registry already has another head (户主), ${maskIdNumber(head.idNumber)}, who is not in this file`,
          });
        }
      }
    }
    return { rowsTotal, duplicates, households: rejected };
  }

  /** Pass 2: batches after the `skip` rows already committed, each in its own transaction. */
  private async apply(
    importId: number,
    token: string,
    path: string,
    ctx: RowContext,
    verdicts: FileVerdicts,
    skip: number,
  ): Promise<void> {
    const roster = await openRoster(path, HOUSEHOLD_COLUMNS);
    let index = 0;
    let batch: RosterRow<HouseholdField>[] = [];
    let batchStart = skip;
    // The next batch is read and checked while the previous one is written.
    let inflight: Promise<unknown> | null = null;
    const settle = async () => {
      if (inflight) {
        const error = await inflight;
        inflight = null;
        if (error) {
          throw error;
        }
      }
    };
    const submit = async () => {
      await settle();
      if (this.stopping) {
        throw new Stopped();
      }
      const rows = batch;
      const start = batchStart;
      batch = [];
      batchStart = start + rows.length;
      inflight = this.applyBatch(importId, token, ctx, verdicts, rows, start).then(
        () => null,
        (error: unknown) => error ?? new Error('batch failed'),
      );
    };
    try {
      for await (const raw of roster.rows()) {
        index++;
        if (index <= skip) {
          continue;
        }
        batch.push(raw);
        if (batch.length === IMPORT_BATCH_ROWS) {
          await submit();
        }
      }
      if (batch.length > 0) {
        await submit();
      }
      await settle();
    } finally {
      await inflight;
      await roster.close();
    }
  }

  private async applyBatch(
    importId: number,
    token: string,
    ctx: RowContext,
    verdicts: FileVerdicts,
    rows: RosterRow<HouseholdField>[],
    start: number,
  ): Promise<void> {
    const valid: HouseholdRow[] = [];
    const errors: NewRowError[] = [];
    let rejected = 0;
    for (const raw of rows) {
      const checked = checkHouseholdRow(raw, ctx);
      const idNumber = normalizeIdNumber(raw.values.idNumber);
      let problems: RowProblem[] | null = checked.problems;
      if (!problems) {
        const lines = verdicts.duplicates.get(idNumber);
        const household = verdicts.households.get(raw.values.registryNo);
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
      rejected++;
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
    const end = start + rows.length;
    await inTransaction(this.db, async (em) => {
      const claimed = await em
        .createQueryBuilder()
        .update(ImportJob)
        .set({ rowsRead: end })
        .where('id = :id AND runToken = :token AND rowsRead = :start', { id: importId, token, start })
        .execute();
      if (!claimed.affected) {
        throw new TakenOver();
      }
      const counts = valid.length > 0 ? await this.upsert(em, valid) : { inserted: 0, updated: 0, unchanged: 0 };
      for (const part of chunk(errors, IMPORT_BATCH_ROWS)) {
        await em.createQueryBuilder().insert().into(ImportRowError).values(part).updateEntity(false).execute();
      }
      await em
        .createQueryBuilder()
        .update(ImportJob)
        .set({
          inserted: () => `inserted + ${counts.inserted}`,
          updated: () => `updated + ${counts.updated}`,
          unchanged: () => `unchanged + ${counts.unchanged}`,
          rejected: () => `rejected + ${rejected}`,
        })
        .where('id = :id', { id: importId })
        .execute();
    });
  }

  /**
   * Writes a batch of valid rows: households by registry number, then persons by ID number, each
   * loaded with one query and written with one multi-row upsert (new and changed rows only). Each
   * row is classified against what was stored before it: a person new to the registry is
   * `inserted`; one whose household, name or relation changed — or the first row that changes its
   * household's fields — is `updated`; anything else `unchanged`.
   */
  private async upsert(em: EntityManager, rows: HouseholdRow[]): Promise<Counts> {
    const now = this.clock.now();
    const lock = this.db.options.type === 'mysql';
    const registryNos = [...new Set(rows.map((r) => r.registryNo))];
    const householdQuery = em
      .createQueryBuilder()
      .select(['h.id AS id', 'h.registryNo AS registryNo', 'h.regionCode AS regionCode'])
      .addSelect(['h.povertyCause AS povertyCause', 'h.status AS status', 'h.registeredYear AS registeredYear'])
      .addSelect('h.version', 'version')
      .from(Household, 'h')
      .where('h.registryNo IN (:...registryNos)', { registryNos });
    const households = new Map<string, StoredHousehold>(
      (await (lock ? householdQuery.setLock('pessimistic_write') : householdQuery).getRawMany<StoredHousehold & { registryNo: string }>()).map(
        (h) => [h.registryNo, { ...h, id: Number(h.id), registeredYear: Number(h.registeredYear), version: Number(h.version) }],
      ),
    );
    const householdWrites = new Map<string, StoredHousehold>();
    const changesHousehold = new Set<HouseholdRow>();
    for (const row of rows) {
      const stored = households.get(row.registryNo);
      const fields = {
        regionCode: row.regionCode,
        povertyCause: row.povertyCause,
        status: row.status,
        registeredYear: row.registeredYear,
      };
      if (!stored) {
        const fresh = { id: null, ...fields, version: 1 };
        households.set(row.registryNo, fresh);
        householdWrites.set(row.registryNo, fresh);
      } else if (
        stored.regionCode !== fields.regionCode ||
        stored.povertyCause !== fields.povertyCause ||
        stored.status !== fields.status ||
        stored.registeredYear !== fields.registeredYear
      ) {
        Object.assign(stored, fields, { version: stored.version + 1 });
        householdWrites.set(row.registryNo, stored);
        changesHousehold.add(row);
      }
    }
    if (householdWrites.size > 0) {
      await em
        .createQueryBuilder()
        .insert()
        .into(Household)
        .values(
          [...householdWrites].map(([registryNo, h]) => ({
            registryNo,
            regionCode: h.regionCode,
            povertyCause: h.povertyCause as Household['povertyCause'],
            status: h.status as Household['status'],
            registeredYear: h.registeredYear,
            version: h.version,
            updatedAt: now,
          })),
        )
        .orUpdate(['regionCode', 'povertyCause', 'registeredYear', 'status', 'version', 'updatedAt'], ['registryNo'])
        .updateEntity(false)
        .execute();
      const created = [...householdWrites].filter(([, h]) => h.id === null).map(([registryNo]) => registryNo);
      if (created.length > 0) {
        const ids = await em.find(Household, { select: { id: true, registryNo: true }, where: { registryNo: In(created) } });
        ids.forEach((h) => (households.get(h.registryNo)!.id = h.id));
      }
    }

    const idNumbers = rows.map((r) => r.idNumber);
    const personQuery = em
      .createQueryBuilder()
      .select(['p.id AS id', 'p.idNumber AS idNumber', 'p.householdId AS householdId', 'p.name AS name'])
      .addSelect(['p.relation AS relation', 'p.version AS version'])
      .from(Person, 'p')
      .where('p.idNumber IN (:...idNumbers)', { idNumbers });
    const persons = new Map<string, StoredPerson>(
      (await (lock ? personQuery.setLock('pessimistic_write') : personQuery).getRawMany<StoredPerson>()).map((p) => [
        p.idNumber,
        { ...p, id: Number(p.id), householdId: Number(p.householdId), version: Number(p.version) },
      ]),
    );
    const counts: Counts = { inserted: 0, updated: 0, unchanged: 0 };
    const personWrites: Partial<Person>[] = [];
    for (const row of rows) {
      const householdId = households.get(row.registryNo)!.id!;
      const stored = persons.get(row.idNumber);
      const { sex, birthDate } = parseIdNumber(row.idNumber);
      const values = { householdId, idNumber: row.idNumber, name: row.name, relation: row.relation, sex, birthDate };
      if (!stored) {
        counts.inserted++;
        personWrites.push({ ...values, status: 'active', version: 1, updatedAt: now });
      } else if (stored.householdId !== householdId || stored.name !== row.name || stored.relation !== row.relation) {
        counts.updated++;
        personWrites.push({ ...values, status: 'active', version: stored.version + 1, updatedAt: now });
      } else if (changesHousehold.has(row)) {
        counts.updated++;
      } else {
        counts.unchanged++;
      }
    }
    if (personWrites.length > 0) {
      await em
        .createQueryBuilder()
        .insert()
        .into(Person)
        .values(personWrites)
        .orUpdate(['householdId', 'name', 'relation', 'version', 'updatedAt'], ['idNumber'])
        .updateEntity(false)
        .execute();
    }
    return counts;
  }

}
