import { randomInt } from 'node:crypto';
import { idCheckChar } from '../../src/common/id-number.js';

/** Villages of the demo district used by the tests: one in 城关街道 (officer1), one in 东塬街道 (officer2). */
export const VILLAGE_A = '610199001001';
export const VILLAGE_B = '610199002001';
export const SUBDISTRICT_A = '610199001000';
export const SUBDISTRICT_B = '610199002000';

// 20 000 birth dates × 100 sequence numbers × 5 sex digits: 10 000 000 numbers per sex; each test file
// starts at a random place, so files sharing one MySQL database rarely meet (issue #14's flake on MariaDB).
const ID_SPACE = 10_000_000;
let counter = randomInt(0, ID_SPACE);

/** A valid, unique resident ID number (area 110101) for a person of the given sex. */
export function newIdNumber(sex: 'male' | 'female' = 'male'): string {
  const n = counter++ % ID_SPACE;
  const birth = new Date(Date.UTC(1950, 0, 1) + (n % 20_000) * 86_400_000);
  const date = birth.toISOString().slice(0, 10).replaceAll('-', '');
  const seq = Math.floor(n / 20_000) % 100;
  const variant = Math.floor(n / 2_000_000) % 5;
  const sexDigit = sex === 'male' ? 1 + 2 * variant : 2 * variant;
  const first17 = `110101${date}${String(seq).padStart(2, '0')}${sexDigit}`;
  return first17 + idCheckChar(first17);
}

export function newRegistryNo(): string {
  return `T${Date.now().toString(36)}${(counter++).toString(36)}`.toUpperCase();
}

export interface HouseholdInput {
  registryNo: string;
  regionCode: string;
  povertyCause: string;
  registeredYear: number;
  status?: string;
  members: { idNumber: string; name: string; relation: string; status?: string }[];
}

/** A household body with a head and a spouse, unique numbers, in VILLAGE_A unless told otherwise. */
export function householdInput(overrides: Partial<HouseholdInput> = {}): HouseholdInput {
  return {
    registryNo: newRegistryNo(),
    regionCode: VILLAGE_A,
    povertyCause: 'illness',
    registeredYear: 2016,
    status: 'poor',
    members: [
      { idNumber: newIdNumber('male'), name: '测试户主', relation: 'head' },
      { idNumber: newIdNumber('female'), name: '测试配偶', relation: 'spouse' },
    ],
    ...overrides,
  };
}

/** What the service shows of an 18-character ID number: the first 6 and last 4, eight asterisks between. */
export function maskedId(idNumber: string): string {
  return `${idNumber.slice(0, 6)}********${idNumber.slice(-4)}`;
}
