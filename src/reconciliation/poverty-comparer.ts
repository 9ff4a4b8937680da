import { maskIdLike } from '../common/mask-id-like.js';
import { HOUSEHOLD_STATUS_LABELS, PERSON_STATUS_LABELS } from '../households/household-labels.js';
import { IdNumberIndex } from '../uploads/id-number-index.js';
import type { RosterRow } from '../uploads/roster-file.js';
import { sameName } from './insurance-rows.js';
import type { PovertyRegistry } from './poverty-registry.js';
import {
  HOUSEHOLD_TYPE_LABELS,
  POVERTY_COLUMNS,
  POVERTY_PERSON_STATUS_LABELS,
  type PovertyField,
  type PovertyRow,
  readPovertyRow,
} from './poverty-rows.js';
import { householdStatusFrom, personStatusFrom } from './poverty-rules.js';
import type { SkippedRow } from './reconciliation.entity.js';
import type { FoundDiscrepancy, RosterComparer } from './roster-comparer.js';

/** 脱贫户（2019年脱贫）. */
export function householdTypeText(row: Pick<PovertyRow, 'householdType' | 'liftedYear'>): string {
  const label = HOUSEHOLD_TYPE_LABELS[row.householdType];
  return row.liftedYear ? `${label}（${row.liftedYear}年脱贫）` : label;
}

/**
 * The poverty office's register against the registry (SPEC §6.5), by ID number for persons and by
 * 户编号 for households (a household's status is compared once, on its first row). Persons of a
 * household that is not removed, active here and missing there, are `registered_not_in_poverty`.
 */
export class PovertyComparer implements RosterComparer<PovertyField> {
  readonly columns = POVERTY_COLUMNS;
  private readonly firstLine = new IdNumberIndex();
  private readonly householdsCompared = new Set<string>();

  constructor(
    private readonly registry: PovertyRegistry,
    private readonly today: string,
  ) {}

  get size(): number {
    return this.registry.size;
  }

  compare(raw: RosterRow<PovertyField>, found: (d: FoundDiscrepancy) => void): SkippedRow | null {
    const registry = this.registry;
    const outcome = readPovertyRow(raw, this.today);
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
    const slot = registry.slotOf(row.idNumber);
    const theirs = registry.household(row.registryNo);
    const ours = slot === undefined ? undefined : registry.householdOfSlot(slot);
    const rosterName = maskIdLike(row.name).slice(0, 64) || null;
    const person = (kind: FoundDiscrepancy['kind'], detail: string): FoundDiscrepancy => ({
      kind,
      idNumber: row.idNumber,
      line: row.line,
      personId: slot === undefined ? null : registry.personId(slot),
      householdId: (ours ?? theirs)?.id ?? null,
      rosterName,
      registryName: slot === undefined ? null : registry.name(slot),
      regionCode: (ours ?? theirs)?.regionCode ?? (registry.regions.has(row.regionCode) ? row.regionCode : null),
      detail,
    });
    const first = this.firstLine.setIfAbsent(row.idNumber, row.line);
    if (first !== undefined) {
      found(person('duplicate_row', `与第${first}行重复`));
      return null;
    }
    if (theirs && !this.householdsCompared.has(row.registryNo)) {
      this.householdsCompared.add(row.registryNo);
      const target = householdStatusFrom(row.householdType, theirs.status);
      if (target) {
        found({
          kind: 'household_status_mismatch',
          idNumber: row.idNumber,
          line: row.line,
          personId: null,
          householdId: theirs.id,
          rosterName,
          registryName: null,
          regionCode: theirs.regionCode,
          detail: `户编号 ${row.registryNo}：本系统为“${HOUSEHOLD_STATUS_LABELS[theirs.status]}”，扶贫办为${householdTypeText(row)}`,
        });
      }
    }
    if (slot === undefined) {
      if (row.personStatus === 'normal') {
        found(
          person(
            'poverty_not_registered',
            `扶贫办登记在户编号 ${row.registryNo}（${householdTypeText(row)}），本系统${theirs ? '此户中' : ''}没有此人`,
          ),
        );
      }
      return null;
    }
    registry.markSeen(slot);
    if (!sameName(row.name, registry.name(slot))) {
      found(person('name_mismatch', '花名册姓名与登记姓名不一致'));
    }
    if (ours && ours.registryNo !== row.registryNo) {
      found(
        person('member_household_mismatch', `本系统登记在户编号 ${ours.registryNo}，扶贫办在户编号 ${row.registryNo}`),
      );
    }
    const status = registry.status(slot);
    if (personStatusFrom(row.personStatus, status)) {
      found(
        person(
          'person_status_mismatch',
          `扶贫办为“${POVERTY_PERSON_STATUS_LABELS[row.personStatus]}”，本系统为“${PERSON_STATUS_LABELS[status]}”`,
        ),
      );
    }
    return null;
  }

  *rest(): Iterable<FoundDiscrepancy> {
    const registry = this.registry;
    for (let slot = 0; slot < registry.size; slot++) {
      const household = registry.householdOfSlot(slot);
      if (!registry.wasSeen(slot) && registry.status(slot) === 'active' && household.status !== 'removed') {
        yield {
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
  }
}
