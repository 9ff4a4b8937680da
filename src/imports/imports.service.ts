import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stringify } from 'csv-stringify';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataSource, MoreThan } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { maskIdLike } from '../common/mask-id-like.js';
import type { Page, PageQuery } from '../common/pagination.js';
import { inTransaction } from '../database/transaction.js';
import { Region } from '../regions/region.entity.js';
import { HOUSEHOLD_COLUMNS, type HouseholdField } from './household-rows.js';
import { ImportJob } from './import-job.entity.js';
import { ImportRowError } from './import-row-error.entity.js';
import { ImportsDispatcher } from './imports.dispatcher.js';
import { csvCell } from '../uploads/csv-cell.js';
import { MAX_LISTED_ERRORS } from './household-import-writer.js';
import { HouseholdImportService } from './household-import.service.js';
import { HOUSEHOLD_STATUS_LABELS, POVERTY_CAUSE_LABELS, RELATION_LABELS } from '../households/household-labels.js';
import {
  EXAMPLE_ID_NUMBER,
  regionsForTemplate,
  type TemplateColumn,
  writeRosterTemplate,
} from '../uploads/roster-template.js';

export interface ImportView {
  id: number;
  kind: string;
  status: ImportJob['status'];
  fileName: string;
  format: ImportJob['format'];
  encoding: ImportJob['encoding'];
  rowsTotal: number | null;
  rowsRead: number;
  /** rowsRead / rowsTotal, 0 until the file has been read through once. */
  progress: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** Row errors counted but not listed (an import lists its first MAX_LISTED_ERRORS). */
  errorsOmitted: number;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface RowErrorView {
  line: number;
  field: string;
  reason: string;
  /** Masked. */
  idNumber: string | null;
  registryNo: string | null;
}

export interface ImportDetail extends ImportView {
  /** The rejected rows' problems, by line. */
  errors: Page<RowErrorView>;
}

export function toImportView(job: ImportJob): ImportView {
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    fileName: maskIdLike(job.fileName),
    format: job.format,
    encoding: job.encoding,
    rowsTotal: job.rowsTotal,
    rowsRead: job.rowsRead,
    progress: job.rowsTotal ? Math.round((job.rowsRead / job.rowsTotal) * 1000) / 1000 : 0,
    inserted: job.inserted,
    updated: job.updated,
    unchanged: job.unchanged,
    rejected: job.rejected,
    errorsOmitted: job.errorsOmitted,
    error: job.error && maskIdLike(job.error),
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
  };
}

/** A row error as it is shown; masked again on the way out, for rows an older version stored. */
const toErrorView = (e: ImportRowError): RowErrorView => ({
  line: e.line,
  field: e.field,
  reason: maskIdLike(e.reason),
  idNumber: e.idNumber,
  registryNo: e.registryNo && maskIdLike(e.registryNo),
});

const ERRORS_PER_READ = 1000;

/** Said where the listed row errors end and more were counted. */
export const omittedNote = (n: number): string => `另有 ${n} 条错误未列出（每次导入最多列出 ${MAX_LISTED_ERRORS} 条）`;

/** A row error's field as the roster's header names it (身份证号, not idNumber). */
const FIELD_HEADERS = new Map<string, string>(HOUSEHOLD_COLUMNS.map((c) => [c.key, c.header]));

