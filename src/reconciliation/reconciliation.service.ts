import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stringify } from 'csv-stringify';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataSource, type FindOptionsWhere, In, MoreThan } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { maskIdNumber } from '../common/id-number.js';
import { maskIdLike } from '../common/mask-id-like.js';
import type { Page, PageQuery } from '../common/pagination.js';
import { csvCell } from '../uploads/csv-cell.js';
import { Region } from '../regions/region.entity.js';
import { DISCREPANCY_LABELS, Discrepancy, type DiscrepancyKind } from './discrepancy.entity.js';
import type { CreateReconciliationDto, ReconciliationQuery } from './dto/reconciliation.dto.js';
import { INSURANCE_COLUMNS } from './insurance-rows.js';
import { POVERTY_COLUMNS } from './poverty-rows.js';
import { ReconciliationDispatcher } from './reconciliation.dispatcher.js';
import { ReconciliationRunner } from './reconciliation-runner.service.js';
import { assertSource, KINDS_OF_SOURCE, SOURCE_LABELS } from './reconciliation-source.js';
import { Reconciliation, type ReconciliationSource, type SkippedRow } from './reconciliation.entity.js';
import { progressOf, type RegistryApplyProgress } from './registry-apply-runner.js';
import { RegistryApply } from './registry-apply.entity.js';
import { writeReconciliationTemplate } from './roster-templates.js';
import { reconciliationYear, rosterYear } from './roster-year.js';
import { FIRST_INSURANCE_YEAR } from '../common/programme-years.js';

const PER_READ = 1000;

