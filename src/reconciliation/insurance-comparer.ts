import { maskIdLike } from '../common/mask-id-like.js';
import { IdNumberIndex } from '../uploads/id-number-index.js';
import type { RosterRow } from '../uploads/roster-file.js';
import { INSURANCE_COLUMNS, type InsuranceField, readInsuranceRow, sameName } from './insurance-rows.js';
import type { SkippedRow } from './reconciliation.entity.js';
import type { RegistrySnapshot } from './registry-snapshot.js';
import type { FoundDiscrepancy, RosterComparer } from './roster-comparer.js';

/** The insurance bureau's roster for a year against the registry (SPEC §2 Reconciliation). */
export class InsuranceComparer implements RosterComparer<InsuranceField> {
  readonly columns = INSURANCE_COLUMNS;
  private readonly firstLine = new IdNumberIndex();

  constructor(
    private readonly registry: RegistrySnapshot,
    private readonly year: number,
    private readonly today: string,
  ) {}

  get size(): number {
    return this.registry.size;
  }

  compare(raw: RosterRow<InsuranceField>, found: (d: FoundDiscrepancy) => void): SkippedRow | null {
    const registry = this.registry;
    const row = readInsuranceRow(raw, this.year, this.today);
    if (row.kind === 'skip') {
      return row.skipped;
    }
    if (row.kind === 'invalid_id') {
      found({
        kind: 'invalid_id',
        idNumber: row.idNumber.slice(0, 32),
        line: row.line,
        personId: null,
        householdId: null,
        rosterName: maskIdLike(row.name).slice(0, 64) || null,
        registryName: null,
        regionCode: null,
        detail: row.detail,
      });
      return null;
    }
    const slot = registry.slotOf(row.idNumber);
    const person = (kind: FoundDiscrepancy['kind'], detail: string): FoundDiscrepancy => ({
      kind,
      idNumber: row.idNumber,
      line: row.line,
      personId: slot === undefined ? null : registry.personId(slot),
      householdId: null,
      rosterName: maskIdLike(row.name).slice(0, 64) || null,
      registryName: slot === undefined ? null : registry.name(slot),
      regionCode: slot === undefined ? null : registry.regionCode(slot),
      detail,
    });
    const first = this.firstLine.setIfAbsent(row.idNumber, row.line);
    if (first !== undefined) {
      // Only the first row of a number is compared; the repeats are the discrepancy.
      found(person('duplicate_row', `与第${first}行重复`));
    } else if (slot === undefined) {
      if (row.subsidized) {
        found(person('insured_not_registered', '资助参保，但不在建档立卡登记中'));
      }
    } else {
      registry.markSeen(slot);
      if (!sameName(row.name, registry.name(slot))) {
        found(person('name_mismatch', '花名册姓名与登记姓名不一致'));
      }
      if (row.enrolled && registry.isDeceased(slot)) {
        found(person('deceased_insured', '登记为已故，花名册仍为参保'));
      }
      if (!row.enrolled && registry.shouldBeInsured(slot)) {
        found(
          person(
            'registered_not_insured',
            registry.registryEnrolled(slot) ? '花名册标记为未参保（登记的参保记录为已参保）' : '花名册标记为未参保',
          ),
        );
      }
    }
    return null;
  }

  *rest(): Iterable<FoundDiscrepancy> {
    const registry = this.registry;
    for (let slot = 0; slot < registry.size; slot++) {
      if (!registry.wasSeen(slot) && registry.shouldBeInsured(slot)) {
        yield {
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
  }
}
