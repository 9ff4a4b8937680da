import { type CsvError, Parser } from 'csv-parse';
import iconv from 'iconv-lite';
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import {
  MAX_ROSTER_COLUMNS,
  type RawRecord,
  type Roster,
  type RosterColumn,
  type RosterEncoding,
  type RosterFormat,
  RosterFileError,
  type RosterRow,
  tooWide,
} from './roster-file.js';
import { isPlainCsv, plainCsvRecords } from './plain-csv.js';
import { completeUtf8, GBK, sniffRoster } from './roster-sniff.js';
import { xlsxRecords } from './roster-xlsx.js';
import { streamBatches } from './stream-batches.js';

/**
 * Reads an uploaded roster — CSV (UTF-8 with or without BOM, or GBK/GB18030 from office
 * software) or XLSX — one row at a time, without holding the file in memory: csv-parse for CSV,
 * exceljs' streaming WorkbookReader for XLSX. The first non-empty row is the header; columns are
 * found by their Chinese or English names. Used by the household import and the insurance
 * reconciliation alike.
 */

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
  if (await isPlainCsv(path)) {
    // No quotes: lines split on commas, with the same records and messages, several times faster.
    pipeline(source, decode, () => undefined);
    try {
      yield* plainCsvRecords(decode);
    } finally {
      source.destroy();
    }
    return;
  }
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
