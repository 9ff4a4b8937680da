import { maskIdNumber } from '../common/id-number.js';
import { maskIdLike } from '../common/mask-id-like.js';
import { chunk } from '../common/sql.js';
import type { RowProblem } from './household-rows.js';
import { type FileHousehold, type FileScan, HOUSEHOLDS_PER_STATEMENT, type Repeat } from './scanned-rows.js';
import type { ImportRowError } from './import-row-error.entity.js';

/**
 * The import's decisions, as pure functions of what the file scan found (household-scan.ts) and
 * what the registry holds: which households are rejected, which rows are written or refused, how a
 * row counts. The writers (household-import.service.ts) only apply them.
 */

/** Lines named in a message about many rows (a household with many heads): the first few, then a count. */
const LINES_NAMED = 5;

/** A valid row on its way to the registry. */
export interface PersonRow {
  line: number;
  idNumber: string;
  name: string;
  relation: string;
  household: FileHousehold;
}

/** A person as the registry holds it, for comparison with its row. */
export interface StoredPerson {
  id: number;
  idNumber: string;
  householdId: number;
  name: string;
  relation: string;
}

export interface Counts {
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export type NewRowError = Omit<ImportRowError, 'id'>;

/** How many row errors this run may still list (MAX_LISTED_ERRORS per import), handed out batch by batch in file order. */
export interface ErrorAllowance {
  left: number;
}

export type HouseholdFields = Pick<FileHousehold, 'regionCode' | 'povertyCause' | 'status' | 'registeredYear'>;

export function sameHousehold(a: HouseholdFields, b: HouseholdFields): boolean {
  return (
    a.regionCode === b.regionCode &&
    a.povertyCause === b.povertyCause &&
    a.status === b.status &&
    Number(a.registeredYear) === Number(b.registeredYear)
  );
}

/** Why a row whose ID number is on other rows too is rejected: naming one other line, never all of them. */
export function repeatReason(repeat: Repeat, line: number): string {
  if (line !== repeat.first) {
    return `身份证号与第 ${repeat.first} 行重复`;
  }
  const others = repeat.count - 1;
  return `身份证号在第 ${repeat.second} 行${others > 1 ? `等 ${others} 行` : ''}再次出现`;
}

/** "第 7、8 行", or "第 7、8、9、10、11 行等 120 行": a bounded list of lines. */
export function namedLines(lines: number[]): string {
  const named = lines.slice(0, LINES_NAMED).join('、');
  return lines.length > LINES_NAMED ? `第 ${named} 行等 ${lines.length} 行` : `第 ${named} 行`;
}

/**
 * Why all rows of a household are rejected once the whole file is read, or null: its rows disagree,
 * or it has no head or several (heads whose ID number is on other rows too do not count).
 */
export function householdRejection(h: FileHousehold, duplicates: ReadonlyMap<string, Repeat>): RowProblem | null {
  const heads = h.heads.filter((head) => !duplicates.has(head.idNumber));
  const registryNo = maskIdLike(h.registryNo);
  if (h.conflictLine !== 0) {
    return {
      field: 'registryNo',
      reason: `户编号 ${registryNo} 的各行在区划代码、致贫原因、户状态或建档年度上不一致（第 ${h.line} 行与第 ${h.conflictLine} 行）`,
    };
  }
  if (heads.length === 0) {
    return { field: 'relation', reason: `户编号 ${registryNo} 的有效行中没有户主` };
  }
  if (heads.length > 1) {
    return {
      field: 'relation',
      reason: `户编号 ${registryNo} 有 ${heads.length} 个户主（${namedLines(heads.map((x) => x.line))}）`,
    };
  }
  return null;
}

/**
 * A household keeps one head: its registered head must be the file's head, or be in the file
 * (`inFile`); otherwise the household is rejected.
 */
export function registeredHeadRejection(
  h: FileHousehold,
  registeredHead: string,
  duplicates: ReadonlyMap<string, Repeat>,
  inFile: (idNumber: string) => boolean,
): RowProblem | null {
  const fileHead = h.heads.find((x) => !duplicates.has(x.idNumber));
  if (registeredHead === fileHead?.idNumber || inFile(registeredHead)) {
    return null;
  }
  return {
    field: 'relation',
    reason: `户编号 ${maskIdLike(h.registryNo)} 在登记中已有另一位户主（${maskIdNumber(registeredHead)}），此人不在本文件中`,
  };
}

/** What a row of the file comes to: its problems (its own, a repeated ID number, a rejected household), or none (`idNumber`: the row's, when the caller has it already). */
export function rowProblems(scan: FileScan, i: number, idNumber = scan.rows.idNumber(i)): RowProblem[] | null {
  const own = scan.rows.invalid.get(i);
  if (own) {
    return own.problems;
  }
  const repeat = scan.duplicates.get(idNumber);
  if (repeat) {
    return [{ field: 'idNumber', reason: repeatReason(repeat, scan.rows.line(i)) }];
  }
  const household = scan.rows.household(i)!;
  return household.rejected ? [household.rejected] : null;
}

/** A batch of rows sorted: the valid ones, the errors to record, and what the batch counts. */
export interface SortedBatch {
  valid: PersonRow[];
  errors: NewRowError[];
  rejected: number;
  /** Row errors beyond the allowance: counted, not listed. */
  omitted: number;
  /** The highest household index the valid rows name (-1 for none): the batch waits for it to be written. */
  last: number;
}

/**
 * Rows `start` to `end` sorted into valid and rejected; each rejected row's problems become row
 * errors while the allowance lasts (it is used up in file order). Every message is of bounded
 * length and masked.
 */
export function sortBatch(
  importId: number,
  scan: FileScan,
  start: number,
  end: number,
  allowance: ErrorAllowance,
): SortedBatch {
  const { rows } = scan;
  const sorted: SortedBatch = { valid: [], errors: [], rejected: 0, omitted: 0, last: -1 };
  for (let i = start; i < end; i++) {
    const line = rows.line(i);
    const idNumber = rows.idNumber(i);
    const problems = rowProblems(scan, i, idNumber);
    if (!problems) {
      const household = rows.household(i)!;
      sorted.valid.push({ line, idNumber, name: rows.names[i], relation: rows.relation(i), household });
      sorted.last = Math.max(sorted.last, household.index);
      continue;
    }
    sorted.rejected++;
    const invalid = rows.invalid.get(i);
    const registryNo = invalid ? invalid.registryNo : rows.household(i)!.registryNo;
    for (const p of problems) {
      if (allowance.left === 0) {
        sorted.omitted++;
        continue;
      }
      allowance.left--;
      sorted.errors.push({
        importId,
        line,
        field: p.field,
        reason: maskIdLike(p.reason).slice(0, 255),
        idNumber: idNumber ? maskIdNumber(idNumber.slice(0, 32)) : null,
        registryNo: maskIdLike(registryNo.slice(0, 64)) || null,
      });
    }
  }
  return sorted;
}

/** One multi-row upsert of households: its parameters, and the registry numbers it creates. */
export interface HouseholdStatement {
  writes: unknown[];
  created: string[];
}

export const HOUSEHOLD_WRITE_COLUMNS = [
  'registryNo',
  'regionCode',
  'povertyCause',
  'registeredYear',
  'status',
  'version',
  'updatedAt',
];

/**
 * The accepted households in file order, HOUSEHOLDS_PER_STATEMENT per statement: new ones to insert, changed ones
 * to update, unchanged ones skipped. Notes each household's index and, for a registered one, its id;
 * `changed` holds the lines that carry a household change (each changed household's first row).
 */
export function planHouseholdWrites(
  scan: FileScan,
  now: string,
): { statements: HouseholdStatement[]; changed: Set<number>; accepted: FileHousehold[] } {
  const changed = new Set<number>();
  const accepted = scan.households.filter((h) => !h.rejected);
  const statements = chunk(accepted, HOUSEHOLDS_PER_STATEMENT).map((part, n) => {
    const writes: unknown[] = [];
    const created: string[] = [];
    part.forEach((h, i) => {
      h.index = n * HOUSEHOLDS_PER_STATEMENT + i;
      const before = scan.stored.get(h.registryNo);
      if (before) {
        h.id = before.id;
        if (sameHousehold(before, h)) {
          return;
        }
        changed.add(h.line);
      } else {
        created.push(h.registryNo);
      }
      writes.push(h.registryNo, h.regionCode, h.povertyCause, h.registeredYear, h.status, 1, now);
    });
    return { writes, created };
  });
  return { statements, changed, accepted };
}

/**
 * How a valid row counts against the person registered under its ID number (if any): a person new
 * to the registry is `inserted`; one whose household, name or relation changed — or whose row is the
 * first of a household whose fields changed (`changed`) — `updated`; anything else `unchanged`.
 * `write`: whether the person row itself is written.
 */
export function personOutcome(
  row: PersonRow,
  before: StoredPerson | undefined,
  changed: ReadonlySet<number>,
): { count: keyof Omit<Counts, 'rejected'>; write: boolean } {
  if (!before) {
    return { count: 'inserted', write: true };
  }
  if (Number(before.householdId) === row.household.id && before.name === row.name && before.relation === row.relation) {
    return { count: changed.has(row.line) ? 'updated' : 'unchanged', write: false };
  }
  return { count: 'updated', write: true };
}
