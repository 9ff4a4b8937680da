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
import { isInScope } from '../auth/region-scope.js';
import { Clock } from '../common/clock.js';
import { daysLeftText } from '../common/dates.js';
import { maskPhone } from './assignee-phone.js';
import { AppConfig } from '../config/app-config.js';
import { Household } from '../households/household.entity.js';
import { Person } from '../households/person.entity.js';
import { Region } from '../regions/region.entity.js';
import type { ItemFilters } from './dto/list-items.dto.js';
import { CATEGORY_LABELS, DEPARTMENT_LABELS, ESCALATION_LABELS, SOURCE_LABELS, STATUS_LABELS } from './item-labels.js';
import { ItemQueries } from './item-queries.service.js';
import { ItemTexts } from './item-texts.js';
import { type ItemView, ItemViews } from './item-views.js';
import { Item } from './item.entity.js';

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
  ['村(社区)', 14],
  ['责任部门', 10],
  ['责任人', 10],
  ['责任人电话(脱敏)', 16],
  ['对象', 14],
  ['身份证号(脱敏)', 20],
  ['截止日期', 12],
  ['期限情况', 14],
  ['状态', 8],
  ['预警级别', 8],
  ['最新整改进展', 40],
  ['整改情况', 40],
  ['佐证材料(份)', 10],
  ['销号时间', 18],
  ['逾期销号', 8],
];

/** What a batch's second query adds to each item: its village, latest progress note and evidence count. */
interface ItemExtras {
  /** The village (村/社区) where the subject's household is registered, while it lies in the caller's scope. */
  village: string | null;
  /** The note of the latest `progress` ledger entry (整改进展), as stored. */
  progressNote: string | null;
  /** 佐证材料: attachments of the item. */
  evidence: number;
}

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
    private readonly texts: ItemTexts,
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

  /** One array of cells per item, batch by batch: two queries a batch, and the redactor's look-up of subjects. */
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
      const ids = batch.map((i) => i.id);
      const [views, extras, text] = await Promise.all([
        this.views.describe(this.db.manager, user, batch),
        this.extras(user, ids),
        this.texts.textsFor(user, ids),
      ]);
      for (const [k, view] of views.entries()) {
        const item = batch[k];
        const extra = extras.get(item.id) ?? { village: null, progressNote: null, evidence: 0 };
        yield this.cells(++n, view, {
          village: extra.village ?? '',
          assigneeName: item.assigneeName ? text(item.id, item.assigneeName) : '',
          assigneePhone: item.assigneePhone ? maskPhone(item.assigneePhone) : '',
          progressNote: extra.progressNote ? text(item.id, extra.progressNote) : '',
          evidence: extra.evidence,
        });
      }
      after = batch[batch.length - 1].id;
    }
  }

  /**
   * The batch's villages, latest progress notes and evidence counts in one query: the subject's
   * household (a person's or the household itself) gives the village; the latest `progress` entry
   * and the attachments are read by correlated subqueries on their (itemId, …) indexes.
   */
  private async extras(user: AuthUser, ids: number[]): Promise<Map<number, ItemExtras>> {
    const rows = await this.db
      .createQueryBuilder()
      .from(Item, 'i')
      .leftJoin(Person, 'p', "i.subjectType = 'person' AND p.id = i.subjectId")
      .leftJoin(Household, 'hp', 'hp.id = p.householdId')
      .leftJoin(Household, 'hh', "i.subjectType = 'household' AND hh.id = i.subjectId")
      .leftJoin(Region, 'v', "v.code = COALESCE(hp.regionCode, hh.regionCode) AND v.level = 'village'")
      .select('i.id', 'id')
      .addSelect('v.code', 'villageCode')
      .addSelect('v.name', 'villageName')
      .addSelect(
        "(SELECT e.note FROM ledger_entries e WHERE e.itemId = i.id AND e.type = 'progress' ORDER BY e.seq DESC LIMIT 1)",
        'progressNote',
      )
      .addSelect('(SELECT COUNT(*) FROM attachments a WHERE a.itemId = i.id)', 'evidence')
      .where('i.id IN (:...ids)', { ids })
      .getRawMany<{
        id: number | string;
        villageCode: string | null;
        villageName: string | null;
        progressNote: string | null;
        evidence: number | string;
      }>();
    return new Map(
      rows.map((r) => [
        Number(r.id),
        {
          // Like the subject's name: a resident who moved to another sub-district is not placed for an officer.
          village: r.villageCode && isInScope(user, r.villageCode) ? r.villageName : null,
          progressNote: r.progressNote,
          evidence: Number(r.evidence),
        },
      ]),
    );
  }

  private cells(
    n: number,
    item: ItemView,
    extra: Record<'village' | 'assigneeName' | 'assigneePhone' | 'progressNote', string> & { evidence: number },
  ): (string | number)[] {
    return [
      n,
      item.id,
      item.campaignName ?? '',
      CATEGORY_LABELS[item.category],
      item.title,
      item.description ?? '',
      SOURCE_LABELS[item.source],
      item.regionName ?? item.regionCode,
      extra.village,
      DEPARTMENT_LABELS[item.responsibleDept],
      extra.assigneeName,
      extra.assigneePhone,
      item.subjectName ?? '',
      item.subjectIdNumber ?? '',
      item.deadline,
      item.daysLeft === null ? '' : daysLeftText(item.daysLeft),
      STATUS_LABELS[item.status],
      ESCALATION_LABELS[item.currentLevel] ?? '',
      extra.progressNote,
      item.resolution ?? '',
      extra.evidence,
      item.closedAt ? dayjs(item.closedAt).tz(this.config.APP_TIMEZONE).format('YYYY-MM-DD HH:mm') : '',
      item.closedLate ? '是' : '',
    ];
  }
}
