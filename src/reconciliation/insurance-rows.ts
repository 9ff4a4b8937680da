import { idNumberProblem, normalizeIdNumber } from '../common/id-number.js';
import type { RosterColumn, RosterRow } from '../imports/roster-reader.js';
import { parseYear, parseYesNo, quote } from '../imports/roster-values.js';
import type { SkippedRow } from './reconciliation.entity.js';

/** The insurance bureau's roster (SPEC §3): Chinese headers, or the English keys. */
export const INSURANCE_COLUMNS = [
  { key: 'idNumber', header: '身份证号', aliases: ['身份证号码', '公民身份号码'] },
  { key: 'name', header: '姓名' },
  { key: 'year', header: '年度', aliases: ['参保年度'] },
  { key: 'enrolled', header: '是否参保' },
  { key: 'subsidized', header: '是否资助参保', aliases: ['是否资助'] },
] as const satisfies readonly RosterColumn<string>[];

export type InsuranceField = (typeof INSURANCE_COLUMNS)[number]['key'];

const INVALID_ID = {
  format: '身份证号应为18位：17位数字加1位校验码（数字或X）',
  birth_date: '身份证号中的出生日期不存在',
  check_digit: '身份证号校验码错误（GB 11643-1999）',
} as const;

/** One roster row, read: compared, skipped (cannot be compared) or an invalid ID number. */
export type InsuranceRow =
  | { kind: 'skip'; skipped: SkippedRow }
  | { kind: 'invalid_id'; line: number; idNumber: string; name: string; detail: string }
  | { kind: 'row'; line: number; idNumber: string; name: string; enrolled: boolean; subsidized: boolean };

/**
 * Reads a row for a reconciliation of `year`. A row of another year, or whose 是否参保 cannot be
 * read, is skipped (counted and listed, not a discrepancy); a bad ID number is an `invalid_id`.
 */
export function readInsuranceRow(raw: RosterRow<InsuranceField>, year: number, today: string): InsuranceRow {
  const v = raw.values;
  const skip = (field: InsuranceField, reason: string): InsuranceRow => ({
    kind: 'skip',
    skipped: { line: raw.line, field, reason },
  });
  const idNumber = normalizeIdNumber(v.idNumber);
  if (!idNumber) {
    return skip('idNumber', '身份证号 is empty');
  }
  const rowYear = parseYear(v.year);
  if (rowYear === null) {
    return skip('year', `年度 ${quote(v.year)} is not a year`);
  }
  if (rowYear !== year) {
    return skip('year', `年度 ${rowYear} is not the reconciliation's year ${year}`);
  }
  const enrolled = parseYesNo(v.enrolled);
  if (enrolled === null) {
    return skip('enrolled', `是否参保 ${quote(v.enrolled)} is not 是/否, 1/0 or true/false`);
  }
  const subsidized = v.subsidized === '' ? false : parseYesNo(v.subsidized);
  if (subsidized === null) {
    return skip('subsidized', `是否资助参保 ${quote(v.subsidized)} is not 是/否, 1/0 or true/false`);
  }
  if (raw.imprecise.includes('idNumber')) {
    return {
      kind: 'invalid_id',
      line: raw.line,
      idNumber,
      name: v.name,
      detail: '身份证号以数字存储，表格只保留了15位有效数字（请将该列设为文本）',
    };
  }
  const problem = idNumberProblem(idNumber, today);
  if (problem) {
    return { kind: 'invalid_id', line: raw.line, idNumber, name: v.name, detail: INVALID_ID[problem] };
  }
  return { kind: 'row', line: raw.line, idNumber, name: v.name, enrolled, subsidized };
}

/** Names compared as people read them: spaces and full-width forms do not make a mismatch. */
export function sameName(a: string, b: string): boolean {
  if (a === b) {
    return true;
  }
  const norm = (s: string) =>
    s
      .normalize('NFKC')
      .replace(/\s+/g, '')
      .replace(/[·•・.]/g, '·');
  return norm(a) === norm(b);
}
