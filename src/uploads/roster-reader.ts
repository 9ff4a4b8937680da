import { type CsvError, Parser } from 'csv-parse';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { isUtf8 } from 'node:buffer';
import { createReadStream, type ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import { AppError, ErrorCode } from '../common/app-error.js';
import { maskIdLike } from '../common/mask-id-like.js';
import { streamBatches } from './stream-batches.js';

/**
 * Reads an uploaded roster — CSV (UTF-8 with or without BOM, or GBK/GB18030 from office
 * software) or XLSX — one row at a time, without holding the file in memory: csv-parse for CSV,
 * exceljs' streaming WorkbookReader for XLSX. The first non-empty row is the header; columns are
 * found by their Chinese or English names. Used by the household import and the insurance
 * reconciliation alike.
 */

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

const SNIFF_BYTES = 64 * 1024;
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** GB18030 is the superset of GBK: names with rare characters decode too. */
const GBK = 'gb18030';

/** The bytes up to the last complete UTF-8 sequence (a chunk may end inside a character). */
function completeUtf8(buf: Buffer): number {
  for (let back = 1; back <= Math.min(4, buf.length); back++) {
    const byte = buf[buf.length - back];
    if ((byte & 0xc0) === 0x80) {
      continue; // a continuation byte: look further back for its lead
    }
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? buf.length - back : buf.length;
  }
  return buf.length;
}

/** CSV or XLSX, and for CSV its encoding, from the first bytes; throws RosterFileError for anything else. */
export async function sniffRoster(path: string): Promise<{ format: RosterFormat; encoding: RosterEncoding | null }> {
  const handle = await open(path, 'r');
  let head: Buffer;
  let size: number;
  try {
    size = (await handle.stat()).size;
    const buf = Buffer.alloc(Math.min(SNIFF_BYTES, size));
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  if (head.length === 0) {
    throw new RosterFileError('文件是空的');
  }
  if (head.subarray(0, 4).equals(ZIP_MAGIC)) {
    return { format: 'xlsx', encoding: null };
  }
  if (head.subarray(0, 4).equals(OLE_MAGIC)) {
    throw new RosterFileError('文件是旧版 Excel 97–2003 工作簿（.xls），请另存为 .xlsx 或 CSV 后上传');
  }
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new RosterFileError('文件是 UTF-16 编码的文本，请另存为 UTF-8（或 GBK）编码的 CSV 后上传');
  }
  if (head.includes(0)) {
    throw new RosterFileError('文件既不是 CSV 也不是 XLSX（含有二进制内容）');
  }
  const text = head.subarray(head.subarray(0, 3).equals(UTF8_BOM) ? 3 : 0);
  if (text.toString('latin1').trim() === '') {
    throw new RosterFileError('文件是空的');
  }
  const checked = size > head.length ? text.subarray(0, completeUtf8(text)) : text;
  if (isUtf8(checked)) {
    return { format: 'csv', encoding: 'utf8' };
  }
  if (iconv.decode(head, GBK).includes('\uFFFD')) {
    throw new RosterFileError('文件既不是 UTF-8 也不是 GBK 编码的文本，请另存为 UTF-8 编码的 CSV 后上传');
  }
  return { format: 'csv', encoding: 'gbk' };
}

/** Passes UTF-8 bytes through unchanged and fails on the first byte that is not UTF-8. */
class Utf8Guard extends Transform {
  private tail = Buffer.alloc(0);
  private offset = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const buf = this.tail.length > 0 ? Buffer.concat([this.tail, chunk]) : chunk;
    const end = completeUtf8(buf);
    const whole = buf.subarray(0, end);
    if (!isUtf8(whole)) {
      done(this.invalid());
      return;
    }
    this.offset += end;
    this.tail = Buffer.from(buf.subarray(end));
    done(null, whole);
  }

  override _flush(done: TransformCallback): void {
    done(this.tail.length > 0 ? this.invalid() : null);
  }

  private invalid(): RosterFileError {
    return new RosterFileError(
      `文件开头是 UTF-8 编码，但第 ${this.offset} 字节之后不是有效的 UTF-8：请将整个文件保存为同一种编码（UTF-8 或 GBK）`,
    );
  }
}

const norm = (header: string): string => header.replace(/[\s\uFEFF]/g, '').toLowerCase();

