import type { DataSource } from 'typeorm';
import { maskIdNumber, normalizeIdNumber } from '../common/id-number.js';
import { maskIdLike } from '../common/mask-id-like.js';
import { chunk } from '../common/sql.js';
import { RELATIONS } from '../households/person.entity.js';
import type { BulkSql } from '../uploads/bulk-sql.js';
import { checkHouseholdRow, HOUSEHOLD_COLUMNS, type RowContext, type RowProblem } from './household-rows.js';
import { IdNumberIndex } from '../uploads/id-number-index.js';
import { KeyLookup } from '../uploads/key-lookup.js';
import { NO_ROWS, openRoster, RosterFileError } from '../uploads/roster-reader.js';

/** Households per statement (writing) and per head look-up (reading). */
export const HOUSEHOLDS_PER_STATEMENT = 1000;
/** Keys per lookup while the file is read. */
const KEYS_PER_LOOKUP = 1000;
/** Lines named in a message about many rows (a household with many heads): the first few, then a count. */
const LINES_NAMED = 5;

/** A household as the file gives it (the fields every one of its valid rows agrees on). */
export interface FileHousehold {
  registryNo: string;
  regionCode: string;
  povertyCause: string;
  status: string;
  registeredYear: number;
  /** The line of its first valid row: the row that carries a change of the household's fields. */
  line: number;
  /** A second valid row that disagrees with the first, or 0. */
  conflictLine: number;
  heads: { idNumber: string; line: number }[];
  /** Why all its rows are rejected, once the whole file is read; null when they are not. */
  rejected: RowProblem | null;
  /** Its place among the households to write (file order of first rows), once the file is read. */
  index: number;
  /** Its id in the registry, once written (or found). */
  id: number;
}

/**
 * The file's rows as the writing phase needs them, read once and kept compactly (typed arrays and
 * two string arrays): a valid row keeps its ID number, name, relation and household; a row that
 * failed its own checks keeps only its problems.
 */
export class ScannedRows {
  count = 0;
  private lineOf = new Int32Array(1024);
  private relationOf = new Int8Array(1024);
  private householdOf = new Int32Array(1024);
  readonly idNumbers: string[] = [];
  readonly names: string[] = [];
  /** Row index → its problems and what identifies it, for rows that failed their own checks. */
  readonly invalid = new Map<number, { problems: RowProblem[]; idNumber: string; registryNo: string }>();

  constructor(private readonly households: FileHousehold[]) {}

  /** `relation`: index into RELATIONS, -1 for a row that failed its own checks; `household` likewise. */
  add(line: number, idNumber: string, name: string, relation: number, household: number): void {
    if (this.count === this.lineOf.length) {
      this.lineOf = grow(this.lineOf, new Int32Array(this.count * 2));
      this.relationOf = grow(this.relationOf, new Int8Array(this.count * 2));
      this.householdOf = grow(this.householdOf, new Int32Array(this.count * 2));
    }
    this.lineOf[this.count] = line;
    this.relationOf[this.count] = relation;
    this.householdOf[this.count] = household;
    this.idNumbers.push(idNumber);
    this.names.push(name);
    this.count++;
  }

  line(i: number): number {
    return this.lineOf[i];
  }

  relation(i: number): string {
    return RELATIONS[this.relationOf[i]];
  }

  household(i: number): FileHousehold | null {
    const h = this.householdOf[i];
    return h < 0 ? null : this.households[h];
  }
}

function grow<T extends Int8Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** An ID number on more than one row: where it first and next occurs, and how often. */
export interface Repeat {
  first: number;
  second: number;
  count: number;
}

/** What reading the whole file once tells before anything is written. */
export interface FileScan {
  rows: ScannedRows;
  /** ID numbers on more than one row: all those rows are rejected. */
  duplicates: Map<string, Repeat>;
  /** The households of valid rows, rejected ones included (`rejected` set). */
  households: FileHousehold[];
  /** Households of the file already registered, as they were when the file was read. */
  stored: Map<string, StoredHousehold>;
  /** ID numbers of the file's valid rows that were registered when the file was read. */
  registered: IdNumberIndex;
}

