import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { Household, type HouseholdStatus } from '../households/household.entity.js';
import { Person, PERSON_STATUSES, type PersonStatus } from '../households/person.entity.js';
import { IdNumberColumn, withRoom } from '../uploads/id-number-column.js';
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

/** A household as the registry's scan reads it; `registryNo` only when the source asks for it. */
export interface HouseholdRow {
  id: number;
  status: HouseholdStatus;
  regionCode: string;
  registryNo?: string;
}

/** A person as the registry's scan reads it (MySQL may answer ids as strings). */
export interface PersonRow {
  id: number | string;
  idNumber: string;
  name: string;
  status: PersonStatus;
  householdId: number | string;
}

const STATUS_CODE = new Map<string, number>(PERSON_STATUSES.map((s, i) => [s, i]));

/**
 * The registry's persons as a reconciliation compares a roster with them, whatever the source: a
 * map from ID number to a slot (IdNumberIndex, ~12 bytes a number) and columns by slot — person id
 * and status (a small code) in typed arrays, the ID number packed (IdNumberColumn), the name, what
 * the person keeps of their household (`H`, chosen by the source and usually shared between
 * households) — and the "seen in the roster" marks. A million persons fit in a few hundred MB, and
 * the names are the only strings a person keeps (each retained object is work for every full
 * collection while the registry loads). A source extends it with its own columns.
 */
export class RegistryPersons<H> {
  private slots = new IdNumberIndex();
  private count = 0;
  private ids = new Int32Array(1024);
  private statuses = new Uint8Array(1024);
  private numbers = new IdNumberColumn();
  private readonly names: string[] = [];
  private readonly households: H[] = [];
  private seen = new Uint8Array(0);

  get size(): number {
    return this.count;
  }

  /** Before the first person: room for `expected` persons, so that the index and columns never grow while loading. */
  reserve(expected: number): void {
    if (this.count === 0) {
      this.slots = new IdNumberIndex(expected);
      this.ids = new Int32Array(expected);
      this.statuses = new Uint8Array(expected);
      this.numbers = new IdNumberColumn(expected);
    }
  }

  /** Adds a person (a repeated ID number keeps its first slot for lookups); answers the slot. */
  addPerson(row: PersonRow, household: H): number {
    const slot = this.count++;
    this.slots.setIfAbsent(row.idNumber, slot);
    this.ids = withRoom(this.ids, this.count);
    this.statuses = withRoom(this.statuses, this.count);
    this.ids[slot] = Number(row.id);
    this.statuses[slot] = STATUS_CODE.get(row.status) ?? 0;
    this.numbers.set(slot, row.idNumber);
    this.names.push(row.name);
    this.households.push(household);
    return slot;
  }

  /** Call once loaded: sizes the "seen in the roster" marks. */
  seal(): void {
    this.seen = new Uint8Array(this.count);
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
    return this.numbers.get(slot);
  }

  name(slot: number): string {
    return this.names[slot];
  }

  status(slot: number): PersonStatus {
    return PERSON_STATUSES[this.statuses[slot]];
  }

  isActive(slot: number): boolean {
    return this.statuses[slot] === 0;
  }

  householdOf(slot: number): H {
    return this.households[slot];
  }
}

/**
 * Fills `registry` with the registry's households and persons: two streamed scans, each in
 * primary-key order, joined here by id (a join in SQL would make the database visit a household once
 * per person, which at a million persons no longer fits its cache). `household` makes what a person
 * keeps of their household from its row; the source may share one object between households.
 */
export async function loadPersons<H, R extends RegistryPersons<H>>(
  db: DataSource,
  registry: R,
  household: (row: HouseholdRow) => H,
  options: { registryNo: boolean },
): Promise<R> {
  const households = new Map<number, H>();
  const householdRows = () =>
    db
      .createQueryBuilder()
      .select('h.id', 'id')
      .addSelect([
        'h.status AS status',
        'h.regionCode AS regionCode',
        ...(options.registryNo ? ['h.registryNo AS registryNo'] : []),
      ])
      .from(Household, 'h');
  type Raw = Omit<HouseholdRow, 'id'> & { id: number | string };
  for await (const batch of streamRows<Raw>(db, householdRows, 'h.id')) {
    for (const h of batch) {
      const id = Number(h.id);
      households.set(id, household({ ...h, id }));
    }
  }
  const [{ n }] = await db.query<{ n: number | string }[]>('SELECT COUNT(*) AS n FROM persons');
  registry.reserve(Number(n));
  const persons = () =>
    db
      .createQueryBuilder()
      .select('p.id', 'id')
      .addSelect(['p.idNumber AS idNumber', 'p.name AS name', 'p.status AS status', 'p.householdId AS householdId'])
      .from(Person, 'p');
  for await (const batch of streamRows<PersonRow>(db, persons, 'p.id')) {
    for (const p of batch) {
      const of = households.get(Number(p.householdId));
      if (of !== undefined) {
        registry.addPerson(p, of);
      }
    }
  }
  registry.seal();
  return registry;
}