/** The import routes: accept an upload, report progress and rejected rows, hand out the template. */
@Injectable()
export class ImportsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly dispatcher: ImportsDispatcher,
    private readonly runner: HouseholdImportService,
  ) {}

  /** Checks the file's format, encoding and header now (400 naming `file`), then queues the import. */
  create(user: AuthUser, file: Express.Multer.File): Promise<{ id: number; status: 'queued' }> {
    return this.dispatcher.accept(file, HOUSEHOLD_COLUMNS, user, { kind: 'households' });
  }

  async list(query: PageQuery): Promise<Page<ImportView>> {
    const [rows, total] = await this.db.getRepository(ImportJob).findAndCount({
      order: { id: 'DESC' },
      skip: query.offset,
      take: query.pageSize,
    });
    return { items: rows.map(toImportView), total, page: query.page, pageSize: query.pageSize };
  }

  async get(id: number, query: PageQuery): Promise<ImportDetail> {
    const job = await this.find(id);
    const [errors, total] = await this.db.getRepository(ImportRowError).findAndCount({
      where: { importId: id },
      order: { line: 'ASC', id: 'ASC' },
      skip: query.offset,
      take: query.pageSize,
    });
    return {
      ...toImportView(job),
      errors: { items: errors.map(toErrorView), total, page: query.page, pageSize: query.pageSize },
    };
  }

  /** Runs a failed or unfinished import again: it continues after its last committed batch. */
  async resume(id: number): Promise<{ id: number; status: ImportJob['status'] }> {
    const job = await this.find(id);
    if (job.status === 'done' || job.status === 'cancelled') {
      throw new AppError(
        ErrorCode.InvalidTransition,
        `导入 #${id} ${job.status === 'done' ? '已完成' : '已取消'}，无需继续`,
        'status',
      );
    }
    if (job.status === 'failed') {
      await inTransaction(this.db, (em) =>
        em.update(ImportJob, { id, status: 'failed' }, { status: 'queued', error: null, finishedAt: null }),
      );
    }
    await this.dispatcher.dispatch(id);
    return { id, status: job.status === 'failed' ? 'queued' : job.status };
  }

  /** Stops an import that is queued, running or failed (it is never resumed); 409 once done. */
  cancel(id: number): Promise<{ id: number; status: 'cancelled' }> {
    return this.runner.cancel(id);
  }

  /** The rejected rows as CSV (UTF-8 with BOM for Excel), read in batches; 404 before anything is written. */
  async errorsExport(id: number): Promise<(out: Writable) => Promise<void>> {
    const job = await this.find(id);
    return (out) => this.writeErrors(job, out);
  }

  private async writeErrors({ id, errorsOmitted }: ImportJob, out: Writable): Promise<void> {
    const repo = this.db.getRepository(ImportRowError);
    async function* rows(): AsyncGenerator<(string | number)[]> {
      let after = 0;
      for (;;) {
        const batch = await repo.find({
          where: { importId: id, id: MoreThan(after) },
          order: { id: 'ASC' },
          take: ERRORS_PER_READ,
        });
        if (batch.length === 0) {
          if (errorsOmitted > 0) {
            yield ['', '', omittedNote(errorsOmitted), '', ''];
          }
          return;
        }
        for (const e of batch.map(toErrorView)) {
          yield [e.line, FIELD_HEADERS.get(e.field) ?? e.field, e.reason, e.idNumber, e.registryNo].map(csvCell);
        }
        after = batch[batch.length - 1].id;
      }
    }
    await pipeline(
      Readable.from(rows()),
      stringify({ header: true, columns: ['行号', '字段', '原因', '身份证号', '户编号'], bom: true }),
      out,
    );
  }

  /**
   * The roster template: CSV with the Chinese headers; XLSX with text columns (Excel keeps every
   * digit), drop-down lists of the enumerations and region codes, an example row, the region codes.
   */
  async writeTemplate(format: 'csv' | 'xlsx', out: Writable): Promise<void> {
    const headers = HOUSEHOLD_COLUMNS.map((c) => c.header);
    if (format === 'csv') {
      await pipeline(Readable.from([headers]), stringify({ bom: true }), out);
      return;
    }
    const regions = regionsForTemplate(await this.db.getRepository(Region).find());
    const village = regions.find((r) => r.level === 'village') ?? regions[0];
    const columns: Record<HouseholdField, Omit<TemplateColumn, 'header'>> = {
      registryNo: { width: 20, text: true, example: `${village?.code ?? '610199001001'}0001` },
      regionCode: { width: 16, text: true, regionCodes: true, example: village?.code ?? '610199001001' },
      povertyCause: { width: 12, choices: Object.values(POVERTY_CAUSE_LABELS), example: POVERTY_CAUSE_LABELS.illness },
      householdStatus: {
        width: 12,
        choices: Object.values(HOUSEHOLD_STATUS_LABELS),
        example: HOUSEHOLD_STATUS_LABELS.lifted,
      },
      registeredYear: { width: 10, example: 2016 },
      idNumber: { width: 22, text: true, example: EXAMPLE_ID_NUMBER },
      name: { width: 12, example: '张三' },
      relation: { width: 12, choices: Object.values(RELATION_LABELS), example: RELATION_LABELS.head },
    };
    await writeRosterTemplate(
      out,
      '贫困户花名册',
      HOUSEHOLD_COLUMNS.map((c) => ({ header: c.header, ...columns[c.key] })),
      regions,
    );
  }

  private async find(id: number): Promise<ImportJob> {
    const job = await this.db.getRepository(ImportJob).findOneBy({ id });
    if (!job) {
      throw AppError.notFound(`import ${id}`);
    }
    return job;
  }
}
