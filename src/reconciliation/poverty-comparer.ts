import { maskIdLike } from '../common/mask-id-like.js';
import { HOUSEHOLD_STATUS_LABELS, PERSON_STATUS_LABELS } from '../households/household-labels.js';
import type { RosterRow } from '../uploads/roster-file.js';
import type { DiscrepancyKind } from './discrepancy.entity.js';
import type { PovertyRegistry, RegisteredHousehold } from './poverty-registry.js';
import {
  HOUSEHOLD_TYPE_LABELS,
  POVERTY_COLUMNS,
  POVERTY_PERSON_STATUS_LABELS,
  type PovertyField,
  type PovertyRow,
  readPovertyRow,
} from './poverty-rows.js';
import { householdStatusFrom, personStatusFrom } from './poverty-rules.js';
import { ByIdComparer, type FoundDiscrepancy, type ReadRow } from './roster-comparer.js';

/** 脱贫户（2019年脱贫）. */
export function householdTypeText(row: Pick<PovertyRow, 'householdType' | 'liftedYear'>): string {
  const label = HOUSEHOLD_TYPE_LABELS[row.householdType];
  return row.liftedYear ? `${label}（${row.liftedYear}年脱贫）` : label;
}

/**
 * The poverty office's register against the registry (SPEC §6.5): the shared diff by ID number
 * (ByIdComparer) and the poverty rules — by 户编号 for households (a household's status is compared
 * once, on its first row), the person's household and status. Persons of a household that is not
 * removed, active here and missing there, are `registered_not_in_poverty`.
 */
export class PovertyComparer extends ByIdComparer<PovertyField, PovertyRow, RegisteredHousehold> {
  readonly columns = POVERTY_COLUMNS;
  /** Registered households whose status was compared (on their first row), by id. */
  private readonly householdsCompared = new Set<number>();

  constructor(
    protected override readonly registry: PovertyRegistry,
    private readonly today: string,
  ) {
    super(registry);
  }

  protected read(raw: RosterRow<PovertyField>): ReadRow<PovertyRow> {
    return readPovertyRow(raw, this.today);
  }

  protected about(row: PovertyRow, slot: number | undefined, kind: DiscrepancyKind, detail: string): FoundDiscrepancy {
    const registry = this.registry;
    const household = slot === undefined ? registry.household(row.registryNo) : registry.householdOf(slot);
    return {
      kind,
      idNumber: row.idNumber,
      line: row.line,
      personId: slot === undefined ? null : registry.personId(slot),
      householdId: household?.id ?? null,
      rosterName: maskIdLike(row.name).slice(0, 64) || null,
      registryName: slot === undefined ? null : registry.name(slot),
      regionCode: household?.regionCode ?? (registry.regions.has(row.regionCode) ? row.regionCode : null),
      detail,
    };
  }

  protected rules(row: PovertyRow, slot: number | undefined, found: (d: FoundDiscrepancy) => void): void {
    const registry = this.registry;
    const theirs = registry.household(row.registryNo);
    if (theirs && !this.householdsCompared.has(theirs.id)) {
      this.householdsCompared.add(theirs.id);
      const target = householdStatusFrom(row.householdType, theirs.status);
      if (target) {
        found({
          kind: 'household_status_mismatch',
          idNumber: row.idNumber,
          line: row.line,
          personId: null,
          householdId: theirs.id,
          rosterName: maskIdLike(row.name).slice(0, 64) || null,
          registryName: null,
          regionCode: theirs.regionCode,
          detail: `户编号 ${row.registryNo}：本系统为“${HOUSEHOLD_STATUS_LABELS[theirs.status]}”，扶贫办为${householdTypeText(row)}`,
        });
      }
    }
    if (slot === undefined) {
      if (row.personStatus === 'normal') {
        found(
          this.about(
            row,
            slot,
            'poverty_not_registered',
            `扶贫办登记在户编号 ${row.registryNo}（${householdTypeText(row)}），本系统${theirs ? '此户中' : ''}没有此人`,
          ),
        );
      }
      return;
    }
    const ours = registry.householdOf(slot);
    if (ours.registryNo !== row.registryNo) {
      found(
        this.about(
          row,
          slot,
          'member_household_mismatch',
          `本系统登记在户编号 ${ours.registryNo}，扶贫办在户编号 ${row.registryNo}`,
        ),
      );
    }
    const status = registry.status(slot);
    if (personStatusFrom(row.personStatus, status)) {
      found(
        this.about(
          row,
          slot,
          'person_status_mismatch',
          `扶贫办为“${POVERTY_PERSON_STATUS_LABELS[row.personStatus]}”，本系统为“${PERSON_STATUS_LABELS[status]}”`,
        ),
      );
    }
  }

  protected missing(slot: number): FoundDiscrepancy | null {
    const registry = this.registry;
    const household = registry.householdOf(slot);
    if (!registry.isActive(slot) || household.status === 'removed') {
      return null;
    }
    return {
      kind: 'registered_not_in_poverty',
      idNumber: registry.idNumber(slot),
      line: null,
      personId: registry.personId(slot),
      householdId: household.id,
      rosterName: null,
      registryName: registry.name(slot),
      regionCode: household.regionCode,
      detail: `户编号 ${household.registryNo}（${HOUSEHOLD_STATUS_LABELS[household.status]}）：扶贫办花名册中没有此人`,
    };
  }
}
