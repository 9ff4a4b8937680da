import ExcelJS from 'exceljs';
import type { Writable } from 'node:stream';
import { daysLeftText } from '../common/dates.js';
import { WORKLIST_DEFINITIONS, type WorklistKind } from './worklist-kinds.js';
import type { WorklistRow } from './worklists.service.js';

/** The file a list downloads as: 随访逾期-20200520.xlsx. */
export function worklistFileName(kind: WorklistKind, asOf: string): string {
  return `${WORKLIST_DEFINITIONS[kind].name}-${asOf.replaceAll('-', '')}.xlsx`;
}

/** The export's header row (Chinese) for a list: the date and the line are named per list. */
export function worklistHeaders(kind: WorklistKind): string[] {
  const { dueLabel, detailLabel } = WORKLIST_DEFINITIONS[kind];
  return ['序号', '姓名', '身份证号(脱敏)', '户编号', '村(社区)', '街道', dueLabel, '期限情况', detailLabel];
}

/** A row's cells, as the header names them (ID masked; the person and household blank for an item without them). */
export function worklistCells(row: WorklistRow, n: number): (string | number)[] {
  return [
    n,
    row.person?.name ?? '',
    row.person?.idNumber ?? '',
    row.household?.registryNo ?? '',
    row.village?.name ?? '',
    row.street.name ?? '',
    row.dueOn,
    daysLeftText(-row.daysLate),
    row.detail,
  ];
}

/** Every row of a list as one worksheet, streamed to `out` (exceljs' streaming writer). */
export async function writeWorklist(kind: WorklistKind, rows: WorklistRow[], out: Writable): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  const sheet = workbook.addWorksheet(WORKLIST_DEFINITIONS[kind].name, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = worklistHeaders(kind).map((header) => ({ header, width: header === '序号' ? 6 : 18 }));
  rows.forEach((row, i) => sheet.addRow(worklistCells(row, i + 1)).commit());
  sheet.commit();
  await workbook.commit();
}
