import ExcelJS from 'exceljs';
import type { Writable } from 'node:stream';
import { idCheckChar } from '../common/id-number.js';
import type { Region } from '../regions/region.entity.js';

/** A column of a roster template: its header, what it holds, and the choices of an enumeration. */
export interface TemplateColumn {
  header: string;
  width: number;
  /** Kept as text in Excel (ID numbers, codes: every digit counts). */
  text?: boolean;
  /** A drop-down list of these values. */
  choices?: readonly string[];
  /** A drop-down list of the region codes (the sheet 区划代码). */
  regionCodes?: boolean;
  /** The value of the example row. */
  example: string | number;
}

/** Rows of the main sheet that carry the drop-down lists. */
const ROWS_WITH_LISTS = 5000;
const LEVEL_NAMES: Record<Region['level'], string> = { district: '区县', subdistrict: '街道/乡镇', village: '村/社区' };

const columnLetter = (index: number): string => {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    letters = String.fromCharCode(65 + r) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
};

/**
 * A roster template workbook: the sheet to fill in (the first sheet, which the import reads) with
 * the headers as text columns and a drop-down list for every enumeration and for the region codes;
 * a sheet 填写示例 with an example row (kept off the first sheet, so that an unedited template never
 * imports a made-up person); and a sheet 区划代码 with the district's codes down to the villages.
 */
export async function writeRosterTemplate(
  out: Writable,
  sheetName: string,
  columns: readonly TemplateColumn[],
  regions: readonly Region[],
): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  const example = workbook.addWorksheet('填写示例');
  const codes = workbook.addWorksheet('区划代码');
  for (const target of [sheet, example]) {
    target.columns = columns.map((c) => ({ header: c.header, width: c.width, style: c.text ? { numFmt: '@' } : {} }));
    target.getRow(1).font = { bold: true };
  }
  example.addRow(columns.map((c) => c.example));
  example.addRow([]);
  example.addRow([
    '说明：请在第一个工作表中填写，每行一人；带下拉箭头的列请从列表中选择；区划代码见“区划代码”工作表。',
  ]);

  codes.columns = [
    { header: '区划代码', width: 16, style: { numFmt: '@' } },
    { header: '名称', width: 20 },
    { header: '级别', width: 10 },
    { header: '上级区划代码', width: 16, style: { numFmt: '@' } },
  ];
  codes.getRow(1).font = { bold: true };
  for (const r of regions) {
    codes.addRow([r.code, r.name, LEVEL_NAMES[r.level], r.parentCode ?? '']);
  }
  const lastCode = Math.max(regions.length + 1, 2);
  columns.forEach((c, i) => {
    const formula = c.regionCodes ? `'区划代码'!$A$2:$A$${lastCode}` : c.choices ? `"${c.choices.join(',')}"` : null;
    if (formula === null) {
      return;
    }
    const letter = columnLetter(i);
    (
      sheet as unknown as { dataValidations: { add(address: string, validation: ExcelJS.DataValidation): void } }
    ).dataValidations.add(`${letter}2:${letter}${ROWS_WITH_LISTS + 1}`, {
      type: 'list',
      allowBlank: true,
      formulae: [formula],
      showErrorMessage: true,
      errorTitle: c.header,
      error: c.regionCodes ? '请填写“区划代码”工作表中的代码' : `请从列表中选择：${c.choices!.join('、')}`,
    });
  });
  await workbook.xlsx.write(out);
}

/** A valid (GB 11643-1999) made-up ID number for the example rows. */
export const EXAMPLE_ID_NUMBER = `61019919800101123${idCheckChar('61019919800101123')}`;

/** The regions of the template's sheet 区划代码: the district, its sub-districts and villages, in code order. */
export function regionsForTemplate(regions: readonly Region[]): Region[] {
  return [...regions].sort((a, b) => a.code.localeCompare(b.code));
}