export interface ReconciliationView {
  id: number;
  /** Whose roster: `insurance` (医保局) or `poverty` (扶贫办). */
  source: ReconciliationSource;
  year: number;
  status: Reconciliation['status'];
  fileName: string;
  format: Reconciliation['format'];
  encoding: Reconciliation['encoding'];
  rowsTotal: number | null;
  rowsRead: number;
  /** Rows that could not be compared (another year, an unreadable 是否参保): counted, the first 100 listed. */
  rowsSkipped: number;
  skipped: SkippedRow[];
  error: string | null;
  /** Discrepancies per kind of the source (every kind present, 0 when none). */
  counts: Partial<Record<DiscrepancyKind, number>>;
  enrollmentApplied: number | null;
  enrollmentAppliedAt: Date | null;
  /** Registry changes written from a poverty roster (POST …/apply), null until then. */
  registryApplied: number | null;
  registryAppliedAt: Date | null;
  /** The latest 写入登记信息 of a poverty roster (status `applying`: under way, or interrupted), null before any. */
  registryApply: RegistryApplyProgress | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface DiscrepancyView {
  id: number;
  kind: DiscrepancyKind;
  line: number | null;
  /** Masked: 610102********1234. */
  idNumber: string;
  personId: number | null;
  rosterName: string | null;
  registryName: string | null;
  regionCode: string | null;
  detail: string | null;
}

export interface ReconciliationDetail extends ReconciliationView {
  discrepancies: Page<DiscrepancyView>;
}

const toDiscrepancyView = (d: Discrepancy): DiscrepancyView => ({
  id: d.id,
  kind: d.kind,
  line: d.line,
  idNumber: maskIdNumber(d.idNumber),
  personId: d.personId,
  rosterName: d.rosterName && maskIdLike(d.rosterName),
  registryName: d.registryName,
  regionCode: d.regionCode,
  detail: d.detail,
});

/** The reconciliation routes: accept a roster, report and export the discrepancies (items: DiscrepancyItemsService). */
@Injectable()
export class ReconciliationService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly dispatcher: ReconciliationDispatcher,
    private readonly clock: Clock,
    private readonly runner: ReconciliationRunner,
  ) {}

  /** Stops a reconciliation that is queued, running or failed (it is never resumed); 409 once done. */
  async cancel(user: AuthUser, id: number): Promise<{ id: number; status: 'cancelled' }> {
    await this.findFor(user, id);
    return this.runner.cancel(id);
  }

  /**
   * Accepts a roster of its `source` (default: the insurance bureau's), for a user who works with
   * that source (403 otherwise). A poverty roster is checked for its headers (400 naming the expected
   * ones) and queued; an insurance roster, see createInsurance.
   */
  async create(
    user: AuthUser,
    file: Express.Multer.File,
    dto: CreateReconciliationDto,
  ): Promise<{ id: number; status: 'queued'; year: number } | { id: number; status: 'queued'; source: 'poverty' }> {
    const source = dto.source ?? 'insurance';
    assertSource(user, source);
    if (source === 'poverty') {
      const accepted = await this.dispatcher.accept(file, POVERTY_COLUMNS, user, {
        source,
        year: this.clock.year(),
      });
      return { ...accepted, source };
    }
    return this.createInsurance(user, file, dto.year);
  }

  /**
   * Accepts an insurance roster for a year: the one chosen, or the year most of its rows carry. A roster whose
   * rows carry another year than the one chosen is refused (400 naming `year` and both years) before
   * anything is recorded or run.
   */
  private async createInsurance(
    user: AuthUser,
    file: Express.Multer.File,
    chosen?: number,
  ): Promise<{ id: number; status: 'queued'; year: number }> {
    const lastYear = this.clock.year() + 1;
    const inRange = (year: number) => {
      if (year < FIRST_INSURANCE_YEAR || year > lastYear) {
        throw new AppError(ErrorCode.Invalid, `year must be between ${FIRST_INSURANCE_YEAR} and ${lastYear}`, 'year');
      }
      return year;
    };
    const year = inRange(
      reconciliationYear(chosen === undefined ? chosen : inRange(chosen), await rosterYear(file.path)),
    );
    return { ...(await this.dispatcher.accept(file, INSURANCE_COLUMNS, user, { year })), year };
  }

  /** A source's roster template (the caller checks the source: assertSource). */
  writeTemplate(source: ReconciliationSource, format: 'csv' | 'xlsx', out: Writable): Promise<void> {
    return writeReconciliationTemplate(this.db, this.clock.year(), source, format, out);
  }

  /** The reconciliations of one source (403 for a user who does not work with it). */
  async list(user: AuthUser, query: PageQuery, source: ReconciliationSource): Promise<Page<ReconciliationView>> {
    assertSource(user, source);
    const [rows, total] = await this.db.getRepository(Reconciliation).findAndCount({
      where: { source },
      order: { id: 'DESC' },
      skip: query.offset,
      take: query.pageSize,
    });
    const views = await Promise.all(rows.map((r) => this.view(r)));
    return { items: views, total, page: query.page, pageSize: query.pageSize };
  }

  async get(user: AuthUser, id: number, query: ReconciliationQuery): Promise<ReconciliationDetail> {
    const rec = await this.findFor(user, id);
    const where: FindOptionsWhere<Discrepancy> = { reconciliationId: id, ...(query.kind ? { kind: query.kind } : {}) };
    const [rows, total] = await this.db.getRepository(Discrepancy).findAndCount({
      where,
      order: { id: 'ASC' },
      skip: query.offset,
      take: query.pageSize,
    });
    return {
      ...(await this.view(rec)),
      discrepancies: { items: rows.map(toDiscrepancyView), total, page: query.page, pageSize: query.pageSize },
    };
  }

  /** The discrepancies (of one kind, or all) as CSV, IDs masked, with 街道 and 村/社区; 404 before anything is written. */
  async exportCsv(user: AuthUser, id: number, kind?: DiscrepancyKind): Promise<(out: Writable) => Promise<void>> {
    const rec = await this.findFor(user, id);
    const places = await this.places();
    return (out) =>
      pipeline(
        Readable.from(this.discrepancies(id, kind ? [kind] : KINDS_OF_SOURCE[rec.source])),
        async function* (source: AsyncIterable<Discrepancy[]>) {
          for await (const batch of source) {
            for (const d of batch) {
              const place = d.regionCode ? places.get(d.regionCode) : undefined;
              yield [
                DISCREPANCY_LABELS[d.kind],
                d.line,
                maskIdNumber(d.idNumber),
                d.rosterName && maskIdLike(d.rosterName),
                d.registryName,
                d.personId,
                d.regionCode,
                place?.[0],
                place?.[1],
                d.detail,
              ].map(csvCell);
            }
          }
        },
        stringify({
          header: true,
          columns: [
            '类型',
            '行号',
            '身份证号',
            '花名册姓名',
            '登记姓名',
            '人员编号',
            '区划代码',
            '街道',
            '村/社区',
            '说明',
          ],
          bom: true,
        }),
        out,
      );
  }

  /** [街道, 村/社区] by region code (a sub-district's own code: its name and none). */
  private async places(): Promise<Map<string, [string, string | null]>> {
    const regions = await this.db
      .getRepository(Region)
      .find({ select: { code: true, name: true, level: true, parentCode: true } });
    const name = new Map(regions.map((r) => [r.code, r.name]));
    const places = new Map<string, [string, string | null]>();
    for (const r of regions) {
      if (r.level === 'subdistrict') {
        places.set(r.code, [r.name, null]);
      } else if (r.level === 'village' && r.parentCode) {
        places.set(r.code, [name.get(r.parentCode) ?? '', r.name]);
      }
    }
    return places;
  }

  /** Discrepancies of some kinds (and among `ids`, when given), in id order, a thousand at a time. */
  async *discrepancies(
    id: number,
    kinds: readonly DiscrepancyKind[],
    ids?: readonly number[],
  ): AsyncGenerator<Discrepancy[]> {
    if (ids) {
      yield await this.db.getRepository(Discrepancy).find({
        where: { reconciliationId: id, kind: In([...kinds]), id: In([...ids]) },
        order: { id: 'ASC' },
      });
      return;
    }
    let after = 0;
    for (;;) {
      const batch = await this.db.getRepository(Discrepancy).find({
        where: { reconciliationId: id, kind: In([...kinds]), id: MoreThan(after) },
        order: { id: 'ASC' },
        take: PER_READ,
      });
      if (batch.length === 0) {
        return;
      }
      yield batch;
      after = batch[batch.length - 1].id;
    }
  }

  private async view(rec: Reconciliation): Promise<ReconciliationView> {
    const rows = await this.db
      .createQueryBuilder()
      .select('d.kind', 'kind')
      .addSelect('COUNT(*)', 'n')
      .from(Discrepancy, 'd')
      .where('d.reconciliationId = :id', { id: rec.id })
      .groupBy('d.kind')
      .getRawMany<{ kind: DiscrepancyKind; n: string | number }>();
    const counts: Partial<Record<DiscrepancyKind, number>> = Object.fromEntries(
      KINDS_OF_SOURCE[rec.source].map((k) => [k, 0]),
    );
    rows.forEach((r) => (counts[r.kind] = Number(r.n)));
    return {
      id: rec.id,
      source: rec.source,
      year: rec.year,
      status: rec.status,
      fileName: maskIdLike(rec.fileName),
      format: rec.format,
      encoding: rec.encoding,
      rowsTotal: rec.rowsTotal,
      rowsRead: rec.rowsRead,
      rowsSkipped: rec.rowsSkipped,
      // Masked again on the way out, for rows an older version stored.
      skipped: rec.skipped
        ? (JSON.parse(rec.skipped) as SkippedRow[]).map((row) => ({ ...row, reason: maskIdLike(row.reason) }))
        : [],
      error: rec.error && maskIdLike(rec.error),
      counts,
      enrollmentApplied: rec.enrollmentApplied,
      enrollmentAppliedAt: rec.enrollmentAppliedAt,
      registryApplied: rec.registryApplied,
      registryAppliedAt: rec.registryAppliedAt,
      registryApply:
        rec.source === 'poverty'
          ? progressOf(
              await this.db
                .getRepository(RegistryApply)
                .findOne({ where: { reconciliationId: rec.id }, order: { id: 'DESC' } }),
            )
          : null,
      createdAt: rec.createdAt,
      startedAt: rec.startedAt,
      finishedAt: rec.finishedAt,
    };
  }

  /**
   * A reconciliation the user works with: 403 when it is of a source the user does not work with.
   * None is a 404 to a user who works with the route's source (`expected`; the shared routes: the
   * insurance roster, their first), and a 403 to another, who could not have read it anyway.
   */
  async findFor(user: AuthUser, id: number, expected: ReconciliationSource = 'insurance'): Promise<Reconciliation> {
    const rec = await this.db.getRepository(Reconciliation).findOneBy({ id });
    assertSource(user, rec?.source ?? expected);
    if (!rec) {
      throw AppError.notFound(`reconciliation ${id}`);
    }
    return rec;
  }

  /**
   * A reconciliation that has finished (409 while it runs or after it failed), of `source` when
   * given (409 naming `source` otherwise: an insurance roster has no registry to apply, a poverty
   * roster no enrollment).
   */
  async findDone(id: number, user: AuthUser, source?: ReconciliationSource): Promise<Reconciliation> {
    const rec = await this.findFor(user, id, source);
    if (source && rec.source !== source) {
      throw new AppError(
        ErrorCode.InvalidTransition,
        `reconciliation ${id} is of the ${rec.source} roster (${SOURCE_LABELS[rec.source]}); this needs the ${source} roster`,
        'source',
      );
    }
    if (rec.status !== 'done') {
      throw new AppError(
        ErrorCode.InvalidTransition,
        `reconciliation ${id} is ${rec.status}; this needs it to be done`,
        'status',
      );
    }
    return rec;
  }
}
