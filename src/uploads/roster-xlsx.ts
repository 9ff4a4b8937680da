import ExcelJS from 'exceljs';
import { createReadStream, type ReadStream } from 'node:fs';
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

/**
 * The first worksheet's rows (sheet row numbers), read with exceljs' streaming reader, in batches.
 * A row that uses a column past MAX_ROSTER_COLUMNS fails the file (see there).
 */
export async function* xlsxRecords(path: string): AsyncGenerator<RawRecord[]> {
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
