import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stringify } from 'csv-stringify';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { AppError, ErrorCode, type RowRefusal } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { PersonFinder } from '../households/person-finder.service.js';
import { type Finding, ItemBatchFiling } from '../ledger/item-batch.service.js';
import { CATEGORY_LABELS, DEPARTMENT_LABELS } from '../ledger/item-labels.js';
import { Region } from '../regions/region.entity.js';
import type { RosterRow } from '../uploads/roster-file.js';
import { NO_ROWS, openRoster } from '../uploads/roster-reader.js';
import { EXAMPLE_ID_NUMBER, regionsForTemplate, writeRosterTemplate } from '../uploads/roster-template.js';
import { removeUpload } from '../uploads/upload.interceptor.js';
import { FINDING_COLUMNS, type FindingField, MAX_FINDINGS, readFinding, rowIdNumber } from './finding-rows.js';

/** What a filed batch answers. */
export interface FindingsFiled {
  count: number;
  itemIds: number[];
}

/**
 * 批量登记 of a supervision group's findings (SPEC §6.1): the file (CSV or XLSX, read with the
 * rosters' reader) is read whole in the request — a few thousand rows at most — every row checked,
 * and either all of it is filed in one transaction, or nothing, with every refused row named.
 */
@Injectable()
export class FindingsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly persons: PersonFinder,
    private readonly filing: ItemBatchFiling,
  ) {}

  /** Files the findings of the uploaded file under the campaign; the upload is removed either way. */
  async file(user: AuthUser, campaignId: number, file: Express.Multer.File): Promise<FindingsFiled> {
    try {
      const rows = await this.readRows(file.path);
      const findings = await this.check(campaignId, rows);
      const itemIds = await this.filing.file(user, campaignId, findings);
      return { count: itemIds.length, itemIds };
    } finally {
      await removeUpload(file.path);
    }
  }

  /** The template: the columns, with drop-down lists, and an example row on the sheet 填写示例. */
  async writeTemplate(format: 'csv' | 'xlsx', out: Writable): Promise<void> {
    const headers = FINDING_COLUMNS.map((c) => c.header);
    if (format === 'csv') {
      await pipeline(Readable.from([headers]), stringify({ bom: true }), out);
      return;
    }
    const regions = regionsForTemplate(await this.db.getRepository(Region).find());
    const subdistricts = regions.filter((r) => r.level === 'subdistrict').map((r) => r.name);
    const example: Record<FindingField, string> = {
      regionCode: subdistricts[0] ?? '城关街道',
      category: CATEGORY_LABELS.contract,
      title: '高血压患者未签约家庭医生',
      description: '督导组入户核实：患者 2019 年确诊高血压，至今未签约。',
      responsibleDept: DEPARTMENT_LABELS.health,
      deadline: `${this.clock.year()}-05-31`,
      idNumber: EXAMPLE_ID_NUMBER,
    };
    const widths: Record<FindingField, number> = {
      regionCode: 14,
      category: 12,
      title: 30,
      description: 40,
      responsibleDept: 10,
      deadline: 12,
      idNumber: 22,
    };
    const choices: Partial<Record<FindingField, readonly string[]>> = {
      regionCode: subdistricts,
      category: Object.values(CATEGORY_LABELS),
      responsibleDept: Object.values(DEPARTMENT_LABELS),
    };
    await writeRosterTemplate(
      out,
      '督导发现问题',
      FINDING_COLUMNS.map((c) => ({
        header: c.header,
        width: widths[c.key],
        text: c.key === 'idNumber' || c.key === 'deadline',
        choices: choices[c.key],
        example: example[c.key],
      })),
      regions,
    );
  }

  private async readRows(path: string): Promise<RosterRow<FindingField>[]> {
    const roster = await openRoster(path, FINDING_COLUMNS);
    const rows: RosterRow<FindingField>[] = [];
    try {
      for await (const batch of roster.batches()) {
        rows.push(...batch);
        if (rows.length > MAX_FINDINGS) {
          throw new AppError(ErrorCode.Invalid, `文件超过 ${MAX_FINDINGS} 行：请分成几个文件登记`, 'file');
        }
      }
    } finally {
      await roster.close();
    }
    if (rows.length === 0) {
      throw new AppError(ErrorCode.Invalid, NO_ROWS, 'file');
    }
    return rows;
  }

  /** Every row checked against the sub-districts and the persons it names (one look-up for all); any refusal refuses the file. */
  private async check(campaignId: number, rows: RosterRow<FindingField>[]): Promise<Finding[]> {
    const regions = await this.db.getRepository(Region).find({ where: { level: 'subdistrict' } });
    const subdistricts = new Map(regions.flatMap((r) => [[r.code, r.code] as const, [r.name, r.code] as const]));
    const persons = await this.persons.byIdNumbers(rows.map(rowIdNumber).filter((id): id is string => id !== null));
    const ctx = { subdistricts, persons, today: this.clock.today(), campaignId };
    const findings: Finding[] = [];
    const refusals: RowRefusal[] = [];
    for (const row of rows) {
      const read = readFinding(row, ctx);
      if (read.finding) {
        findings.push(read.finding);
      } else {
        refusals.push(...read.refusals);
      }
    }
    if (refusals.length > 0) {
      const lines = [...new Set(refusals.map((r) => r.line))];
      throw AppError.rowsRefused(
        `${lines.length} 行有误（第 ${lines.join('、')} 行），整个文件未登记：请改正后重新上传`,
        'file',
        refusals,
      );
    }
    return findings;
  }
}
