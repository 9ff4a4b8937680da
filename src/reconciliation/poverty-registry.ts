import type { DataSource } from 'typeorm';
import type { HouseholdStatus } from '../households/household.entity.js';
import { Region } from '../regions/region.entity.js';
import { loadPersons, RegistryPersons } from './registry-persons.js';

export interface RegisteredHousehold {
  id: number;
  registryNo: string;
  regionCode: string;
  status: HouseholdStatus;
}

/**
 * The registry as the poverty office's register is compared with it: the persons (RegistryPersons)
 * each with their household, and — the poverty columns — every household by 户编号 and the known
 * region codes.
 */
export class PovertyRegistry extends RegistryPersons<RegisteredHousehold> {
  /** Village and sub-district codes: where a household may be registered. */
  readonly regions = new Set<string>();
  private readonly byRegistryNo = new Map<string, RegisteredHousehold>();

  addHousehold(h: RegisteredHousehold): RegisteredHousehold {
    this.byRegistryNo.set(h.registryNo, h);
    return h;
  }

  household(registryNo: string): RegisteredHousehold | undefined {
    return this.byRegistryNo.get(registryNo);
  }
}

/** Loads the registry for a poverty reconciliation or its apply: regions, then households and persons (loadPersons). */
export async function loadPovertyRegistry(db: DataSource): Promise<PovertyRegistry> {
  const registry = new PovertyRegistry();
  for (const r of await db.getRepository(Region).find({ select: { code: true, level: true } })) {
    if (r.level !== 'district') {
      registry.regions.add(r.code);
    }
  }
  // One string per region code, shared by its households (the driver answers a new one per row).
  const codes = new Map<string, string>();
  const intern = (code: string) => codes.get(code) ?? (codes.set(code, code), code);
  return loadPersons(
    db,
    registry,
    (h) =>
      registry.addHousehold({
        id: h.id,
        registryNo: h.registryNo ?? '',
        regionCode: intern(h.regionCode),
        status: h.status,
      }),
    { registryNo: true },
  );
}
