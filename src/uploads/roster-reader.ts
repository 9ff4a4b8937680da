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
 * `offset`: lines of the file before the text it is given.
 */
class LineParser extends Parser {
  private lastEnd = 0;
  private lastEmpty = 0;

  constructor(
    private readonly offset: number,
    recordDelimiter: string | undefined,
  ) {
    super({ bom: true, skip_empty_lines: true, relax_column_count: true, record_delimiter: recordDelimiter });
  }

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
    return this.offset + this.lastEnd + 1 + Math.max(0, emptyLines - this.lastEmpty);
  }
}

/**
 * CSV text (strings, or UTF-8 buffers of whole characters) to records stamped with their line. The
 * plain case — no quote and no carriage return anywhere — is split on newlines and commas here,
 * several times faster than csv-parse; from the first chunk that holds a quote or a CR on, the rest
 * of the file goes through csv-parse (LineParser), which reads quoted fields, quoted newlines and
 * CRLF files. Either way blank lines are skipped and a record with another number of fields than
 * the first (the header) is an error naming its line.
 */
class CsvRecords extends Transform {
  /** Lines consumed by the plain splitter. */
  private lines = 0;
  private pending = '';
  private started = false;
  private fields = -1;
  private parser: LineParser | null = null;

  constructor() {
    super({ writableObjectMode: true, readableObjectMode: true });
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, done: TransformCallback): void {
    let text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) {
        text = text.slice(1);
      }
    }
    if (this.parser) {
      this.feed(this.parser, text, done);
      return;
    }
    text = this.pending + text;
    if (text.includes('"') || text.includes('\r')) {
      this.pending = '';
      this.feed(this.handOver(), text, done);
      return;
    }
    let start = 0;
    let end: number;
    try {
      while ((end = text.indexOf('\n', start)) !== -1) {
        this.plain(text.slice(start, end));
        start = end + 1;
      }
    } catch (error) {
      done(error as Error);
      return;
    }
    this.pending = text.slice(start);
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.parser) {
      const parser = this.parser;
      parser.once('end', () => done());
      parser.once('error', (error: Error) => done(translateCsvError(error, parser)));
      parser.end();
      return;
    }
    try {
      if (this.pending !== '') {
        this.plain(this.pending);
      }
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    this.parser?.destroy();
    done(error);
  }

  /** A line of the plain splitter. */
  private plain(text: string): void {
    const line = ++this.lines;
    if (text !== '') {
      this.record({ line, cells: text.split(',') });
    }
  }

  private record(record: RawRecord): void {
    if (this.fields === -1) {
      this.fields = record.cells.length;
    } else if (record.cells.length !== this.fields) {
      throw new RosterFileError(`第 ${record.line} 行有 ${record.cells.length} 个字段，表头有 ${this.fields} 个`);
    }
    this.push(record);
  }

  /** csv-parse for the rest of the file; its errors become messages naming the line. */
  private handOver(): LineParser {
    // The splitter's lines ended in LF alone (a CR would have handed over): so does the rest.
    const parser = new LineParser(this.lines, this.lines > 0 ? '\n' : undefined);
    parser.on('data', (record: RawRecord) => {
      try {
        this.record(record);
      } catch (error) {
        this.destroy(error as Error);
      }
    });
    // Its errors reach the write's callback (feed) or the flush.
    parser.on('error', () => undefined);
    this.parser = parser;
    return parser;
  }

  private feed(parser: LineParser, text: string, done: TransformCallback): void {
    parser.write(text, (error) => done(error ? translateCsvError(error, parser) : undefined));
  }
}

/** csv-parse's error as a message naming the line. */
function translateCsvError(error: Error, parser: LineParser): Error {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.includes('_')) {
    return error;
  }
  const line = parser.nextLine((error as CsvError & { empty_lines?: number }).empty_lines);
  if (BROKEN_QUOTE.has(code)) {
    return new RosterFileError(`第 ${line} 行引号不完整：带引号的字段没有正确结束`);
  }
  return new RosterFileError(`第 ${line} 行不是有效的 CSV（${code}）`);
}

/** CSV records with the line each starts on, in batches. */
async function* csvRecords(path: string, encoding: RosterEncoding): AsyncGenerator<RawRecord[]> {
  const source = createReadStream(path, { highWaterMark: 256 * 1024 });
  const decode = encoding === 'gbk' ? iconv.decodeStream(GBK) : new Utf8Guard();
  const records = new CsvRecords();
  pipeline(source, decode, records, () => undefined);
  try {
    yield* streamBatches<RawRecord>(records);
  } finally {
    source.destroy();
    records.destroy();
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
