import { createHash } from 'node:crypto';
import type { HouseholdStatus } from '../households/household.entity.js';
import type { PersonRelation } from '../households/person.entity.js';
import { IdNumberIndex } from '../uploads/id-number-index.js';
import type { RosterRow } from '../uploads/roster-file.js';
import type { PovertyRegistry } from './poverty-registry.js';
import { type PovertyField, type PovertyRow, readPovertyRow } from './poverty-rows.js';
import { householdStatusFrom, personStatusFrom } from './poverty-rules.js';
import type { RegistryChangeKind } from './registry-change.entity.js';

/** The kinds that change the registry when applied (the others are for items only). */
export const APPLICABLE_KINDS = [
  'poverty_not_registered',
  'member_household_mismatch',
  'household_status_mismatch',
  'person_status_mismatch',
] as const;
export type ApplicableKind = (typeof APPLICABLE_KINDS)[number];

/** One change applying a poverty roster makes; before/after are codes (a status, a 户编号). */
export interface PlannedChange {
  change: RegistryChangeKind;
  line: number;
  /** The household's 户编号: the one changed, or the one a person is added or moved to. */
  registryNo: string;
  /** The registered household; null for one this apply adds. */
  householdId: number | null;
  personId: number | null;
  /** A person's ID number (an added or moved one, or one whose status changes). */
  idNumber: string | null;
  name: string | null;
  before: string | null;
  after: string;
  /** For an added household: its region; for an added person: their relation to the head. */
  regionCode?: string;
  relation?: PersonRelation;
  /** For a person's move: the registered household they leave. */
  fromHouseholdId?: number;
}

/** The order changes are written in: households before the persons added to them, persons before statuses. */
export const WRITE_ORDER: readonly RegistryChangeKind[] = [
  'household_added',
  'person_added',
  'person_household',
  'person_status',
  'household_status',
];

/**
 * What applying the chosen kinds of a poverty roster changes in the registry as it is now, built
 * row by row exactly as the comparison reads them (the first row of an ID number, a household's
 * status from its first row). A person added to, or moved to, a 户编号 the registry lacks adds the
 * household (from that row: its region, its 户类型) — unless its 区划代码 is none of the district's
 * villages or sub-districts: then the row is `unplaceable` and nothing is planned for it.
 */
export class PovertyApplyPlan {
  readonly changes: PlannedChange[] = [];
  /** Rows whose person would need a household in an unknown region. */
  unplaceable = 0;
  private readonly firstLine = new IdNumberIndex();
  private readonly householdsCompared = new Set<string>();
  private readonly householdsAdded = new Set<string>();

  constructor(
    private readonly registry: PovertyRegistry,
    private readonly kinds: ReadonlySet<ApplicableKind>,
    private readonly today: string,
  ) {}

  add(raw: RosterRow<PovertyField>): void {
    const outcome = readPovertyRow(raw, this.today);
    if (outcome.kind !== 'row' || this.firstLine.setIfAbsent(outcome.row.idNumber, outcome.row.line) !== undefined) {
      return;
    }
    const row = outcome.row;
    const registry = this.registry;
    const theirs = registry.household(row.registryNo);
    if (theirs && !this.householdsCompared.has(row.registryNo)) {
      this.householdsCompared.add(row.registryNo);
      const target = householdStatusFrom(row.householdType, theirs.status);
      if (target && this.kinds.has('household_status_mismatch')) {
        this.push(row, 'household_status', { householdId: theirs.id, before: theirs.status, after: target });
      }
    }
    const slot = registry.slotOf(row.idNumber);
    if (slot === undefined) {
      if (row.personStatus === 'normal' && this.kinds.has('poverty_not_registered') && this.placed(row)) {
        this.push(row, 'person_added', {
          householdId: theirs?.id ?? null,
          idNumber: row.idNumber,
          name: row.name,
          before: null,
          after: 'active',
          relation: row.relation,
        });
      }
      return;
    }
    const ours = registry.householdOf(slot);
    const person = { personId: registry.personId(slot), idNumber: row.idNumber, name: registry.name(slot) };
    if (ours.registryNo !== row.registryNo && this.kinds.has('member_household_mismatch') && this.placed(row)) {
      this.push(row, 'person_household', {
        ...person,
        householdId: theirs?.id ?? null,
        fromHouseholdId: ours.id,
        before: ours.registryNo,
        after: row.registryNo,
      });
    }
    const status = personStatusFrom(row.personStatus, registry.status(slot));
    if (status && this.kinds.has('person_status_mismatch')) {
      this.push(row, 'person_status', {
        ...person,
        householdId: ours.id,
        before: registry.status(slot),
        after: status,
      });
    }
  }

  /** The changes in the order they are written (WRITE_ORDER, then roster line). */
  inWriteOrder(): PlannedChange[] {
    return WRITE_ORDER.flatMap((kind) => this.changes.filter((c) => c.change === kind));
  }

  /** The confirmation of this plan: the same changes give the same token. */
  token(): string {
    const hash = createHash('sha256');
    for (const c of this.changes) {
      hash.update(`${c.change}:${c.line}:${c.registryNo}:${c.personId}:${c.idNumber}:${c.before}>${c.after};`);
    }
    return hash.digest('hex').slice(0, 32);
  }

  /** The row's household is registered, or is added by this plan (once); false when its region is unknown. */
  private placed(row: PovertyRow): boolean {
    if (this.registry.household(row.registryNo) || this.householdsAdded.has(row.registryNo)) {
      return true;
    }
    if (!this.registry.regions.has(row.regionCode)) {
      this.unplaceable++;
      return false;
    }
    this.householdsAdded.add(row.registryNo);
    const status: HouseholdStatus = householdStatusFrom(row.householdType, null) ?? 'poor';
    this.push(row, 'household_added', { householdId: null, before: null, after: status, regionCode: row.regionCode });
    return true;
  }

  private push(
    row: PovertyRow,
    change: RegistryChangeKind,
    fields: Partial<PlannedChange> & Pick<PlannedChange, 'householdId' | 'before' | 'after'>,
  ): void {
    this.changes.push({
      change,
      line: row.line,
      registryNo: row.registryNo,
      personId: null,
      idNumber: null,
      name: null,
      ...fields,
    });
  }
}
