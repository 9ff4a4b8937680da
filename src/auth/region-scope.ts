import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { regionPrefix } from '../regions/region-codes.js';
import type { AuthUser } from './auth-user.js';

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
