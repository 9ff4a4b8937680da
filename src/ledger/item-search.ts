import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { scopePrefixOf } from '../auth/region-scope.js';
import { hasPermission, Permission } from '../auth/roles.js';

/** LIKE's escape character here: `!` rather than a backslash, which MySQL string literals would eat. */
const ESCAPE = '!';

/** A text as a LIKE pattern that matches it literally: `%`, `_` and the escape character itself escaped. */
export function likeLiteral(text: string): string {
  return text.replace(/[!%_]/g, (c) => `${ESCAPE}${c}`);
}

/** The last four characters of a resident ID number (the check digit may be X). */
const ID_TAIL = /^\d{3}[\dXx]$/;

/**
 * The village (村（社区）) of item alias `i` as SQL: where its subject's household is registered — a
 * person's household or the household itself — and, for an item without such a subject, its own
 * sub-district (the dashboard's 街道本级 row). The same placement as the progress table's rows.
 */
export const ITEM_VILLAGE_SQL =
  '(COALESCE(' +
  "(SELECT vh.regionCode FROM persons vp INNER JOIN households vh ON vh.id = vp.householdId WHERE i.subjectType = 'person' AND vp.id = i.subjectId), " +
  "(SELECT vh2.regionCode FROM households vh2 WHERE i.subjectType = 'household' AND vh2.id = i.subjectId), " +
  'i.regionCode))';

/**
 * 搜索 on items alias `i`: the title contains the text; for roles that read persons, also the subject
 * person's name (a household subject's: any member's) contains it, or — four digits, the last one
 * possibly X — their ID number ends with it. Plain text throughout: bound parameters, LIKE's
 * metacharacters escaped. An officer finds a person only while the household lies in their
 * sub-district, as the list names subjects only then.
 */
export function applyItemSearch<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  user: AuthUser,
  text: string,
): void {
  const contains = `%${likeLiteral(text)}%`;
  const conditions = [`i.title LIKE :searchText ESCAPE '${ESCAPE}'`];
  qb.setParameter('searchText', contains);
  if (hasPermission(user.role, Permission.PersonsRead)) {
    const prefix = scopePrefixOf(user);
    const inScope = prefix === null ? '' : ' AND sh.regionCode LIKE :searchScope';
    if (prefix !== null) {
      qb.setParameter('searchScope', `${prefix}%`);
    }
    const matches = [`sp.name LIKE :searchText ESCAPE '${ESCAPE}'`];
    if (ID_TAIL.test(text)) {
      matches.push(`sp.idNumber LIKE :searchIdTail ESCAPE '${ESCAPE}'`);
      qb.setParameter('searchIdTail', `%${text.toUpperCase()}`);
    }
    const person = `(${matches.join(' OR ')})`;
    conditions.push(
      "EXISTS (SELECT 1 FROM persons sp INNER JOIN households sh ON sh.id = sp.householdId WHERE i.subjectType = 'person' " +
        `AND sp.id = i.subjectId AND ${person}${inScope})`,
      "EXISTS (SELECT 1 FROM persons sp INNER JOIN households sh ON sh.id = sp.householdId WHERE i.subjectType = 'household' " +
        `AND sp.householdId = i.subjectId AND ${person}${inScope})`,
    );
  }
  qb.andWhere(`(${conditions.join(' OR ')})`);
}
