import { parse } from 'csv-parse/sync';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isPlainCsv, plainCsvRecords } from './plain-csv.js';

const dir = mkdtempSync(join(tmpdir(), 'hpa-plain-csv-'));
let n = 0;
function file(content: string | Buffer): string {
  const path = join(dir, `f${n++}`);
  writeFileSync(path, content);
  return path;
}

/** The text in chunks of `size` bytes (a line and even a character split across two). */
function chunks(text: string | Buffer, size: number): Readable {
  const bytes = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    parts.push(bytes.subarray(at, at + size));
  }
  return Readable.from(parts);
}

async function records(text: string | Buffer, size = 7) {
  const out = [];
  for await (const batch of plainCsvRecords(chunks(text, size))) {
    out.push(...batch);
  }
  return out;
}

describe('plain CSV (no quotes): read by splitting lines and commas', () => {
  it('tells a plain file from one that needs a full CSV parser', async () => {
    expect(await isPlainCsv(file('身份证号,姓名\r\n1,张三\r\n'))).toBe(true);
    expect(await isPlainCsv(file('身份证号,姓名\n1,张三'))).toBe(true);
    expect(await isPlainCsv(file('身份证号,姓名\n1,"张三"\n'))).toBe(false);
    expect(await isPlainCsv(file('身份证号,姓名\r1,张三\r'))).toBe(false);
    expect(await isPlainCsv(file('身份证号,姓名\n1,张三\r'))).toBe(false);
    expect(await isPlainCsv(file(Buffer.concat([Buffer.alloc((1 << 20) - 1, 0x41), Buffer.from('\r\n')])))).toBe(true);
    expect(await isPlainCsv(file(Buffer.concat([Buffer.alloc((1 << 20) - 1, 0x41), Buffer.from('\rX')])))).toBe(false);
  });

  it('gives the records and lines csv-parse gives, whatever the chunks', async () => {
    const lf = '\uFEFF身份证号,姓名,户编号\n\n110101199003074477,欧阳娜娜,H1\n\n\n110101199003074478,,H2\n,李四,\n';
    for (const text of [lf, lf.replaceAll('\n', '\r\n')]) {
      const expected: unknown = parse(text, { bom: true, skip_empty_lines: true });
      for (const size of [1, 2, 7, 64, 1 << 16]) {
        const got = await records(text, size);
        expect(got.map((r) => r.cells)).toEqual(expected);
        expect(got.map((r) => r.line)).toEqual([1, 3, 6, 7]);
      }
    }
    expect(await records('a,b\nc,d')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['c', 'd'] },
    ]);
  });

  it('names a line with the wrong number of fields, as the full parser does', async () => {
    await expect(records('身份证号,姓名\n110101199003074477,张三\n\n110101199003074477\n')).rejects.toThrow(
      '第 4 行有 1 个字段，表头有 2 个',
    );
  });
});
