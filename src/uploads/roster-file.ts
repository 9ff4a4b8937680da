import { AppError, ErrorCode } from '../common/app-error.js';
import { maskIdLike } from '../common/mask-id-like.js';

/** What every part of the roster reader shares: the formats, the row shapes, the file-level error. */

export type RosterFormat = 'csv' | 'xlsx';
export type RosterEncoding = 'utf8' | 'gbk';

export interface RosterColumn<K extends string> {
  key: K;
  /** The Chinese header of the template (身份证号); the key itself (idNumber) is accepted too. */
  header: string;
  aliases?: readonly string[];
}

export interface RosterRow<K extends string> {
  /** Where the row starts: the physical line of a CSV file (header = 1), the sheet row of an XLSX. */
  line: number;
  /** Every column's cell, trimmed; '' when empty. */
  values: Record<K, string>;
  /** Columns whose XLSX cell was a number too long for Excel's 15 significant digits. */
  imprecise: readonly K[];
}

export interface Roster<K extends string> {
  format: RosterFormat;
  encoding: RosterEncoding | null;
  /** The data rows (blank ones skipped), a few hundred at a time: the fast way through a big file. */
  batches(): AsyncGenerator<RosterRow<K>[]>;
  rows(): AsyncGenerator<RosterRow<K>>;
  close(): Promise<void>;
}

/**
 * A problem with the file as a whole: answered 400 at upload, or the job's error. Said in Chinese;
 * whatever of the file it quotes has its ID numbers masked, as every answer does.
 */
export class RosterFileError extends AppError {
  constructor(message: string) {
    super(ErrorCode.Invalid, maskIdLike(message), 'file');
  }
}

/**
 * The most columns a roster may use. The templates need 5 to 9; an export with some extra columns
 * is welcome, a sheet that reaches column XFD is not: each used column costs memory on every row.
 */
export const MAX_ROSTER_COLUMNS = 64;

/** A row that uses more columns than a roster may have. */
export function tooWide(columns: number, line: number): RosterFileError {
  return new RosterFileError(
    `第 ${line} 行用到了第 ${columns} 列，花名册最多 ${MAX_ROSTER_COLUMNS} 列：请删除多余的列（或其中的内容）后重新上传`,
  );
}

/** A record of the file as read: its line and its cells, before the header maps them. */
export interface RawRecord {
  line: number;
  cells: string[];
  /** Cell indexes that held numbers beyond 15 significant digits (XLSX). */
  imprecise?: number[];
}
