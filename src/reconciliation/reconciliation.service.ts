import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stringify } from 'csv-stringify';
import { createHmac } from 'node:crypto';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataSource, type FindOptionsWhere, In, MoreThan } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { maskIdNumber } from '../common/id-number.js';
import { maskIdLike } from '../common/mask-id-like.js';
import type { Page, PageQuery } from '../common/pagination.js';
import { AppConfig } from '../config/app-config.js';
import { inTransaction } from '../database/transaction.js';
import { csvCell } from '../uploads/csv-cell.js';
import { Campaign } from '../ledger/campaign.entity.js';
import { insuranceGapKey, legacyInsuranceGapKeys } from '../ledger/gap-keys.js';
import { ItemsService, type NewItem } from '../ledger/items.service.js';
import { ledgerActorOf } from '../ledger/ledger.service.js';
import { Region } from '../regions/region.entity.js';
import { DISCREPANCY_KINDS, DISCREPANCY_LABELS, Discrepancy, type DiscrepancyKind } from './discrepancy.entity.js';
import type { CreateItemsDto, ReconciliationQuery } from './dto/reconciliation.dto.js';
import { INSURANCE_COLUMNS, type InsuranceField } from './insurance-rows.js';
import {
  EXAMPLE_ID_NUMBER,
  regionsForTemplate,
  type TemplateColumn,
  writeRosterTemplate,
} from '../uploads/roster-template.js';
import { ReconciliationDispatcher } from './reconciliation.dispatcher.js';
import { ReconciliationRunner } from './reconciliation-runner.service.js';
import { Reconciliation, type SkippedRow } from './reconciliation.entity.js';
import { reconciliationYear, rosterYear } from './roster-year.js';
import { FIRST_INSURANCE_YEAR } from '../common/programme-years.js';

const PER_READ = 1000;

