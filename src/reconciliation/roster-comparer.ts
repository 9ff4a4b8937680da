import type { RosterColumn, RosterRow } from '../uploads/roster-file.js';
import type { Discrepancy } from './discrepancy.entity.js';
import type { SkippedRow } from './reconciliation.entity.js';

/** A discrepancy found, before it is stored under its reconciliation. */
export type FoundDiscrepancy = Omit<Discrepancy, 'id' | 'reconciliationId'>;

/**
 * What a source adds to the shared run (ReconciliationRunner): its columns, the comparison of one
 * roster row with the registry it loaded, and the walk over the registry's persons the roster did
 * not mention. The run streams the roster, writes what is found and keeps the skipped rows.
 */
export interface RosterComparer<K extends string> {
  readonly columns: readonly RosterColumn<K>[];
  /** Persons in the loaded registry (for the log). */
  readonly size: number;
  /** Compares one row, reporting what it finds; answers why the row was skipped, or null. */
  compare(raw: RosterRow<K>, found: (d: FoundDiscrepancy) => void): SkippedRow | null;
  /** Once the roster is read: the registry's side. */
  rest(): Iterable<FoundDiscrepancy>;
}
