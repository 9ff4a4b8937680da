import { RELATIONS } from '../households/person.entity.js';
import type { RowProblem } from './household-rows.js';
import type { IdNumberIndex } from '../uploads/id-number-index.js';
import { PACKED, packIdNumber, unpackIdNumber } from '../uploads/id-number-pack.js';

/** Households per statement (writing) and per head look-up (reading). */
export const HOUSEHOLDS_PER_STATEMENT = 1000;
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
  /** Replaced as heads are found (most households have one: a one-element list each). */
  heads: readonly { idNumber: string; line: number }[];
  /** Why all its rows are rejected, once the whole file is read; null when they are not. */
  rejected: RowProblem | null;
  /** Its place among the households to write (file order of first rows), once the file is read. */
  index: number;
  /** Its id in the registry, once written (or found). */
  id: number;
}

/**
 * The file's rows as the writing phase needs them, read once and kept compactly (typed arrays and
 * the names): a valid row keeps its ID number, name, relation and household; a row that failed its
 * own checks keeps only its problems. A well-formed ID number (17 digits and a digit or X) is kept
 * as two integers — a million strings would be a million more objects for every full collection
 * to mark while the file is read — and anything else as it was given.
 */
export class ScannedRows {
  count = 0;
  private lineOf = new Int32Array(1024);
  private relationOf = new Int8Array(1024);
  private householdOf = new Int32Array(1024);
  /** Characters 1–9 of the ID number as a number, or -1 when it is kept in `otherIds`. */
  private idHigh = new Int32Array(1024);
  /** Characters 10–17 as a number, times 11, plus the check character (X = 10). */
  private idLow = new Int32Array(1024);
  private readonly otherIds = new Map<number, string>();
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
      this.idHigh = grow(this.idHigh, new Int32Array(this.count * 2));
      this.idLow = grow(this.idLow, new Int32Array(this.count * 2));
    }
    this.lineOf[this.count] = line;
    this.relationOf[this.count] = relation;
    this.householdOf[this.count] = household;
    if (packIdNumber(idNumber)) {
      this.idHigh[this.count] = PACKED[0];
      this.idLow[this.count] = PACKED[1];
    } else {
      this.idHigh[this.count] = -1;
      this.otherIds.set(this.count, idNumber);
    }
    this.names.push(name);
    this.count++;
  }

  idNumber(i: number): string {
    const high = this.idHigh[i];
    if (high === -1) {
      return this.otherIds.get(i)!;
    }
    return unpackIdNumber(high, this.idLow[i]);
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
