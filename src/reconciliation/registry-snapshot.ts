import type { DataSource } from 'typeorm';
import { InsuranceEnrollment } from '../health/insurance-enrollment.entity.js';
import { loadPersons, RegistryPersons, streamRows } from './registry-persons.js';

/** What a person of the insurance reconciliation keeps of their household: one object per region and status, shared. */
export interface HouseholdOfPerson {
  removed: boolean;
  regionCode: string;
}

/**
 * The registry as the insurance bureau's roster for a year is compared with it: the persons
 * (RegistryPersons) with their household's region and whether it is removed, and — the insurance
 * column — whether the registry records them enrolled for the year.
 */
export class RegistrySnapshot extends RegistryPersons<HouseholdOfPerson> {
  /** `enrolled`: the ids of the persons the registry records enrolled for the year. */
  constructor(private readonly enrolled: ReadonlySet<number>) {
    super();
  }

  regionCode(slot: number): string {
    return this.householdOf(slot).regionCode;
  }

  isDeceased(slot: number): boolean {
    return this.status(slot) === 'deceased';
  }

  /** An active person of a household that is not removed: someone who should be insured (SPEC §2 checks). */
  shouldBeInsured(slot: number): boolean {
    return this.isActive(slot) && !this.householdOf(slot).removed;
  }

  registryEnrolled(slot: number): boolean {
    return this.enrolled.has(this.personId(slot));
  }
}

/**
 * Loads every registered person with their household's status and region and whether the registry
 * records them enrolled for `year`: the enrollments streamed first, then the households and persons
 * (loadPersons).
 */
export async function loadRegistry(db: DataSource, year: number): Promise<RegistrySnapshot> {
  const enrolled = new Set<number>();
  const enrollments = () =>
    db
      .createQueryBuilder()
      .select('e.id', 'id')
      .addSelect('e.personId', 'personId')
      .from(InsuranceEnrollment, 'e')
      .where('e.year = :year AND e.enrolled = :yes', { year, yes: true });
  for await (const batch of streamRows<{ id: number; personId: number | string }>(db, enrollments, 'e.id')) {
    for (const e of batch) {
      enrolled.add(Number(e.personId));
    }
  }
  const regions = new Map<string, HouseholdOfPerson[]>();
  return loadPersons(
    db,
    new RegistrySnapshot(enrolled),
    (h) => {
      let shared = regions.get(h.regionCode);
      if (!shared) {
        shared = [
          { removed: false, regionCode: h.regionCode },
          { removed: true, regionCode: h.regionCode },
        ];
        regions.set(h.regionCode, shared);
      }
      return shared[h.status === 'removed' ? 1 : 0];
    },
    { registryNo: false },
  );
}
