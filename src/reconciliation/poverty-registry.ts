import type { DataSource } from 'typeorm';
import type { HouseholdStatus } from '../households/household.entity.js';
import { Household } from '../households/household.entity.js';
import type { PersonStatus } from '../households/person.entity.js';
import { Person } from '../households/person.entity.js';
import { Region } from '../regions/region.entity.js';
import { IdNumberIndex } from '../uploads/id-number-index.js';
import { streamRows } from './registry-snapshot.js';

export interface RegisteredHousehold {
  id: number;
  registryNo: string;
  regionCode: string;
  status: HouseholdStatus;
}

/**
 * The registry as the poverty office's register is compared with it: every household (by id and
 * by 户编号) and every person (by ID number, in parallel arrays: a million fit in a few hundred MB),
 * and the known region codes.
 */
export class PovertyRegistry {
  /** Village and sub-district codes: where a household may be registered. */
  readonly regions = new Set<string>();
  private readonly households = new Map<number, RegisteredHousehold>();
  private readonly byRegistryNo = new Map<string, RegisteredHousehold>();
  private readonly slots = new IdNumberIndex();
  private readonly ids: number[] = [];
  private readonly numbers: string[] = [];
  private readonly names: string[] = [];
  private readonly statuses: PersonStatus[] = [];
  private readonly householdOf: RegisteredHousehold[] = [];
  private seen = new Uint8Array(0);

  get size(): number {
    return this.ids.length;
  }

  addHousehold(h: RegisteredHousehold): void {
    this.households.set(h.id, h);
    this.byRegistryNo.set(h.registryNo, h);
  }

  addPerson(p: { id: number; idNumber: string; name: string; status: PersonStatus; householdId: number }): void {
    const household = this.households.get(p.householdId);
    if (!household) {
      return;
    }
    this.slots.setIfAbsent(p.idNumber, this.ids.length);
    this.ids.push(p.id);
    this.numbers.push(p.idNumber);
    this.names.push(p.name);
    this.statuses.push(p.status);
    this.householdOf.push(household);
  }

  seal(): void {
    this.seen = new Uint8Array(this.ids.length);
  }

  household(registryNo: string): RegisteredHousehold | undefined {
    return this.byRegistryNo.get(registryNo);
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

  status(slot: number): PersonStatus {
    return this.statuses[slot];
  }

  householdOfSlot(slot: number): RegisteredHousehold {
    return this.householdOf[slot];
  }
}

/** Loads the registry for a poverty reconciliation or its apply: regions, households, persons, each streamed in id order. */
export async function loadPovertyRegistry(db: DataSource): Promise<PovertyRegistry> {
  const registry = new PovertyRegistry();
  for (const r of await db.getRepository(Region).find({ select: { code: true, level: true } })) {
    if (r.level !== 'district') {
      registry.regions.add(r.code);
    }
  }
  const households = () =>
    db
      .createQueryBuilder()
      .select('h.id', 'id')
      .addSelect(['h.registryNo AS registryNo', 'h.regionCode AS regionCode', 'h.status AS status'])
      .from(Household, 'h');
  type HouseholdRow = Omit<RegisteredHousehold, 'id'> & { id: number | string };
  for await (const batch of streamRows<HouseholdRow>(db, households, 'h.id')) {
    for (const h of batch) {
      registry.addHousehold({ ...h, id: Number(h.id) });
    }
  }
  const persons = () =>
    db
      .createQueryBuilder()
      .select('p.id', 'id')
      .addSelect(['p.idNumber AS idNumber', 'p.name AS name', 'p.status AS status', 'p.householdId AS householdId'])
      .from(Person, 'p');
  type PersonRow = {
    id: number | string;
    idNumber: string;
    name: string;
    status: PersonStatus;
    householdId: number | string;
  };
  for await (const batch of streamRows<PersonRow>(db, persons, 'p.id')) {
    for (const p of batch) {
      registry.addPerson({ ...p, id: Number(p.id), householdId: Number(p.householdId) });
    }
  }
  registry.seal();
  return registry;
}