/** Which cell holds which column; throws naming the missing columns and the header expected. */
function mapHeader<K extends string>({ cells, line }: RawRecord, columns: readonly RosterColumn<K>[]): Map<K, number> {
  if (cells.length > MAX_ROSTER_COLUMNS) {
    throw tooWide(cells.length, line);
  }
  const index = new Map<K, number>();
  const names = cells.map(norm);
  for (const column of columns) {
    const accepted = [column.header, column.key, ...(column.aliases ?? [])].map(norm);
    const found = names.flatMap((name, i) => (accepted.includes(name) ? [i] : []));
    if (found.length > 1) {
      throw new RosterFileError(`表头中“${column.header}”列出现了 ${found.length} 次`);
    }
    if (found.length === 1) {
      index.set(column.key, found[0]);
    }
  }
  const missing = columns.filter((c) => !index.has(c.key));
  if (missing.length > 0) {
    const seen = cells.join(',');
    throw new RosterFileError(
      `表头不正确，缺少${missing.map((c) => `“${c.header}”`).join('、')}列；表头应为：${columns.map((c) => c.header).join(',')}（文件的第一行是：${seen.length > 200 ? `${seen.slice(0, 200)}…` : seen}）`,
    );
  }
  return index;
}

function tooWide(columns: number, line: number): RosterFileError {
  return new RosterFileError(
    `第 ${line} 行用到了第 ${columns} 列，花名册最多 ${MAX_ROSTER_COLUMNS} 列：请删除多余的列（或其中的内容）后重新上传`,
  );
}

interface RawRecord {
  line: number;
  cells: string[];
  /** Cell indexes that held numbers beyond 15 significant digits (XLSX). */
  imprecise?: number[];
}

const BROKEN_QUOTE = new Set(['CSV_QUOTE_NOT_CLOSED', 'CSV_INVALID_CLOSING_QUOTE', 'INVALID_OPENING_QUOTE']);

/**
 * csv-parse's stream, its records stamped with the line each starts on as they are produced: the
 * parser's counters are exact at that moment (not when the record is consumed, after the parser
 * has read ahead). Cheaper than the `on_record`/`info` options, which copy the counters per record.
 */
class LineParser extends Parser {
  private lastEnd = 0;
  private lastEmpty = 0;

  override push(record: unknown): boolean {
    if (record === null) {
      return super.push(null);
    }
    const line = this.nextLine();
    this.lastEnd = this.info.lines;
    this.lastEmpty = this.info.empty_lines;
    return super.push({ line, cells: record as string[] } satisfies RawRecord);
  }

  /** Where the record being parsed starts: after the last one and the empty lines skipped since. */
  nextLine(emptyLines = this.info.empty_lines): number {
    return this.lastEnd + 1 + Math.max(0, emptyLines - this.lastEmpty);
  }
}

/** CSV records with the line each starts on, in batches; csv-parse's errors become messages naming the line. */
async function* csvRecords(path: string, encoding: RosterEncoding): AsyncGenerator<RawRecord[]> {
  const source = createReadStream(path, { highWaterMark: 64 * 1024 });
  const decode = encoding === 'gbk' ? iconv.decodeStream(GBK) : new Utf8Guard();
  const parser = new LineParser({ bom: true, skip_empty_lines: true, relax_column_count: false });
  pipeline(source, decode, parser, () => undefined);
  try {
    yield* streamBatches<RawRecord>(parser);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (error instanceof RosterFileError || typeof code !== 'string' || !code.includes('_')) {
      throw error;
    }
    const csv = error as CsvError & { empty_lines?: number };
    const line = parser.nextLine(csv.empty_lines);
    if (BROKEN_QUOTE.has(code)) {
      throw new RosterFileError(`第 ${line} 行引号不完整：带引号的字段没有正确结束`);
    }
    const length = /expect (\d+), got (\d+)/.exec(csv.message);
    if (code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && length) {
      throw new RosterFileError(`第 ${line} 行有 ${length[2]} 个字段，表头有 ${length[1]} 个`);
    }
    throw new RosterFileError(`第 ${line} 行不是有效的 CSV（${code}）`);
  } finally {
    source.destroy();
    parser.destroy();
  }
}

/** Excel keeps 15 significant digits: an 18-digit ID number typed as a number has lost its end. */
const EXCEL_DIGITS = 1e15;

function cellText(value: ExcelJS.CellValue): { text: string; imprecise: boolean } {
  if (value === null || value === undefined) {
    return { text: '', imprecise: false };
  }
  if (typeof value === 'number') {
    return {
      text: Number.isInteger(value) ? BigInt(value).toString() : String(value),
      imprecise: Math.abs(value) >= EXCEL_DIGITS,
    };
  }
  if (typeof value === 'string') {
    return { text: value, imprecise: false };
  }
  if (typeof value === 'boolean') {
    return { text: value ? 'true' : 'false', imprecise: false };
  }
  if (value instanceof Date) {
    return { text: value.toISOString().slice(0, 10), imprecise: false };
  }
  if ('richText' in value) {
    return { text: value.richText.map((r) => r.text).join(''), imprecise: false };
  }
  if ('formula' in value || 'sharedFormula' in value) {
    const result = (value as { result?: ExcelJS.CellValue }).result;
    return result === undefined || (typeof result === 'object' && result !== null && 'error' in result)
      ? { text: '', imprecise: false }
      : cellText(result);
  }
  if ('text' in value) {
    return { text: String(value.text), imprecise: false };
  }
  return { text: '', imprecise: false };
}

