import { maskIdNumber } from '../common/id-number.js';
import type { Household } from './household.entity.js';
import type { Person } from './person.entity.js';

/**
 * A person as every response shows it: the ID number masked (610102********1234) and the birth date
 * coarsened to its year, because the masked digits are the birth date: the full date beside the mask
 * would rebuild the number (SPEC §2 Person).
 */
export interface PersonView {
  id: number;
  householdId: number;
  idNumber: string;
  name: string;
  sex: Person['sex'];
  birthYear: number;
  relation: Person['relation'];
  status: Person['status'];
  /** The day of 已故 or 迁出 (null while active). */
  statusChangedOn: string | null;
  version: number;
}

export function toPersonView(person: Person): PersonView {
  const { id, householdId, idNumber, name, sex, birthDate, relation, status, statusChangedOn, version } = person;
  const birthYear = Number(birthDate.slice(0, 4));
  const masked = maskIdNumber(idNumber);
  return { id, householdId, idNumber: masked, name, sex, birthYear, relation, status, statusChangedOn, version };
}

export interface HouseholdSummary {
  id: number;
  registryNo: string;
  regionCode: string;
  regionName: string | null;
  /** 街道: the sub-district the household's village lies in (or its own). */
  subdistrictCode: string;
  subdistrictName: string | null;
  povertyCause: Household['povertyCause'];
  registeredYear: number;
  status: Household['status'];
  version: number;
  headName: string | null;
  memberCount: number;
}

/** A household with its members, before the health records are added (HealthProfileService.forHousehold). */
export interface HouseholdRecord extends HouseholdSummary {
  members: PersonView[];
}
