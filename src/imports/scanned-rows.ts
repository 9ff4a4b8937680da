import { RELATIONS } from '../households/person.entity.js';
import type { RowProblem } from './household-rows.js';
import type { IdNumberIndex } from '../uploads/id-number-index.js';
import { IdNumberColumn, withRoom } from '../uploads/id-number-column.js';

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
 * own checks keeps only its problems. The ID numbers are kept packed (IdNumberColumn): a million
 * strings would be a million more objects for every full collection to mark while the file is read.
 */
export class ScannedRows {
  count = 0;
  private lineOf = new Int32Array(1024);
  private relationOf = new Int8Array(1024);
  private householdOf = new Int32Array(1024);
  private readonly idNumbers = new IdNumberColumn();
  readonly names: string[] = [];
  /** Row index → its problems and what identifies it, for rows that failed their own checks. */
  readonly invalid = new Map<number, { problems: RowProblem[]; idNumber: string; registryNo: string }>();

  constructor(private readonly households: FileHousehold[]) {}

  /** `relation`: index into RELATIONS, -1 for a row that failed its own checks; `household` likewise. */
  add(line: number, idNumber: string, name: string, relation: number, household: number): void {
    const i = this.count++;
    this.lineOf = withRoom(this.lineOf, this.count);
    this.relationOf = withRoom(this.relationOf, this.count);
    this.householdOf = withRoom(this.householdOf, this.count);
    this.lineOf[i] = line;
    this.relationOf[i] = relation;
    this.householdOf[i] = household;
    this.idNumbers.set(i, idNumber);
    this.names.push(name);
  }

  idNumber(i: number): string {
    return this.idNumbers.get(i);
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
