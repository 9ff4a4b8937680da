import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from './auth-user.js';

const LEVEL_LENGTHS = [2, 4, 6, 9, 12];

/**
 * The significant prefix of a 12-digit division code: 610199000000 → 610199 (the district and
 * everything under it), 610199001000 → 610199001, a village code → itself.
 */
export function regionPrefix(code: string): string {
  for (const length of LEVEL_LENGTHS) {
    if (/^0*$/.test(code.slice(length))) {
      return code.slice(0, length);
    }
  }
  return code;
}

/** The sub-district a 12-digit village or sub-district code belongs to. */
export function subdistrictOf(code: string): string {
  return code.slice(0, 9) + '000';
}

/** The prefix the caller is confined to, or null for roles that see the whole district. */
export function scopePrefixOf(user: AuthUser): string | null {
  if (user.role !== 'subdistrict_officer') {
    return null;
  }
  // An officer without a sub-district sees nothing rather than everything.
  return user.regionCode ? regionPrefix(user.regionCode) : '-';
}

export function isInScope(user: AuthUser, regionCode: string): boolean {
  const prefix = scopePrefixOf(user);
  return prefix === null || regionCode.startsWith(prefix);
}

/**
 * The one place where sub-district scoping is applied to a query: keeps rows whose region column
 * lies under `requested` (when given) and, for an officer, under their own sub-district.
 * An officer asking for another sub-district silently gets nothing.
 */
export function applyRegionScope<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  column: string,
  user: AuthUser,
  requested?: string,
  /** The column always holds a sub-district code (items): a sub-district's prefix becomes `=`, which an index seeks. */
  holds: 'any' | 'subdistrict' = 'any',
): SelectQueryBuilder<T> {
  const prefixes = [requested ? regionPrefix(requested) : null, scopePrefixOf(user)].filter(
    (p): p is string => p !== null,
  );
  prefixes.forEach((prefix, i) => {
    const param = `scopePrefix${i}`;
    if (holds === 'subdistrict' && prefix.length === 9) {
      qb.andWhere(`${column} = :${param}`, { [param]: `${prefix}000` });
    } else {
      qb.andWhere(`${column} LIKE :${param}`, { [param]: `${prefix}%` });
    }
  });
  return qb;
}
