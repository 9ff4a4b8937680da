import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, In } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { maskIdNumber } from '../common/id-number.js';
import type { Page } from '../common/pagination.js';
import { chunk } from '../common/sql.js';
import { AppConfig } from '../config/app-config.js';
import { inTransaction } from '../database/transaction.js';
import { DEFAULT_SCHEME } from '../health/insurance.service.js';
import { Person } from '../households/person.entity.js';
import { BulkSql } from '../uploads/bulk-sql.js';
import { IdNumberIndex } from '../uploads/id-number-index.js';
import { openRoster } from '../uploads/roster-reader.js';
import type { ApplyEnrollmentDto } from './dto/reconciliation.dto.js';
import { EnrollmentChange } from './enrollment-change.entity.js';
import { INSURANCE_COLUMNS, insuranceRowReader } from './insurance-rows.js';
import { Reconciliation } from './reconciliation.entity.js';
import { ReconciliationService } from './reconciliation.service.js';
import { streamRows } from './registry-persons.js';

/** A person's enrollment for the year: null before means no record. */
export interface EnrollmentState {
  enrolled: boolean;
  subsidized: boolean;
}

export interface EnrollmentChangeView {
  personId: number;
  name: string;
  /** Masked: 610102********1234. */
  idNumber: string;
  line: number;
  before: EnrollmentState | null;
  after: EnrollmentState;
  /** 已参保 → 未参保: written only when the caller asks for it (includeDowngrades). */
  downgrade: boolean;
}

/** The answer of a dry run: every change, a page at a time, and the token that confirms exactly these. */
export interface EnrollmentPreview {
  dryRun: true;
  year: number;
  /** Changes that an apply with the same includeDowngrades writes. */
  toApply: number;
  /** 已参保 → 未参保 rows in the roster; left alone unless includeDowngrades. */
  downgrades: number;
  includeDowngrades: boolean;
  /** Give it back as `confirm` to apply exactly what this preview shows. */
  confirm: string;
  changes: Page<EnrollmentChangeView>;
}

export interface EnrollmentApplied {
  dryRun: false;
  year: number;
  /** Persons whose enrollment was written now (0: nothing to change, a repeated apply). */
  applied: number;
  downgradesSkipped: number;
  message: string;
}

interface Change {
  personId: number;
  line: number;
  before: EnrollmentState | null;
  after: EnrollmentState;
  downgrade: boolean;
}

const PER_STATEMENT = 1000;
const sameState = (a: EnrollmentState | null, b: EnrollmentState) =>
  a !== null && a.enrolled === b.enrolled && a.subsidized === b.subsidized;

/**
 * 写入参保信息: writes a finished reconciliation's roster into the registered persons' enrollment
 * for its year, in two steps — a dry run lists every change (before → after) with a confirmation
 * token, and the apply writes exactly those (a changed picture meanwhile is a 409) in one
 * transaction, recording each change (who, when, reconciliation, before → after). What is already
 * so is not a change, so a second apply writes nothing and says so. Persons missing from the roster
 * are never touched, and a roster row that would turn 已参保 into 未参保 is listed as a downgrade and
 * written only when the caller asks for it (includeDowngrades) after seeing it.
 */
