import type { AuthUser } from './auth-user.js';
import { regionPrefix, subdistrictOf } from '../regions/region-codes.js';
import { applyRegionScope, isInScope, scopePrefixOf } from './region-scope.js';
import type { Role } from './roles.js';

const user = (role: Role, regionCode: string | null = null): AuthUser => ({
  id: 1,
  username: 'u',
  displayName: 'u',
  role,
  regionCode,
});

describe('regionPrefix', () => {
  it.each([
    ['610000000000', '61'], // province
    ['610100000000', '6101'], // city
    ['610199000000', '610199'], // district
    ['610199001000', '610199001'], // sub-district
    ['610199010000', '610199010'], // sub-district numbered 010
    ['610199100000', '610199100'], // sub-district numbered 100
    ['610199001001', '610199001001'], // village
    ['610199001010', '610199001010'], // village numbered 010
    ['610199001100', '610199001100'], // village numbered 100
  ])('%s → %s', (code, prefix) => {
    expect(regionPrefix(code)).toBe(prefix);
  });
});

describe('subdistrictOf', () => {
  it.each([
    ['610199001001', '610199001000'],
    ['610199002100', '610199002000'],
    ['610199001000', '610199001000'],
  ])('%s → %s', (code, subdistrict) => {
    expect(subdistrictOf(code)).toBe(subdistrict);
  });
});

describe('scopePrefixOf', () => {
  it.each<Role>(['admin', 'health_caseworker', 'insurance_reconciler', 'viewer'])('%s is not confined', (role) => {
    expect(scopePrefixOf(user(role))).toBeNull();
  });

  it('confines an officer to the prefix of their sub-district', () => {
    expect(scopePrefixOf(user('subdistrict_officer', '610199002000'))).toBe('610199002');
  });

  it('gives an officer without a sub-district a prefix that matches no code', () => {
    const prefix = scopePrefixOf(user('subdistrict_officer', null));
    expect(prefix).not.toBeNull();
    expect('610199001001'.startsWith(prefix!)).toBe(false);
    expect(''.startsWith(prefix!)).toBe(false);
  });
});

describe('isInScope', () => {
  const officer = user('subdistrict_officer', '610199001000');

  it.each([
    ['610199001000', true], // the sub-district itself
    ['610199001001', true],
    ['610199001006', true],
    ['610199002001', false], // a village of the neighbouring sub-district
    ['610199002000', false],
    ['610199000000', false], // the district above
    ['610199010001', false], // sub-district 010 shares the digits "61019900" only
    ['620199001001', false],
  ])('officer of 610199001000 and %s → %s', (code, expected) => {
    expect(isInScope(officer, code)).toBe(expected);
  });

  it('lets the district-wide roles see every region', () => {
    for (const role of ['admin', 'health_caseworker', 'insurance_reconciler', 'viewer'] as const) {
      expect(isInScope(user(role), '610199002001')).toBe(true);
      expect(isInScope(user(role), '610199000000')).toBe(true);
    }
  });

  it('lets an officer without a sub-district see nothing', () => {
    const lost = user('subdistrict_officer', null);
    expect(isInScope(lost, '610199001001')).toBe(false);
    expect(isInScope(lost, '610199000000')).toBe(false);
  });
});

describe('applyRegionScope on a column of sub-district codes', () => {
  // A query builder stand-in that records the conditions (the SQL itself runs in the e2e tests).
  const recorder = () => {
    const where: [string, Record<string, unknown>][] = [];
    const qb = { andWhere: (sql: string, params: Record<string, unknown>) => (where.push([sql, params]), qb) };
    return { qb: qb as unknown as Parameters<typeof applyRegionScope>[0], where };
  };
  const officer = {
    id: 1,
    username: 'o',
    displayName: 'o',
    role: 'subdistrict_officer' as const,
    regionCode: '610199001000',
  };
  const caseworker = { id: 2, username: 'c', displayName: 'c', role: 'health_caseworker' as const, regionCode: null };

  it("seeks a sub-district with '=' and ranges over a district with LIKE", () => {
    const { qb, where } = recorder();
    applyRegionScope(qb, 'i.regionCode', caseworker, '610199000000', 'subdistrict');
    applyRegionScope(qb, 'i.regionCode', officer, undefined, 'subdistrict');
    expect(where).toEqual([
      ['i.regionCode LIKE :scopePrefix0', { scopePrefix0: '610199%' }],
      ['i.regionCode = :scopePrefix0', { scopePrefix0: '610199001000' }],
    ]);
  });

  it('keeps LIKE for columns that may hold villages', () => {
    const { qb, where } = recorder();
    applyRegionScope(qb, 'h.regionCode', officer);
    expect(where).toEqual([['h.regionCode LIKE :scopePrefix0', { scopePrefix0: '610199001%' }]]);
  });
});