export interface StoredHousehold {
  id: number;
  registryNo: string;
  regionCode: string;
  povertyCause: string;
  status: string;
  registeredYear: number;
}

/**
 * Phase 1 of an import: the whole file once, nothing written. While it is read, the valid rows'
 * registry numbers and ID numbers are looked up in the registry (a thousand per query, in the
 * background), so that the writing phases know what exists without asking again. The work per row
 * is constant (an ID number on 100 000 rows costs no more than on two), and between batches of the
 * file `between` runs: it lets other work in and stops a run that was cancelled or taken over.
 */
export async function scanHouseholdRoster(
  db: DataSource,
  sql: BulkSql,
  path: string,
  ctx: RowContext,
  between: () => Promise<void>,
): Promise<FileScan> {
  const households: FileHousehold[] = [];
  const rows = new ScannedRows(households);
  const firstLine = new IdNumberIndex();
  const duplicates = new Map<string, Repeat>();
  const byRegistryNo = new Map<string, number>();
  const stored = new Map<string, StoredHousehold>();
  const registered = new IdNumberIndex();
  const parallel = db.options.type === 'mysql' ? 2 : 1;
  const householdLookup = new KeyLookup(
    async (registryNos) => {
      const found = await db.query<StoredHousehold[]>(
        sql.select(
          'households',
          ['id', 'registryNo', 'regionCode', 'povertyCause', 'status', 'registeredYear'],
          'registryNo',
          registryNos.length,
          false,
        ),
        registryNos,
      );
      found.forEach((h) =>
        stored.set(h.registryNo, { ...h, id: Number(h.id), registeredYear: Number(h.registeredYear) }),
      );
    },
    KEYS_PER_LOOKUP,
    parallel,
  );
  const personLookup = new KeyLookup(
    async (idNumbers) => {
      const found = await db.query<{ idNumber: string }[]>(
        sql.select('persons', ['idNumber'], 'idNumber', idNumbers.length, false),
        idNumbers,
      );
      found.forEach((p) => registered.setIfAbsent(p.idNumber, 1));
    },
    KEYS_PER_LOOKUP,
    parallel,
  );
  const roster = await openRoster(path, HOUSEHOLD_COLUMNS);
  try {
    for await (const batch of roster.batches()) {
      await between();
      for (const raw of batch) {
        const row = checkHouseholdRow(raw, ctx);
        const index = rows.count;
        if (Array.isArray(row)) {
          const idNumber = normalizeIdNumber(raw.values.idNumber);
          rows.invalid.set(index, { problems: row, idNumber, registryNo: raw.values.registryNo });
          rows.add(raw.line, idNumber, '', -1, -1);
          if (idNumber) {
            noteId(firstLine, duplicates, idNumber, raw.line);
          }
          continue;
        }
        const repeated = noteId(firstLine, duplicates, row.idNumber, raw.line);
        let slot = byRegistryNo.get(row.registryNo);
        let household = slot === undefined ? null : households[slot];
        if (!household) {
          household = {
            registryNo: row.registryNo,
            regionCode: row.regionCode,
            povertyCause: row.povertyCause,
            status: row.status,
            registeredYear: row.registeredYear,
            line: row.line,
            conflictLine: 0,
            heads: [],
            rejected: null,
            index: -1,
            id: 0,
          };
          slot = households.push(household) - 1;
          byRegistryNo.set(row.registryNo, slot);
          const wait = householdLookup.add(row.registryNo);
          if (wait) {
            await wait;
          }
        } else if (household.conflictLine === 0 && !sameHousehold(household, row)) {
          household.conflictLine = row.line;
        }
        if (row.relation === 'head') {
          household.heads.push({ idNumber: row.idNumber, line: row.line });
        }
        rows.add(row.line, row.idNumber, row.name, RELATIONS.indexOf(row.relation), slot!);
        if (!repeated) {
          const wait = personLookup.add(row.idNumber);
          if (wait) {
            await wait;
          }
        }
      }
    }
    await Promise.all([householdLookup.finish(), personLookup.finish()]);
  } finally {
    await Promise.all([householdLookup.abandon(), personLookup.abandon()]);
    await roster.close();
  }
  if (rows.count === 0) {
    throw new RosterFileError(NO_ROWS);
  }

  for (const h of households) {
    const heads = h.heads.filter((head) => !duplicates.has(head.idNumber));
    const registryNo = maskIdLike(h.registryNo);
    if (h.conflictLine !== 0) {
      h.rejected = {
        field: 'registryNo',
        reason: `户编号 ${registryNo} 的各行在区划代码、致贫原因、户状态或建档年度上不一致（第 ${h.line} 行与第 ${h.conflictLine} 行）`,
      };
    } else if (heads.length === 0) {
      h.rejected = { field: 'relation', reason: `户编号 ${registryNo} 的有效行中没有户主` };
    } else if (heads.length > 1) {
      h.rejected = {
        field: 'relation',
        reason: `户编号 ${registryNo} 有 ${heads.length} 个户主（${namedLines(heads.map((x) => x.line))}）`,
      };
    }
  }

  // A household keeps one head: one already registered who is not in the file would make two.
  const candidates = [...stored.keys()].filter((registryNo) => !households[byRegistryNo.get(registryNo)!].rejected);
  for (const registryNos of chunk(candidates, HOUSEHOLDS_PER_STATEMENT)) {
    const heads = await db.query<{ registryNo: string; idNumber: string }[]>(
      `SELECT h.registryNo AS registryNo, p.idNumber AS idNumber FROM households h
       INNER JOIN persons p ON p.householdId = h.id AND p.relation = 'head'
       WHERE h.registryNo IN (${registryNos.map(() => '?').join(', ')})`,
      registryNos,
    );
    for (const head of heads) {
      const household = households[byRegistryNo.get(head.registryNo)!];
      const fileHead = household.heads.find((x) => !duplicates.has(x.idNumber));
      if (head.idNumber !== fileHead?.idNumber && !firstLine.has(head.idNumber)) {
        household.rejected = {
          field: 'relation',
          reason: `户编号 ${maskIdLike(head.registryNo)} 在登记中已有另一位户主（${maskIdNumber(head.idNumber)}），此人不在本文件中`,
        };
      }
    }
  }
  return { rows, duplicates, households, stored, registered };
}

/** Notes where an ID number occurs (its first two lines and a count: constant work per row); answers whether it occurred before. */
function noteId(firstLine: IdNumberIndex, duplicates: Map<string, Repeat>, idNumber: string, line: number): boolean {
  const first = firstLine.setIfAbsent(idNumber, line);
  if (first === undefined) {
    return false;
  }
  const repeat = duplicates.get(idNumber);
  if (repeat) {
    repeat.count++;
  } else {
    duplicates.set(idNumber, { first, second: line, count: 2 });
  }
  return true;
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
function namedLines(lines: number[]): string {
  const named = lines.slice(0, LINES_NAMED).join('、');
  return lines.length > LINES_NAMED ? `第 ${named} 行等 ${lines.length} 行` : `第 ${named} 行`;
}

export function sameHousehold(
  a: Pick<FileHousehold, 'regionCode' | 'povertyCause' | 'status' | 'registeredYear'>,
  b: Pick<FileHousehold, 'regionCode' | 'povertyCause' | 'status' | 'registeredYear'>,
): boolean {
  return (
    a.regionCode === b.regionCode &&
    a.povertyCause === b.povertyCause &&
    a.status === b.status &&
    Number(a.registeredYear) === Number(b.registeredYear)
  );
}
