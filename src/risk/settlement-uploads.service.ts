import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { AppError } from '../common/app-error.js';
import { maskIdLike } from '../common/mask-id-like.js';
import type { Page, PageQuery } from '../common/pagination.js';
import { SettlementImportService } from './settlement-import.service.js';
import { SETTLEMENT_COLUMNS } from './settlement-rows.js';
import { SettlementUploadDispatcher } from './settlement-upload.dispatcher.js';
import { type SettlementRowError, SettlementUpload } from './settlement-upload.entity.js';

export interface SettlementUploadView {
  id: number;
  year: number;
  status: SettlementUpload['status'];
  fileName: string;
  rowsTotal: number | null;
  rowsRead: number;
  inserted: number;
  duplicates: number;
  rejected: number;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface SettlementUploadDetail extends SettlementUploadView {
  /** The listed row errors (the first MAX_LISTED_ERRORS), by line, in Chinese; ID numbers masked. */
  errors: (SettlementRowError & { column: string })[];
}

/** A row error's column as the file's header names it (身份证号, not idNumber). */
const HEADERS = new Map<string, string>(SETTLEMENT_COLUMNS.map((c) => [c.key, c.header]));

export function toUploadView(u: SettlementUpload): SettlementUploadView {
  return {
    id: u.id,
    year: u.year,
    status: u.status,
    fileName: maskIdLike(u.fileName),
    rowsTotal: u.rowsTotal,
    rowsRead: u.rowsRead,
    inserted: u.inserted,
    duplicates: u.duplicates,
    rejected: u.rejected,
    error: u.error && maskIdLike(u.error),
    createdAt: u.createdAt,
    finishedAt: u.finishedAt,
  };
}

/** 医保结算数据上传 (SPEC §6.6): accept a file, report its progress and rejected rows. */
@Injectable()
export class SettlementUploadsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly dispatcher: SettlementUploadDispatcher,
    private readonly runner: SettlementImportService,
  ) {}

  /** Checks the file's format, encoding and header now (400 naming `file`), then queues the upload. */
  create(user: AuthUser, file: Express.Multer.File, year: number): Promise<{ id: number; status: 'queued' }> {
    return this.dispatcher.accept(file, SETTLEMENT_COLUMNS, user, { year });
  }

  async list(query: PageQuery): Promise<Page<SettlementUploadView>> {
    const [rows, total] = await this.db.getRepository(SettlementUpload).findAndCount({
      order: { id: 'DESC' },
      skip: query.offset,
      take: query.pageSize,
    });
    return { items: rows.map(toUploadView), total, page: query.page, pageSize: query.pageSize };
  }

  async get(id: number): Promise<SettlementUploadDetail> {
    const upload = await this.db.getRepository(SettlementUpload).findOneBy({ id });
    if (!upload) {
      throw AppError.notFound(`settlement upload ${id}`);
    }
    const errors = upload.rowErrors ? (JSON.parse(upload.rowErrors) as SettlementRowError[]) : [];
    return {
      ...toUploadView(upload),
      errors: errors.map((e) => ({ ...e, column: HEADERS.get(e.field) ?? e.field, reason: maskIdLike(e.reason) })),
    };
  }

  cancel(id: number): Promise<{ id: number; status: 'cancelled' }> {
    return this.runner.cancel(id);
  }
}
