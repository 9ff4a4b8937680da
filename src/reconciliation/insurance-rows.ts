import { idNumberProblem, normalizeIdNumber } from '../common/id-number.js';
import { fieldColumn } from '../households/household-labels.js';
import type { RosterColumn, RosterRow } from '../uploads/roster-file.js';
import { ID_REASONS, IMPRECISE_ID, parseYear, parseYesNo, quote } from '../uploads/roster-values.js';
import type { ReadRow } from './roster-comparer.js';

/** The insurance bureau's roster (SPEC §3): Chinese headers, or the English keys. */
export const INSURANCE_COLUMNS = [
  fieldColumn('idNumber'),
  fieldColumn('name'),
  { key: 'year', header: '年度', aliases: ['参保年度'] },
  { key: 'enrolled', header: '是否参保' },
  { key: 'subsidized', header: '是否资助参保', aliases: ['是否资助'] },
] as const satisfies readonly RosterColumn<string>[];

export type InsuranceField = (typeof INSURANCE_COLUMNS)[number]['key'];

/** A roster row that passed its own checks. */
export interface InsuranceRow {
  line: number;
  idNumber: string;
  name: string;
  enrolled: boolean;
  subsidized: boolean;
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CODES = [...'10X98765432'].map((c) => c.charCodeAt(0));
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether an ID number (upper case) is valid, as idNumberProblem says, with `today` as YYYYMMDD:
 * on character codes, without a regular expression or a substring — it runs for every row of a
 * million-row roster. A number it refuses goes through idNumberProblem for the reason.
 */
function validIdNumber(id: string, today: number): boolean {
  if (id.length !== 18) {
    return false;
  }
  let sum = 0;
  let date = 0;
  for (let i = 0; i < 17; i++) {
    const d = id.charCodeAt(i) - 48;
    if (d < 0 || d > 9) {
      return false;
    }
    sum += d * WEIGHTS[i];
    if (i >= 6 && i < 14) {
      date = date * 10 + d;
    }
  }
  const year = Math.floor(date / 10000);
  const month = Math.floor(date / 100) % 100;
  const day = date % 100;
  if (year < 1850 || month < 1 || month > 12 || day < 1 || date > today) {
    return false;
  }
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS_IN_MONTH[month - 1] + (month === 2 && leap ? 1 : 0)) {
    return false;
  }
  return id.charCodeAt(17) === CHECK_CODES[sum % 11];
}

/** The last cell read and what it meant: a roster repeats its 年度 and 是/否 on every row. */
function remembered<T>(parse: (value: string) => T): (value: string) => T {
  let last: string | undefined;
  let meant: T;
  return (value) => {
    if (value !== last) {
      meant = parse(value);
      last = value;
    }
    return meant;
  };
}

/**
 * A reader of rows for a reconciliation of `year` (readInsuranceRow), for one roster: it remembers
 * the values it has just parsed.
 */
export function insuranceRowReader(
  year: number,
  today: string,
): (raw: RosterRow<InsuranceField>) => ReadRow<InsuranceRow> {
  const parsed = {
    year: remembered(parseYear),
    enrolled: remembered(parseYesNo),
    subsidized: remembered(parseYesNo),
    todayNumber: Number(today.replaceAll('-', '')),
  };
  return (raw) => readInsuranceRow(raw, year, today, parsed);
}

/** How a reader parses 年度, 是否参保 and 是否资助参保, and today as YYYYMMDD. */
interface Parsed {
  year: (value: string) => number | null;
  enrolled: (value: string) => boolean | null;
  subsidized: (value: string) => boolean | null;
  todayNumber: number;
}

/**
 * Reads a row for a reconciliation of `year`. A row of another year, or whose 是否参保 cannot be
 * read, is skipped (counted and listed, not a discrepancy); a bad ID number is an `invalid_id`.
 */
function readInsuranceRow(
  raw: RosterRow<InsuranceField>,
  year: number,
  today: string,
  parsed: Parsed,
): ReadRow<InsuranceRow> {
  const v = raw.values;
  const skip = (field: InsuranceField, reason: string): ReadRow<InsuranceRow> => ({
    kind: 'skip',
    skipped: { line: raw.line, field, reason },
  });
  // Cells come trimmed: only a lower-case x needs normalizing in a well-formed number.
  const idNumber =
    v.idNumber.length === 18 && v.idNumber.charCodeAt(17) !== 120 ? v.idNumber : normalizeIdNumber(v.idNumber);
  if (!idNumber) {
    return skip('idNumber', '身份证号为空');
  }
  const rowYear = parsed.year(v.year);
  if (rowYear === null) {
    return skip('year', `年度${quote(v.year)}不是年份`);
  }
  if (rowYear !== year) {
    return skip('year', `年度${rowYear}与本次比对的年度${year}不同`);
  }
  const enrolled = parsed.enrolled(v.enrolled);
  if (enrolled === null) {
    return skip('enrolled', `是否参保${quote(v.enrolled)}应为 是/否、1/0 或 true/false`);
  }
  const subsidized = v.subsidized === '' ? false : parsed.subsidized(v.subsidized);
  if (subsidized === null) {
    return skip('subsidized', `是否资助参保${quote(v.subsidized)}应为 是/否、1/0 或 true/false`);
  }
  if (raw.imprecise.includes('idNumber')) {
    return {
      kind: 'invalid_id',
      line: raw.line,
      idNumber,
      name: v.name,
      detail: IMPRECISE_ID,
    };
  }
  const problem = validIdNumber(idNumber, parsed.todayNumber) ? null : idNumberProblem(idNumber, today);
  if (problem) {
    return { kind: 'invalid_id', line: raw.line, idNumber, name: v.name, detail: ID_REASONS[problem] };
  }
  return { kind: 'row', row: { line: raw.line, idNumber, name: v.name, enrolled, subsidized } };
}