@Injectable()
export class EnrollmentApplyService {
  private readonly sql: BulkSql;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly reconciliations: ReconciliationService,
  ) {
    this.sql = new BulkSql(db);
  }

  async preview(user: AuthUser, id: number, dto: ApplyEnrollmentDto): Promise<EnrollmentPreview> {
    const rec = await this.reconciliations.findDone(id, user, 'insurance');
    const includeDowngrades = dto.includeDowngrades ?? false;
    const changes = await this.changes(rec);
    const toApply = changes.filter((c) => includeDowngrades || !c.downgrade);
    const page = dto.page ?? 1;
    const pageSize = dto.pageSize ?? 50;
    const shown = changes.slice((page - 1) * pageSize, page * pageSize);
    const persons =
      shown.length === 0
        ? []
        : await this.db.getRepository(Person).find({
            select: { id: true, name: true, idNumber: true },
            where: { id: In(shown.map((c) => c.personId)) },
          });
    const person = new Map(persons.map((p) => [p.id, p]));
    return {
      dryRun: true,
      year: rec.year,
      toApply: toApply.length,
      downgrades: changes.filter((c) => c.downgrade).length,
      includeDowngrades,
      confirm: tokenOf(toApply),
      changes: {
        items: shown.map((c) => ({
          personId: c.personId,
          name: person.get(c.personId)?.name ?? '',
          idNumber: maskIdNumber(person.get(c.personId)?.idNumber ?? ''),
          line: c.line,
          before: c.before,
          after: c.after,
          downgrade: c.downgrade,
        })),
        total: changes.length,
        page,
        pageSize,
      },
    };
  }

  async apply(user: AuthUser, id: number, dto: ApplyEnrollmentDto): Promise<EnrollmentApplied> {
    const rec = await this.reconciliations.findDone(id, user, 'insurance');
    if (!dto.confirm) {
      throw new AppError(
        ErrorCode.Invalid,
        '缺少 confirm：请先预览变化（dryRun: true），再带上预览返回的确认令牌写入',
        'confirm',
      );
    }
    const includeDowngrades = dto.includeDowngrades ?? false;
    const now = this.clock.now();
    const result = await inTransaction(this.db, async (em) => {
      const changes = await this.changes(rec);
      const toApply = changes.filter((c) => includeDowngrades || !c.downgrade);
      if (toApply.length > 0 && tokenOf(toApply) !== dto.confirm) {
        throw new AppError(
          ErrorCode.VersionConflict,
          '预览之后参保信息又有变化（confirm 已失效），请重新预览并确认',
          'confirm',
        );
      }
      const stamp = now.toISOString().slice(0, 23).replace('T', ' ');
      const columns = ['personId', 'year', 'scheme', 'enrolled', 'subsidized', 'updatedAt'];
      for (const part of chunk(toApply, PER_STATEMENT)) {
        // Booleans as 1/0: better-sqlite3 binds no booleans. The scheme of an existing record is kept.
        await em.query(
          this.sql.upsert('insurance_enrollments', columns, ['personId', 'year'], part.length, {
            update: ['enrolled', 'subsidized', 'updatedAt'],
          }),
          part.flatMap((c) => [
            c.personId,
            rec.year,
            DEFAULT_SCHEME,
            c.after.enrolled ? 1 : 0,
            c.after.subsidized ? 1 : 0,
            stamp,
          ]),
        );
        await em
          .createQueryBuilder()
          .insert()
          .into(EnrollmentChange)
          .values(
            part.map((c) => ({
              reconciliationId: rec.id,
              personId: c.personId,
              year: rec.year,
              enrolledBefore: c.before?.enrolled ?? null,
              subsidizedBefore: c.before?.subsidized ?? null,
              enrolledAfter: c.after.enrolled,
              subsidizedAfter: c.after.subsidized,
              changedById: user.id,
              changedAt: now,
            })),
          )
          .updateEntity(false)
          .execute();
      }
      if (toApply.length > 0) {
        await em.update(Reconciliation, { id }, { enrollmentApplied: toApply.length, enrollmentAppliedAt: now });
      }
      return { applied: toApply.length, downgradesSkipped: changes.length - toApply.length };
    });
    return {
      dryRun: false,
      year: rec.year,
      ...result,
      message:
        result.applied === 0
          ? '参保信息已与花名册一致，没有需要写入的变化。'
          : `已写入 ${result.applied} 人的${rec.year}年度参保信息。`,
    };
  }

  /** What was written from this reconciliation, newest first (the record of changes). */
  async history(id: number): Promise<EnrollmentChange[]> {
    return this.db.getRepository(EnrollmentChange).find({ where: { reconciliationId: id }, order: { id: 'DESC' } });
  }

  /**
   * The changes the roster makes to the registry now: for each compared row of a registered person
   * (a repeated number: its first row), the roster's enrollment where it differs from the record.
   */
  private async changes(rec: Reconciliation): Promise<Change[]> {
    const path = join(this.config.UPLOAD_DIR, rec.storedName);
    if (!existsSync(path)) {
      throw new AppError(
        ErrorCode.InvalidTransition,
        `数据比对 #${rec.id} 的花名册文件已不在服务器上，无法写入参保信息`,
      );
    }
    const personOf = new IdNumberIndex();
    const record = new Map<number, EnrollmentState>();
    const build = () =>
      this.db
        .createQueryBuilder()
        .select('p.id', 'id')
        .addSelect('p.idNumber', 'idNumber')
        .addSelect('e.enrolled', 'enrolled')
        .addSelect('e.subsidized', 'subsidized')
        .from(Person, 'p')
        .leftJoin('insurance_enrollments', 'e', 'e.personId = p.id AND e.year = :year', { year: rec.year });
    type Row = { id: number; idNumber: string; enrolled: unknown; subsidized: unknown };
    for await (const batch of streamRows<Row>(this.db, build, 'p.id')) {
      for (const p of batch) {
        personOf.setIfAbsent(p.idNumber, Number(p.id));
        if (p.enrolled !== null && p.enrolled !== undefined) {
          record.set(Number(p.id), { enrolled: truthy(p.enrolled), subsidized: truthy(p.subsidized) });
        }
      }
    }
    const seen = new IdNumberIndex();
    const changes: Change[] = [];
    const today = this.clock.today();
    const readRow = insuranceRowReader(rec.year, today);
    const roster = await openRoster(path, INSURANCE_COLUMNS);
    try {
      for await (const raw of roster.rows()) {
        const read = readRow(raw);
        if (read.kind !== 'row' || seen.setIfAbsent(read.row.idNumber, 1) !== undefined) {
          continue;
        }
        const row = read.row;
        const personId = personOf.get(row.idNumber);
        if (personId === undefined) {
          continue;
        }
        const before = record.get(personId) ?? null;
        const after = { enrolled: row.enrolled, subsidized: row.enrolled && row.subsidized };
        if (!sameState(before, after)) {
          changes.push({
            personId,
            line: row.line,
            before,
            after,
            downgrade: before?.enrolled === true && !after.enrolled,
          });
        }
      }
    } finally {
      await roster.close();
    }
    return changes;
  }
}

/** MySQL answers booleans as 1/0, SQLite as 1/0 too; both may come as strings through some drivers. */
const truthy = (value: unknown): boolean => value === true || value === 1 || value === '1';

/** The confirmation of a set of changes: the same changes (person, before, after) give the same token. */
function tokenOf(changes: readonly Change[]): string {
  const hash = createHash('sha256');
  for (const c of [...changes].sort((a, b) => a.personId - b.personId)) {
    hash.update(`${c.personId}:${JSON.stringify(c.before)}>${JSON.stringify(c.after)};`);
  }
  return hash.digest('hex').slice(0, 32);
}
