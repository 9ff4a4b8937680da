import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stringify } from 'csv-stringify';
import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';
import ExcelJS from 'exceljs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { Clock } from '../common/clock.js';
import { daysLeftText } from '../common/dates.js';
import { AppConfig } from '../config/app-config.js';
import type { ItemFilters } from './dto/list-items.dto.js';
import { CATEGORY_LABELS, DEPARTMENT_LABELS, ESCALATION_LABELS, SOURCE_LABELS, STATUS_LABELS } from './item-labels.js';
import { ItemQueries } from './item-queries.service.js';
import { type ItemView, ItemViews } from './item-views.js';

dayjs.extend(utc);
dayjs.extend(timezone);

export type ExportFormat = 'csv' | 'xlsx';

/** The 台账 columns: header and width (characters, for XLSX). */
const COLUMNS: [header: string, width: number][] = [
  ['序号', 6],
  ['问题编号', 10],
  ['整改专项', 24],
  ['类别', 10],
  ['问题', 36],
  ['问题描述', 40],
  ['问题来源', 10],
  ['责任街道', 12],
  ['责任部门', 10],
  ['对象', 14],
  ['身份证号(脱敏)', 20],
  ['截止日期', 12],
  ['期限情况', 14],
  ['状态', 8],
  ['预警级别', 8],
  ['整改情况', 40],
  ['销号时间', 18],
  ['逾期销号', 8],
];

/** A cell Excel would run as a formula (=, +, -, @ first) is kept as text with a leading apostrophe. */
const FORMULA_START = /^[=+\-@\t\r]/;
const asCsvCell = (cell: string | number): string | number =>
  typeof cell === 'string' && FORMULA_START.test(cell) ? `'${cell}` : cell;

/** Resolves when a backed-up response can take more, or is gone. */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

/** Items read from the database per batch: the export never holds more than this many rows. */
const BATCH = 1000;

/**
 * The 台账 export: the list's filters and scoping, read in keyset batches (by id) and streamed as
 * CSV (UTF-8 with BOM, so that Excel reads the Chinese) or XLSX (exceljs' streaming writer).
 */
@Injectable()
export class ItemExportService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly queries: ItemQueries,
    private readonly views: ItemViews,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  fileName(format: ExportFormat): string {
    return `整改台账-${this.clock.today().replaceAll('-', '')}.${format}`;
  }

  async write(user: AuthUser, filters: ItemFilters, format: ExportFormat, out: Writable): Promise<void> {
    const rows = this.rows(user, filters);
    if (format === 'csv') {
      await pipeline(
        Readable.from(rows),
        async function* (source: AsyncIterable<(string | number)[]>) {
          for await (const row of source) {
            yield row.map(asCsvCell);
          }
        },
        stringify({ header: true, columns: COLUMNS.map(([header]) => header), bom: true }),
        out,
      );
      return;
    }
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
    const sheet = workbook.addWorksheet('整改台账', { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = COLUMNS.map(([header, width]) => ({ header, width }));
    for await (const row of rows) {
      if (out.destroyed) {
        return; // the client went away: stop reading
      }
      sheet.addRow(row).commit();
      if (out.writableNeedDrain) {
        await drained(out);
      }
    }
    sheet.commit();
    await workbook.commit();
  }

  /** One array of cells per item, batch by batch. */
  private async *rows(user: AuthUser, filters: ItemFilters): AsyncGenerator<(string | number)[]> {
    let after = 0;
    let n = 0;
    for (;;) {
      const batch = await (
        await this.queries.filtered(this.db.manager, user, filters)
      )
        .andWhere('i.id > :after', { after })
        .orderBy('i.id', 'ASC')
        .limit(BATCH)
        .getMany();
      if (batch.length === 0) {
        return;
      }
      for (const view of await this.views.describe(this.db.manager, user, batch)) {
        yield this.cells(++n, view);
      }
      after = batch[batch.length - 1].id;
    }
  }

  private cells(n: number, item: ItemView): (string | number)[] {
    return [
      n,
      item.id,
      item.campaignName ?? '',
      CATEGORY_LABELS[item.category],
      item.title,
      item.description ?? '',
      SOURCE_LABELS[item.source],
      item.regionName ?? item.regionCode,
      DEPARTMENT_LABELS[item.responsibleDept],
      item.subjectName ?? '',
      item.subjectIdNumber ?? '',
      item.deadline,
      item.daysLeft === null ? '' : daysLeftText(item.daysLeft),
      STATUS_LABELS[item.status],
      ESCALATION_LABELS[item.currentLevel] ?? '',
      item.resolution ?? '',
      item.closedAt ? dayjs(item.closedAt).tz(this.config.APP_TIMEZONE).format('YYYY-MM-DD HH:mm') : '',
      item.closedLate ? '是' : '',
    ];
  }
}
