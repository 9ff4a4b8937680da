import ExcelJS from 'exceljs';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import unzipper from 'unzipper';
import { MAX_ROSTER_COLUMNS, type RawRecord, RosterFileError, tooWide } from './roster-file.js';

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

/** exceljs' streaming WorkbookReader (4.4), whose parts this reader calls one by one (see below). */
interface WorkbookParts {
  workbookRels?: { Id: string; Target: string }[];
  model?: { sheets?: { rId: string }[] };
  _parseRels(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
  _parseWorksheet(rows: Readable, sheetNo: string): Generator<{ eventType: string; value: AsyncIterable<ExcelJS.Row> }>;
}

/** A zip part's path from a relationship target of xl/workbook.xml ("worksheets/sheet1.xml" or "/xl/…"). */
const partPath = (target: string): string => (target.startsWith('/') ? target.slice(1) : `xl/${target}`);

/**
 * The first worksheet's rows (sheet row numbers), in batches. A row that uses a column past
 * MAX_ROSTER_COLUMNS fails the file (see there).
 *
 * The zip is read by its central directory (unzipper), the workbook, its relationships and shared
 * strings first, then the first sheet (in the workbook's tab order) row by row. exceljs' own
 * WorkbookReader.parse reads the zip in one pass and, when a part it holds back comes after the
 * sheets, can lose the parts at the end of the archive (exceljs issue #3064: "Cannot read properties
 * of undefined (reading 'sheets')" now and then, on the workbooks exceljs itself writes); its
 * parsers are used as they are.
 */
export async function* xlsxRecords(path: string): AsyncGenerator<RawRecord[]> {
  const opened: Readable[] = [];
  const source = {
    stream: (offset: number, length: number): Readable => {
      const stream = createReadStream(path, { start: offset, end: length ? offset + length : undefined });
      opened.push(stream);
      return stream;
    },
    size: async (): Promise<number> => (await stat(path)).size,
  };
  let batch: RawRecord[] = [];
  try {
    const parts = new Map((await unzipper.Open.custom(source)).files.map((file) => [file.path, file]));
    const part = (name: string): Readable => {
      const file = parts.get(name);
      if (!file) {
        throw new RosterFileError('XLSX 工作簿无法读取：请用 Excel 或 WPS 打开后另存为 .xlsx 再上传');
      }
      const stream = file.stream();
      opened.push(stream);
      return stream;
    };
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
      sharedStrings: 'cache',
      hyperlinks: 'ignore',
      styles: 'ignore',
      worksheets: 'emit',
      entries: 'ignore',
    }) as unknown as WorkbookParts;
    await reader._parseRels(part('xl/_rels/workbook.xml.rels'));
    await reader._parseWorkbook(part('xl/workbook.xml'));
    if (parts.has('xl/sharedStrings.xml')) {
      for await (const _ of reader._parseSharedStrings(part('xl/sharedStrings.xml'))) {
        // cached on the reader ('cache'): nothing to do per string
      }
    }
    const first = reader.model?.sheets?.[0];
    if (!first) {
      throw new RosterFileError('XLSX 文件中没有工作表');
    }
    const target = reader.workbookRels?.find((rel) => rel.Id === first.rId)?.Target ?? '';
    const sheetPath = partPath(target);
    const sheetNo = /sheet(\d+)\.xml$/.exec(sheetPath)?.[1] ?? '1';
    for (const { value: sheet } of reader._parseWorksheet(part(sheetPath), sheetNo)) {
      for await (const row of sheet) {
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
    }
  } catch (error) {
    if (error instanceof RosterFileError) {
      throw error;
    }
    throw new RosterFileError('XLSX 工作簿无法读取：请用 Excel 或 WPS 打开后另存为 .xlsx 再上传');
  } finally {
    // A part not read to its end keeps its file open: a refused or abandoned read closes them all.
    for (const stream of opened) {
      stream.destroy();
    }
  }
  if (batch.length > 0) {
    yield batch;
  }
}
