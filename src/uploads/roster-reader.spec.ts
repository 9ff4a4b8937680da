import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RosterColumn } from './roster-file.js';
import { checkRoster, openRoster } from './roster-reader.js';

const COLUMNS = [
  { key: 'idNumber', header: '身份证号' },
  { key: 'name', header: '姓名' },
] as const satisfies readonly RosterColumn<string>[];

const dir = mkdtempSync(join(tmpdir(), 'hpa-roster-'));
let n = 0;
function file(content: string | Buffer): string {
  const path = join(dir, `f${n++}`);
  writeFileSync(path, content);
  return path;
}

async function readAll(path: string) {
  const roster = await openRoster(path, COLUMNS);
  const rows = [];
  try {
    for await (const row of roster.rows()) {
      rows.push({ line: row.line, ...row.values });
    }
  } finally {
    await roster.close();
  }
  return { format: roster.format, encoding: roster.encoding, rows };
}

describe('roster reader', () => {
  it('reads UTF-8 CSV with a BOM, Chinese headers in any order, extra columns, blank lines and quoted newlines', async () => {
    const path = file(
      '\uFEFF姓名,备注,身份证号\n张三,,110101199003074477\n\n"李\n四",x,11010519491231002X\n,,\n王五,"a,b",110101199003074477\n',
    );
    await expect(readAll(path)).resolves.toEqual({
      format: 'csv',
      encoding: 'utf8',
      rows: [
        { line: 2, idNumber: '110101199003074477', name: '张三' },
        { line: 4, idNumber: '11010519491231002X', name: '李\n四' },
        { line: 7, idNumber: '110101199003074477', name: '王五' },
      ],
    });
  });

  it('accepts the English keys as headers', async () => {
    const { rows } = await readAll(file('idNumber, Name \r\n110101199003074477,张三\r\n'));
    expect(rows).toEqual([{ line: 2, idNumber: '110101199003074477', name: '张三' }]);
  });

  it('decodes GBK from office software', async () => {
    const path = file(iconv.encode('身份证号,姓名\n110101199003074477,欧阳娜娜\n', 'gbk'));
    await expect(readAll(path)).resolves.toMatchObject({
      encoding: 'gbk',
      rows: [{ line: 2, name: '欧阳娜娜' }],
    });
  });

  it('names the line of a broken quote', async () => {
    const path = file('身份证号,姓名\n110101199003074477,张三\n110101199003074477,"李四\n110101199003074477,王五\n');
    await expect(readAll(path)).rejects.toThrow(/^第 3 行引号不完整/);
    const inside = file('身份证号,姓名\n110101199003074477,张"三\n');
    await expect(readAll(inside)).rejects.toThrow(/^第 2 行引号不完整/);
  });

  it('names a line with the wrong number of fields', async () => {
    const path = file('身份证号,姓名\n110101199003074477,张三\n\n110101199003074477\n');
    await expect(readAll(path)).rejects.toThrow('第 4 行有 1 个字段，表头有 2 个');
  });

  it('keeps counting lines when a quote far into a plain file hands the rest over to csv-parse', async () => {
    const plain = '110101199003074477,张三\n'.repeat(20_000);
    const path = file(`身份证号,姓名\n${plain}\n"110101199003074477","李\n四"\n110101199003074477,王五\n`);
    const { rows } = await readAll(path);
    expect(rows).toHaveLength(20_002);
    expect(rows.slice(-2)).toEqual([
      { line: 20_003, idNumber: '110101199003074477', name: '李\n四' },
      { line: 20_005, idNumber: '110101199003074477', name: '王五' },
    ]);
    const broken = file(`身份证号,姓名\n${plain}"1101011990,"x"y\n110101199003074477\n`);
    await expect(readAll(broken)).rejects.toThrow(/^第 20002 行引号不完整/);
    const short = file(`身份证号,姓名\n${plain}"110101199003074477",张三\n110101199003074477\n`);
    await expect(readAll(short)).rejects.toThrow('第 20003 行有 1 个字段，表头有 2 个');
  });

  it('names the missing columns', async () => {
    await expect(readAll(file('编号,名字\n1,2\n'))).rejects.toMatchObject({
      field: 'file',
      message: expect.stringMatching(/^表头不正确，缺少“身份证号”、“姓名”列/),
    });
  });

  it.each([
    ['an empty file', '', /^文件是空的$/],
    ['a BOM and blank lines', '\uFEFF\n\n', /^文件是空的$/],
    ['a legacy .xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), /\.xls/],
    ['a PNG', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), /既不是 CSV 也不是 XLSX/],
    ['UTF-16', Buffer.from('\uFEFF身份证号', 'utf16le'), /UTF-16/],
  ])('refuses %s', async (_what, content, message) => {
    await expect(checkRoster(file(content), COLUMNS)).rejects.toThrow(message);
  });

  it('refuses a header without rows', async () => {
    await expect(checkRoster(file('身份证号,姓名\n'), COLUMNS)).rejects.toThrow('文件只有表头，没有数据行');
  });

  it('refuses a file that turns from UTF-8 into something else past the sniffed start', async () => {
    const rows = '110101199003074477,张三\n'.repeat(4000);
    const path = file(
      Buffer.concat([Buffer.from(`身份证号,姓名\n${rows}`), iconv.encode('110101199003074477,李四\n', 'gbk')]),
    );
    await expect(readAll(path)).rejects.toThrow(/之后不是有效的 UTF-8/);
  });

  it('says which header it expects, and masks an ID number the first line holds', async () => {
    const error = await readAll(file('110101199003074477,张三\n')).catch((e: Error) => e);
    expect((error as Error).message).toBe(
      '表头不正确，缺少“身份证号”、“姓名”列；表头应为：身份证号,姓名（文件的第一行是：110101********4477,张三）',
    );
  });

  it('refuses a CSV header of more columns than a roster may have', async () => {
    const wide = Array.from({ length: 65 }, (_, i) => `c${i}`);
    await expect(readAll(file(`${['身份证号', '姓名', ...wide].join(',')}\n`))).rejects.toThrow(
      /^第 1 行用到了第 67 列，花名册最多 64 列/,
    );
  });

  it('refuses a sparse XLSX whose rows reach column XFD, at the first such row, without building its columns', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('花名册');
    sheet.addRow(['身份证号', '姓名']);
    sheet.addRow(['110101199003074477', '张三']);
    // A few hundred rows are enough: each would cost 16 384 cells; the reader stops at the first.
    for (let r = 3; r <= 300; r++) {
      sheet.getRow(r).getCell(16_384).value = 'x';
    }
    const path = join(dir, 'sparse.xlsx');
    await workbook.xlsx.writeFile(path);
    await expect(readAll(path)).rejects.toThrow(/^第 3 行用到了第 16384 列，花名册最多 64 列/);
  });

  it('reads the first tab of the workbook when its part is not sheet1.xml, and leaves no file open after a refusal', async () => {
    const workbook = new ExcelJS.Workbook();
    const notes = workbook.addWorksheet('说明'); // sheet1.xml …
    notes.addRow(['本表为填报说明']);
    const roster = workbook.addWorksheet('花名册');
    roster.addRow(['身份证号', '姓名']);
    roster.addRow(['110101199003074477', '张三']);
    // … the roster (sheet2.xml) moved to the front: exceljs orders the tabs by orderNo (not typed).
    Object.assign(roster, { orderNo: 0 });
    Object.assign(notes, { orderNo: 1 });
    const path = join(dir, 'moved.xlsx');
    await workbook.xlsx.writeFile(path);
    await expect(readAll(path)).resolves.toMatchObject({ rows: [{ line: 2, name: '张三' }] });

    const openFiles = () => readdirSync('/proc/self/fd').length;
    const before = openFiles();
    for (let i = 0; i < 5; i++) {
      await expect(readAll(join(dir, 'sparse.xlsx'))).rejects.toThrow(/花名册最多 64 列/);
    }
    expect(openFiles()).toBe(before);
  });

  it('reads the first worksheet of an XLSX, flagging ID numbers stored as numbers', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('花名册');
    sheet.addRow(['姓名', '身份证号']);
    sheet.addRow(['张三', '110101199003074477']);
    sheet.addRow([]);
    sheet.addRow([{ richText: [{ text: '李' }, { text: '四' }] }, Number('110101199003074477')]);
    workbook.addWorksheet('other').addRow(['x']);
    const path = join(dir, 'roster.xlsx');
    await workbook.xlsx.writeFile(path);
    const roster = await openRoster(path, COLUMNS);
    const rows = [];
    for await (const row of roster.rows()) {
      rows.push(row);
    }
    await roster.close();
    expect(roster.format).toBe('xlsx');
    expect(rows).toEqual([
      { line: 2, values: { idNumber: '110101199003074477', name: '张三' }, imprecise: [] },
      { line: 4, values: { idNumber: '110101199003074480', name: '李四' }, imprecise: ['idNumber'] },
    ]);
  });
});
