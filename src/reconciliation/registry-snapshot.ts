import { DataSource, type SelectQueryBuilder } from 'typeorm';
import { InsuranceEnrollment } from '../health/insurance-enrollment.entity.js';
import { Household } from '../households/household.entity.js';
import { Person } from '../households/person.entity.js';
import { IdNumberIndex } from '../uploads/id-number-index.js';
import { streamBatches } from '../uploads/stream-batches.js';

/** Rows per keyset page where the driver cannot stream (SQLite). */
const PAGE = 20_000;

/**
 * Every row of a query in id order, in batches, without holding them all: one streamed query on
 * MySQL, keyset pages on SQLite (whose driver has one connection and no streaming). `build` selects
 * `id` from an alias whose id column is `idColumn`.
 */
export async function* streamRows<T extends { id: number | string }>(
  db: DataSource,
  build: () => SelectQueryBuilder<object>,
  idColumn: string,
): AsyncGenerator<T[]> {
  if (db.options.type === 'mysql') {
    const stream = await build().stream();
    try {
      yield* streamBatches<T>(stream);
    } finally {
      stream.destroy();
    }
    return;
  }
  let after = 0;
  for (;;) {
    const page = await build()
      .andWhere(`${idColumn} > :after`, { after })
      .orderBy(idColumn, 'ASC')
      .limit(PAGE)
      .getRawMany<T>();
    if (page.length > 0) {
      yield page;
    }
    if (page.length < PAGE) {
      return;
    }
    after = Number(page[page.length - 1].id);
  }
}

const ACTIVE = 1;
const DECEASED = 2;
const HOUSEHOLD_REMOVED = 4;
const ENROLLED = 8;

interface RegistryRow {
  id: number | string;
  idNumber: string;
  name: string;
  status: string;
  householdId: number | string;
}

interface HouseholdOfPerson {
  removed: boolean;
  regionCode: string;
}

/**
 * The registry's persons for a reconciliation, held compactly (a Map from ID number to a slot, and
 * parallel arrays) so that a million persons fit in a few hundred MB: person id, name, region,
 * status flags and whether the registry records them enrolled for the year.
 */
export class RegistrySnapshot {
  private readonly slots = new IdNumberIndex();
  private readonly ids: number[] = [];
  private readonly numbers: string[] = [];
  private readonly names: string[] = [];
  private readonly regions: string[] = [];
  private readonly flags: number[] = [];
  private seen = new Uint8Array(0);

  get size(): number {
    return this.ids.length;
  }

  add(row: RegistryRow, household: HouseholdOfPerson, enrolled: boolean): void {
    const slot = this.ids.length;
    this.slots.setIfAbsent(row.idNumber, slot);
    this.ids.push(Number(row.id));
    this.numbers.push(row.idNumber);
    this.names.push(row.name);
    this.regions.push(household.regionCode);
    this.flags.push(
      (row.status === 'active' ? ACTIVE : 0) |
        (row.status === 'deceased' ? DECEASED : 0) |
        (household.removed ? HOUSEHOLD_REMOVED : 0) |
        (enrolled ? ENROLLED : 0),
    );
  }

  /** Call once loaded: sizes the "seen in the roster" marks. */
  seal(): void {
    this.seen = new Uint8Array(this.ids.length);
  }

  slotOf(idNumber: string): number | undefined {
    return this.slots.get(idNumber);
  }

  markSeen(slot: number): void {
    this.seen[slot] = 1;
  }

  wasSeen(slot: number): boolean {
    return this.seen[slot] === 1;
  }

  personId(slot: number): number {
    return this.ids[slot];
  }

  idNumber(slot: number): string {
    return this.numbers[slot];
  }

  name(slot: number): string {
    return this.names[slot];
  }

  regionCode(slot: number): string {
    return this.regions[slot];
  }

  isDeceased(slot: number): boolean {
    return (this.flags[slot] & DECEASED) !== 0;
  }

  /** An active person of a household that is not removed: someone who should be insured (SPEC §2 checks). */
  shouldBeInsured(slot: number): boolean {
    return (this.flags[slot] & (ACTIVE | HOUSEHOLD_REMOVED)) === ACTIVE;
  }

  registryEnrolled(slot: number): boolean {
    return (this.flags[slot] & ENROLLED) !== 0;
  }
}

/**
 * Loads every registered person with their household's status and region and whether the registry
 * records them enrolled for `year`: three streamed scans (enrollments, households, persons), each
 * read in primary-key order and joined here by id. A join in SQL would make the database visit
 * households and enrollments once per person, which at a million persons no longer fits its cache.
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

  const households = new Map<number, HouseholdOfPerson>();
  const regions = new Map<string, HouseholdOfPerson[]>(); // one object per region and status, shared
  const householdRows = () =>
    db
      .createQueryBuilder()
      .select('h.id', 'id')
      .addSelect(['h.status AS status', 'h.regionCode AS regionCode'])
      .from(Household, 'h');
  for await (const batch of streamRows<{ id: number | string; status: string; regionCode: string }>(
    db,
    householdRows,
    'h.id',
  )) {
    for (const h of batch) {
      let shared = regions.get(h.regionCode);
      if (!shared) {
        shared = [
          { removed: false, regionCode: h.regionCode },
          { removed: true, regionCode: h.regionCode },
        ];
        regions.set(h.regionCode, shared);
      }
      households.set(Number(h.id), shared[h.status === 'removed' ? 1 : 0]);
    }
  }

  const snapshot = new RegistrySnapshot();
  const persons = () =>
    db
      .createQueryBuilder()
      .select('p.id', 'id')
      .addSelect(['p.idNumber AS idNumber', 'p.name AS name', 'p.status AS status', 'p.householdId AS householdId'])
      .from(Person, 'p');
  for await (const batch of streamRows<RegistryRow>(db, persons, 'p.id')) {
    for (const row of batch) {
      const household = households.get(Number(row.householdId));
      if (household) {
        snapshot.add(row, household, enrolled.has(Number(row.id)));
      }
    }
  }
  snapshot.seal();
  return snapshot;
}
