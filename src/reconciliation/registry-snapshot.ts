import { DataSource, type SelectQueryBuilder } from 'typeorm';
import { InsuranceEnrollment } from '../health/insurance-enrollment.entity.js';
import { Household } from '../households/household.entity.js';
import { Person } from '../households/person.entity.js';

/** Rows per keyset page where the driver cannot stream (SQLite). */
const PAGE = 20_000;

/**
 * Every row of a query, oldest id first, without holding them all: one streamed query on MySQL,
 * keyset pages on SQLite (whose driver has one connection and no streaming). `qb` selects `id`
 * from an alias whose id column is `idColumn`.
 */
export async function* streamRows<T extends { id: number | string }>(
  db: DataSource,
  build: () => SelectQueryBuilder<object>,
  idColumn: string,
): AsyncGenerator<T> {
  if (db.options.type === 'mysql') {
    const stream = await build().stream();
    try {
      for await (const row of stream as AsyncIterable<T>) {
        yield row;
      }
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
    for (const row of page) {
      yield row;
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
  householdStatus: string;
  regionCode: string;
  enrolled: number | boolean | null;
}

/**
 * The registry's persons for a reconciliation, held compactly (a Map from ID number to a slot, and
 * parallel arrays) so that a million persons fit in a few hundred MB: person id, name, region,
 * status flags and whether the registry records them enrolled for the year.
 */
export class RegistrySnapshot {
  private readonly slots = new Map<string, number>();
  private readonly ids: number[] = [];
  private readonly numbers: string[] = [];
  private readonly names: string[] = [];
  private readonly regions: string[] = [];
  private readonly flags: number[] = [];
  private seen = new Uint8Array(0);

  get size(): number {
    return this.ids.length;
  }

  add(row: RegistryRow, region: string): void {
    const slot = this.ids.length;
    this.slots.set(row.idNumber, slot);
    this.ids.push(Number(row.id));
    this.numbers.push(row.idNumber);
    this.names.push(row.name);
    this.regions.push(region);
    this.flags.push(
      (row.status === 'active' ? ACTIVE : 0) |
        (row.status === 'deceased' ? DECEASED : 0) |
        (row.householdStatus === 'removed' ? HOUSEHOLD_REMOVED : 0) |
        (row.enrolled === true || Number(row.enrolled) === 1 ? ENROLLED : 0),
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

/** Loads every registered person with their household and enrollment for `year` in one streamed query. */
export async function loadRegistry(db: DataSource, year: number): Promise<RegistrySnapshot> {
  const snapshot = new RegistrySnapshot();
  const regions = new Map<string, string>(); // one string per region code, not one per person
  const build = () =>
    db
      .createQueryBuilder()
      .select('p.id', 'id')
      .addSelect(['p.idNumber AS idNumber', 'p.name AS name', 'p.status AS status'])
      .addSelect(['h.status AS householdStatus', 'h.regionCode AS regionCode', 'e.enrolled AS enrolled'])
      .from(Person, 'p')
      .innerJoin(Household, 'h', 'h.id = p.householdId')
      .leftJoin(InsuranceEnrollment, 'e', 'e.personId = p.id AND e.year = :year', { year });
  for await (const row of streamRows<RegistryRow>(db, build, 'p.id')) {
    let region = regions.get(row.regionCode);
    if (region === undefined) {
      region = row.regionCode;
      regions.set(region, region);
    }
    snapshot.add(row, region);
  }
  snapshot.seal();
  return snapshot;
}