/**
 * The first worksheet's rows (sheet row numbers), read with exceljs' streaming reader, in batches.
 * A row that uses a column past MAX_ROSTER_COLUMNS fails the file (see there).
 */
async function* xlsxRecords(path: string): AsyncGenerator<RawRecord[]> {
  const source: ReadStream = createReadStream(path);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(source, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  let sheets = 0;
  let batch: RawRecord[] = [];
  try {
    for await (const sheet of reader) {
      sheets++;
      for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
        // Sparse: only the cells the sheet holds. A cell far to the right (column XFD) is refused
        // here, before anything is made per column.
        const values = row.values as ExcelJS.CellValue[];
        if (values.length - 1 > MAX_ROSTER_COLUMNS) {
          throw tooWide(values.length - 1, row.number);
        }
        const cells: string[] = [];
        const imprecise: number[] = [];
        for (let i = 1; i < values.length; i++) {
          const cell = cellText(values[i]);
          cells.push(cell.text);
          if (cell.imprecise) {
            imprecise.push(i - 1);
          }
        }
        batch.push({ line: row.number, cells, imprecise });
        if (batch.length === 1000) {
          yield batch;
          batch = [];
        }
      }
      break; // the first worksheet only
    }
  } catch (error) {
    if (error instanceof RosterFileError) {
      throw error;
    }
    throw new RosterFileError('XLSX 工作簿无法读取：请用 Excel 或 WPS 打开后另存为 .xlsx 再上传');
  } finally {
    source.destroy();
  }
  if (sheets === 0) {
    throw new RosterFileError('XLSX 文件中没有工作表');
  }
  if (batch.length > 0) {
    yield batch;
  }
}

const isBlank = (cells: string[]): boolean => {
  for (const cell of cells) {
    if (cell !== '' && cell.trim() !== '') {
      return false;
    }
  }
  return true;
};

/**
 * Opens a roster: checks its format and encoding, reads the header and maps the columns. Throws
 * RosterFileError for an empty file, something that is not CSV/XLSX, or missing columns.
 */
export async function openRoster<K extends string>(
  path: string,
  columns: readonly RosterColumn<K>[],
): Promise<Roster<K>> {
  const { format, encoding } = await sniffRoster(path);
  const records = format === 'csv' ? csvRecords(path, encoding ?? 'utf8') : xlsxRecords(path);
  let first: RawRecord[] = [];
  let header: RawRecord | undefined;
  let index: Map<K, number>;
  try {
    while (!header) {
      if (first.length === 0) {
        const next = await records.next();
        if (next.done) {
          throw new RosterFileError('文件是空的');
        }
        first = next.value;
        continue;
      }
      const record = first.shift()!;
      if (!isBlank(record.cells)) {
        header = record;
      }
    }
    index = mapHeader(header, columns);
  } catch (error) {
    await records.return(undefined);
    throw error;
  }
  const keys = columns.map((c) => c.key);
  const positions = keys.map((key) => index.get(key)!);
  const NONE: readonly K[] = [];
  const toRows = (batch: RawRecord[]): RosterRow<K>[] => {
    const out: RosterRow<K>[] = [];
    for (const record of batch) {
      if (isBlank(record.cells)) {
        continue;
      }
      const values = {} as Record<K, string>;
      for (let k = 0; k < keys.length; k++) {
        values[keys[k]] = (record.cells[positions[k]] ?? '').trim();
      }
      const imprecise = record.imprecise?.length
        ? keys.filter((_, k) => record.imprecise!.includes(positions[k]))
        : NONE;
      out.push({ line: record.line, values, imprecise });
    }
    return out;
  };
  async function* batches(): AsyncGenerator<RosterRow<K>[]> {
    const rest = toRows(first);
    if (rest.length > 0) {
      yield rest;
    }
    for await (const batch of records) {
      const rows = toRows(batch);
      if (rows.length > 0) {
        yield rows;
      }
    }
  }
  async function* rows(): AsyncGenerator<RosterRow<K>> {
    for await (const batch of batches()) {
      yield* batch;
    }
  }
  return {
    format,
    encoding,
    batches,
    rows,
    async close() {
      await records.return(undefined);
    },
  };
}

/** What a file with a header and nothing under it is told. */
export const NO_ROWS = '文件只有表头，没有数据行';

/** Opens the roster and checks that it has at least one data row; used at upload, before a job is queued. */
export async function checkRoster<K extends string>(
  path: string,
  columns: readonly RosterColumn<K>[],
): Promise<{ format: RosterFormat; encoding: RosterEncoding | null }> {
  const roster = await openRoster(path, columns);
  try {
    const first = await roster.rows().next();
    if (first.done) {
      throw new RosterFileError(NO_ROWS);
    }
    return { format: roster.format, encoding: roster.encoding };
  } finally {
    await roster.close();
  }
}