export interface ReconciliationView {
  id: number;
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
  /** Discrepancies per kind (every kind present, 0 when none). */
  counts: Record<DiscrepancyKind, number>;
  enrollmentApplied: number | null;
  enrollmentAppliedAt: Date | null;
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

/** The reconciliation routes: accept a roster, report the discrepancies, turn them into items, apply enrollment. */
@Injectable()
export class ReconciliationService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly dispatcher: ReconciliationDispatcher,
    private readonly items: ItemsService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly runner: ReconciliationRunner,
  ) {}

  /** Stops a reconciliation that is queued, running or failed (it is never resumed); 409 once done. */
  cancel(id: number): Promise<{ id: number; status: 'cancelled' }> {
    return this.runner.cancel(id);
  }

  /**
   * Accepts a roster for a year: the one chosen, or the year most of its rows carry. A roster whose
   * rows carry another year than the one chosen is refused (400 naming `year` and both years) before
   * anything is recorded or run.
   */
  async create(
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

  /** The insurance roster template: CSV headers, or XLSX with 是/否 lists, an example row and the region codes. */
  async writeTemplate(format: 'csv' | 'xlsx', out: Writable): Promise<void> {
    const headers = INSURANCE_COLUMNS.map((c) => c.header);
    if (format === 'csv') {
      await pipeline(Readable.from([headers]), stringify({ bom: true }), out);
      return;
    }
    const yesNo = ['是', '否'];
    const columns: Record<InsuranceField, Omit<TemplateColumn, 'header'>> = {
      idNumber: { width: 22, text: true, example: EXAMPLE_ID_NUMBER },
      name: { width: 12, example: '张三' },
      year: { width: 10, example: this.clock.year() },
      enrolled: { width: 10, choices: yesNo, example: '是' },
      subsidized: { width: 14, choices: yesNo, example: '是' },
    };
    await writeRosterTemplate(
      out,
      '医保参保花名册',
      INSURANCE_COLUMNS.map((c) => ({ header: c.header, ...columns[c.key] })),
      regionsForTemplate(await this.db.getRepository(Region).find()),
    );
  }

  async list(query: PageQuery): Promise<Page<ReconciliationView>> {
    const [rows, total] = await this.db.getRepository(Reconciliation).findAndCount({
      order: { id: 'DESC' },
      skip: query.offset,
      take: query.pageSize,
    });
    const views = await Promise.all(rows.map((r) => this.view(r)));
    return { items: views, total, page: query.page, pageSize: query.pageSize };
  }

  async get(id: number, query: ReconciliationQuery): Promise<ReconciliationDetail> {
    const rec = await this.find(id);
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

  /** The discrepancies (of one kind, or all) as CSV, IDs masked; 404 before anything is written. */
  async exportCsv(id: number, kind?: DiscrepancyKind): Promise<(out: Writable) => Promise<void>> {
    await this.find(id);
    return (out) =>
      pipeline(
        Readable.from(this.discrepancies(id, kind ? [kind] : [...DISCREPANCY_KINDS])),
        async function* (source: AsyncIterable<Discrepancy[]>) {
          for await (const batch of source) {
            for (const d of batch) {
              yield [
                DISCREPANCY_LABELS[d.kind],
                d.line,
                maskIdNumber(d.idNumber),
                d.rosterName && maskIdLike(d.rosterName),
                d.registryName,
                d.personId,
                d.regionCode,
                d.detail,
              ].map(csvCell);
            }
          }
        },
        stringify({
          header: true,
          columns: ['类型', '行号', '身份证号', '花名册姓名', '登记姓名', '人员编号', '区划代码', '说明'],
          bom: true,
        }),
        out,
      );
  }

  /**
   * Files the discrepancies of the chosen kinds as remediation items (source `reconciliation`,
   * category and department `insurance`), idempotently: at most one open item per kind, year and
   * person (or unregistered ID number). A registered person's item goes to their household's
   * sub-district; one without a registered person to `regionCode`, or is skipped without it.
   */
  async createItems(user: AuthUser, id: number, dto: CreateItemsDto): Promise<{ created: number; skipped: number }> {
    const rec = await this.findDone(id);
    if (!(await this.db.getRepository(Campaign).existsBy({ id: dto.campaignId }))) {
      throw new AppError(ErrorCode.Invalid, `campaign ${dto.campaignId} does not exist`, 'campaignId');
    }
    if (
      dto.regionCode &&
      !(await this.db.getRepository(Region).existsBy({ code: dto.regionCode, level: 'subdistrict' }))
    ) {
      throw new AppError(ErrorCode.Invalid, `regionCode ${dto.regionCode} is not a known sub-district`, 'regionCode');
    }
    const actor = ledgerActorOf(user);
    let created = 0;
    let skipped = 0;
    for await (const batch of this.discrepancies(id, dto.kinds)) {
      const items: NewItem[] = [];
      for (const d of batch) {
        const regionCode = d.regionCode ?? dto.regionCode;
        if (!regionCode) {
          skipped++;
          continue;
        }
        items.push(this.itemOf(rec, d, dto.campaignId, regionCode));
      }
      if (items.length > 0) {
        created += await inTransaction(this.db, (em) => this.items.createMany(em, items, actor));
      }
    }
    return { created, skipped };
  }

  /** A discrepancy as an item: the title names the gap and the year, never the person (the subject, linked separately). */
  private itemOf(rec: Reconciliation, d: Discrepancy, campaignId: number, regionCode: string): NewItem {
    const label = DISCREPANCY_LABELS[d.kind];
    const subject = d.personId ? `person:${d.personId}` : `id:${this.digest(d.idNumber)}`;
    const where = d.line === null ? '花名册中无此人' : `花名册第${d.line}行`;
    const description = `${d.detail ?? label}。身份证号 ${maskIdNumber(d.idNumber)}，${where}，数据比对 #${rec.id}。`;
    // A registered person without enrollment is the gap the check not_insured finds too: one key for both.
    const keys =
      d.kind === 'registered_not_insured' && d.personId
        ? {
            dedupeKey: insuranceGapKey(d.personId, rec.year),
            aliasKeys: legacyInsuranceGapKeys(d.personId, rec.year),
          }
        : { dedupeKey: `reconciliation:${d.kind}:${rec.year}:${subject}` };
    return {
      campaignId,
      category: 'insurance',
      title: `数据比对：${label}（${rec.year}年度）`,
      description,
      subjectType: d.personId ? 'person' : null,
      subjectId: d.personId,
      regionCode,
      responsibleDept: 'insurance',
      source: 'reconciliation',
      finder: `reconciliation:${rec.id}`,
      finderNote: `数据比对 #${rec.id}（${rec.year}年度）也发现此问题：${description}`,
      ...keys,
    };
  }

  /** An unregistered ID number in a dedupe key: keyed (items show their key), so it cannot be read back. */
  private digest(idNumber: string): string {
    return createHmac('sha256', this.config.JWT_SECRET).update(idNumber).digest('hex').slice(0, 32);
  }

  /** Discrepancies of some kinds, in id order, a thousand at a time. */
  private async *discrepancies(id: number, kinds: readonly DiscrepancyKind[]): AsyncGenerator<Discrepancy[]> {
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
    const counts = Object.fromEntries(DISCREPANCY_KINDS.map((k) => [k, 0])) as Record<DiscrepancyKind, number>;
    rows.forEach((r) => (counts[r.kind] = Number(r.n)));
    return {
      id: rec.id,
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
      createdAt: rec.createdAt,
      startedAt: rec.startedAt,
      finishedAt: rec.finishedAt,
    };
  }

  private async find(id: number): Promise<Reconciliation> {
    const rec = await this.db.getRepository(Reconciliation).findOneBy({ id });
    if (!rec) {
      throw AppError.notFound(`reconciliation ${id}`);
    }
    return rec;
  }

  /** A reconciliation that has finished (409 while it runs or after it failed). */
  async findDone(id: number): Promise<Reconciliation> {
    const rec = await this.find(id);
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
