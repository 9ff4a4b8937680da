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
  };
  return (raw) => readInsuranceRow(raw, year, today, parsed);
}

/** How a reader parses 年度, 是否参保 and 是否资助参保. */
interface Parsed {
  year: (value: string) => number | null;
  enrolled: (value: string) => boolean | null;
  subsidized: (value: string) => boolean | null;
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
  const idNumber = normalizeIdNumber(v.idNumber);
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
  const problem = idNumberProblem(idNumber, today);
  if (problem) {
    return { kind: 'invalid_id', line: raw.line, idNumber, name: v.name, detail: ID_REASONS[problem] };
  }
  return { kind: 'row', row: { line: raw.line, idNumber, name: v.name, enrolled, subsidized } };
}
