import { maskIdLike } from '../common/mask-id-like.js';
import type { RosterRow } from '../uploads/roster-file.js';
import type { DiscrepancyKind } from './discrepancy.entity.js';
import { INSURANCE_COLUMNS, type InsuranceField, type InsuranceRow, insuranceRowReader } from './insurance-rows.js';
import type { HouseholdOfPerson, RegistrySnapshot } from './registry-snapshot.js';
import { ByIdComparer, type FoundDiscrepancy, type ReadRow } from './roster-comparer.js';

/**
 * The insurance bureau's roster for a year against the registry (SPEC §2 Reconciliation): the
 * shared diff by ID number (ByIdComparer) and the insurance rules — subsidized but unregistered,
 * deceased but enrolled, listed 未参保 or missing while they should be insured.
 */
export class InsuranceComparer extends ByIdComparer<InsuranceField, InsuranceRow, HouseholdOfPerson> {
  readonly columns = INSURANCE_COLUMNS;
  private readonly readRow: (raw: RosterRow<InsuranceField>) => ReadRow<InsuranceRow>;

  constructor(
    protected override readonly registry: RegistrySnapshot,
    year: number,
    today: string,
  ) {
    super(registry);
    this.readRow = insuranceRowReader(year, today);
  }

  protected read(raw: RosterRow<InsuranceField>): ReadRow<InsuranceRow> {
    return this.readRow(raw);
  }

  protected about(
    row: InsuranceRow,
    slot: number | undefined,
    kind: DiscrepancyKind,
    detail: string,
  ): FoundDiscrepancy {
    const registry = this.registry;
    return {
      kind,
      idNumber: row.idNumber,
      line: row.line,
      personId: slot === undefined ? null : registry.personId(slot),
      householdId: null,
      rosterName: maskIdLike(row.name).slice(0, 64) || null,
      registryName: slot === undefined ? null : registry.name(slot),
      regionCode: slot === undefined ? null : registry.regionCode(slot),
      detail,
    };
  }

  protected rules(row: InsuranceRow, slot: number | undefined, found: (d: FoundDiscrepancy) => void): void {
    const registry = this.registry;
    if (slot === undefined) {
      if (row.subsidized) {
        found(this.about(row, slot, 'insured_not_registered', '资助参保，但不在建档立卡登记中'));
      }
      return;
    }
    if (row.enrolled && registry.isDeceased(slot)) {
      found(this.about(row, slot, 'deceased_insured', '登记为已故，花名册仍为参保'));
    }
    if (!row.enrolled && registry.shouldBeInsured(slot)) {
      found(
        this.about(
          row,
          slot,
          'registered_not_insured',
          registry.registryEnrolled(slot) ? '花名册标记为未参保（登记的参保记录为已参保）' : '花名册标记为未参保',
        ),
      );
    }
  }

  protected missing(slot: number): FoundDiscrepancy | null {
    const registry = this.registry;
    if (!registry.shouldBeInsured(slot)) {
      return null;
    }
    return {
      kind: 'registered_not_insured',
      idNumber: registry.idNumber(slot),
      line: null,
      personId: registry.personId(slot),
      householdId: null,
      rosterName: null,
      registryName: registry.name(slot),
      regionCode: registry.regionCode(slot),
      detail: registry.registryEnrolled(slot) ? '花名册中没有此人（登记的参保记录为已参保）' : '花名册中没有此人',
    };
  }
}
