import { open } from 'node:fs/promises';
import { type RawRecord, RosterFileError } from './roster-file.js';

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

/**
 * Whether a CSV file is plain: no quote anywhere and every CR followed by LF (rows end in LF or
 * CRLF). Such a file's rows are its lines and its cells what lies between the commas, and
 * `plainCsvRecords` reads it several times faster than a full CSV parser. Tests the bytes, which
 * works for GBK as for UTF-8 (neither byte occurs inside a GBK character). Reads the whole file
 * (from the page cache, a few tens of milliseconds for a million rows).
 */
export async function isPlainCsv(path: string): Promise<boolean> {
  const file = await open(path);
  try {
    const buffer = Buffer.alloc(1 << 20);
    let crAtEnd = false;
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) {
        return !crAtEnd;
      }
      const chunk = buffer.subarray(0, bytesRead);
      if ((crAtEnd && chunk[0] !== LF) || chunk.indexOf(QUOTE) >= 0) {
        return false;
      }
      for (let at = chunk.indexOf(CR); at >= 0; at = chunk.indexOf(CR, at + 1)) {
        if (at + 1 < bytesRead && chunk[at + 1] !== LF) {
          return false;
        }
      }
      crAtEnd = chunk[bytesRead - 1] === CR;
    }
  } finally {
    await file.close();
  }
}

const COMMA = 0x2c;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The records of a plain CSV file (see `isPlainCsv`) from its decoded text (UTF-8 bytes, or strings
 * from the GBK decoder), as csv-parse gives them with `bom`, `skip_empty_lines` and a fixed column
 * count: a leading BOM dropped, empty lines skipped, each record stamped with its line, one batch
 * per chunk. Each cell is decoded from the bytes on its own, as csv-parse does: a string that the
 * caller keeps (an ID number for the whole file) holds no larger text alive. A record with another
 * number of cells than the first is an error naming its line.
 */
export async function* plainCsvRecords(text: AsyncIterable<unknown>): AsyncGenerator<RawRecord[]> {
  let tail: Buffer = Buffer.alloc(0);
  let line = 0;
  let width = -1;
  let first = true;
  const found: { broken: RosterFileError | null } = { broken: null };
  /** The records of the whole lines in `buf` from `from`; answers where the unfinished last line starts. */
  const records = (buf: Buffer, batch: RawRecord[], atEnd: boolean): number => {
    let from = 0;
    while (from < buf.length) {
      let end = buf.indexOf(LF, from);
      if (end < 0) {
        if (!atEnd) {
          return from;
        }
        end = buf.length;
      }
      line++;
      const stop = end > from && buf[end - 1] === CR ? end - 1 : end;
      if (stop > from) {
        const cells: string[] = [];
        let cell = from;
        for (let comma = buf.indexOf(COMMA, cell); comma >= 0 && comma < stop; comma = buf.indexOf(COMMA, cell)) {
          cells.push(buf.toString('utf8', cell, comma));
          cell = comma + 1;
        }
        cells.push(buf.toString('utf8', cell, stop));
        if (width < 0) {
          width = cells.length;
        } else if (cells.length !== width) {
          // Thrown once the records before it are taken, as a streaming parser would.
          found.broken = new RosterFileError(`第 ${line} 行有 ${cells.length} 个字段，表头有 ${width} 个`);
          return buf.length;
        }
        batch.push({ line, cells });
      }
      from = end + 1;
    }
    return buf.length;
  };
  for await (const chunk of text) {
    const part = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    let buf = tail.length > 0 ? Buffer.concat([tail, part]) : part;
    if (first) {
      // The BOM may come split over chunks: wait for its three bytes.
      if (buf.length < BOM.length && BOM.subarray(0, buf.length).equals(buf)) {
        tail = Buffer.from(buf);
        continue;
      }
      first = false;
      if (buf.subarray(0, BOM.length).equals(BOM)) {
        buf = buf.subarray(BOM.length);
      }
    }
    const batch: RawRecord[] = [];
    const rest = records(buf, batch, false);
    tail = Buffer.from(buf.subarray(rest));
    if (batch.length > 0) {
      yield batch;
    }
    if (found.broken) {
      throw found.broken;
    }
  }
  const last: RawRecord[] = [];
  records(tail, last, true);
  if (last.length > 0) {
    yield last;
  }
  if (found.broken) {
    throw found.broken;
  }
}
