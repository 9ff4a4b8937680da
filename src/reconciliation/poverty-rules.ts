import type { HouseholdStatus } from '../households/household.entity.js';
import type { PovertyHouseholdType, PovertyPersonStatus } from '../households/household-labels.js';
import type { PersonStatus } from '../households/person.entity.js';

/**
 * What the poverty office's register says of a household, as a registry status: 脱贫户 `lifted`,
 * 未脱贫户 `poor`; 监测户 agrees with `poor` and `lifted` alike, and makes a removed (or new)
 * household `poor` again. Null: the registry's status agrees.
 */
export function householdStatusFrom(
  type: PovertyHouseholdType,
  current: HouseholdStatus | null,
): HouseholdStatus | null {
  const target: HouseholdStatus = type === 'monitored' ? (current === 'removed' || !current ? 'poor' : current) : type;
  return target === current ? null : target;
}

/**
 * What the register says of an active person, as a registry status: 死亡 `deceased`, 迁出 and 清退
 * `moved`; null for 正常 (a person who is deceased or moved here is never made active by a roster).
 */
export function personStatusFrom(status: PovertyPersonStatus, current: PersonStatus): PersonStatus | null {
  if (current !== 'active' || status === 'normal') {
    return null;
  }
  return status === 'deceased' ? 'deceased' : 'moved';
}
