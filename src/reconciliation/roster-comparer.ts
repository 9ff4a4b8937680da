import { maskIdLike } from '../common/mask-id-like.js';
import { IdNumberIndex } from '../uploads/id-number-index.js';
import type { RosterColumn, RosterRow } from '../uploads/roster-file.js';
import type { Discrepancy, DiscrepancyKind } from './discrepancy.entity.js';
import type { SkippedRow } from './reconciliation.entity.js';
import type { RegistryPersons } from './registry-persons.js';

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

/** The fields every source's roster row has. */
export interface RosterPerson {
  line: number;
  idNumber: string;
  name: string;
}

/** A roster row as a source reads it: skipped (a row error naming the field), an invalid ID number, or a row to compare. */
export type ReadRow<R extends RosterPerson> =
  | { kind: 'skip'; skipped: SkippedRow }
  | { kind: 'invalid_id'; line: number; idNumber: string; name: string; detail: string }
  | { kind: 'row'; row: R };

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

/**
 * The diff by ID number every source shares: a row the source cannot read is skipped, a bad number
 * is `invalid_id`, a repeated number is `duplicate_row` (only its first row is compared), a
 * registered person is marked seen and their name compared (`name_mismatch`); then the source's own
 * rules run on the row, and once the roster is read the source says which unseen registered persons
 * are a discrepancy. A source adds its columns, its row reader and those rules.
 */
export abstract class ByIdComparer<K extends string, R extends RosterPerson, H> implements RosterComparer<K> {
  abstract readonly columns: readonly RosterColumn<K>[];
  /** The first line of each ID number read: sized for a roster about as long as the registry. */
  private readonly firstLine: IdNumberIndex;

  protected constructor(protected readonly registry: RegistryPersons<H>) {
    this.firstLine = new IdNumberIndex(registry.size);
  }

  get size(): number {
    return this.registry.size;
  }

  /** Reads and validates a row of the source's roster. */
  protected abstract read(raw: RosterRow<K>): ReadRow<R>;

  /** A discrepancy about the row's person (`slot`: the registered person, when there is one). */
  protected abstract about(row: R, slot: number | undefined, kind: DiscrepancyKind, detail: string): FoundDiscrepancy;

  /** The source's rules for the first row of an ID number (the person, if registered, is marked seen). */
  protected abstract rules(row: R, slot: number | undefined, found: (d: FoundDiscrepancy) => void): void;

  /** A registered person the roster did not mention: the discrepancy, or null when that is as it should be. */
  protected abstract missing(slot: number): FoundDiscrepancy | null;

  compare(raw: RosterRow<K>, found: (d: FoundDiscrepancy) => void): SkippedRow | null {
    const outcome = this.read(raw);
    if (outcome.kind === 'skip') {
      return outcome.skipped;
    }
    if (outcome.kind === 'invalid_id') {
      found({
        kind: 'invalid_id',
        idNumber: outcome.idNumber.slice(0, 32),
        line: outcome.line,
        personId: null,
        householdId: null,
        rosterName: maskIdLike(outcome.name).slice(0, 64) || null,
        registryName: null,
        regionCode: null,
        detail: outcome.detail,
      });
      return null;
    }
    const row = outcome.row;
    const registry = this.registry;
    const slot = registry.slotOf(row.idNumber);
    const first = this.firstLine.setIfAbsent(row.idNumber, row.line);
    if (first !== undefined) {
      found(this.about(row, slot, 'duplicate_row', `与第${first}行重复`));
      return null;
    }
    if (slot !== undefined) {
      registry.markSeen(slot);
      if (!sameName(row.name, registry.name(slot))) {
        found(this.about(row, slot, 'name_mismatch', '花名册姓名与登记姓名不一致'));
      }
    }
    this.rules(row, slot, found);
    return null;
  }

  *rest(): Iterable<FoundDiscrepancy> {
    const registry = this.registry;
    for (let slot = 0; slot < registry.size; slot++) {
      if (!registry.wasSeen(slot)) {
        const d = this.missing(slot);
        if (d) {
          yield d;
        }
      }
    }
  }
}
