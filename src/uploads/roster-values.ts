import type { IdNumberProblem } from '../common/id-number.js';
import { maskIdLike } from '../common/mask-id-like.js';
import { HOUSEHOLD_STATUSES, POVERTY_CAUSES } from '../households/household.entity.js';
import {
  HOUSEHOLD_STATUS_WORDS,
  POVERTY_CAUSE_WORDS,
  POVERTY_HOUSEHOLD_TYPE_WORDS,
  POVERTY_HOUSEHOLD_TYPES,
  POVERTY_PERSON_STATUS_WORDS,
  POVERTY_PERSON_STATUSES,
  RELATION_WORDS,
} from '../households/household-labels.js';
import { RELATIONS } from '../households/person.entity.js';

/**
 * Cell values of the rosters (SPEC §3 File formats): an enumeration as its code or any of its words
 * (households/household-labels.ts; the first is the one the template and the messages use), yes/no
 * as 是/否, 1/0 or true/false.
 */
function lookup<T extends string>(codes: readonly T[], words: Record<T, readonly string[]>): Map<string, T> {
  const map = new Map<string, T>();
  for (const code of codes) {
    map.set(code, code);
    words[code].forEach((word) => map.set(word, code));
  }
  return map;
}

const CAUSES = lookup(POVERTY_CAUSES, POVERTY_CAUSE_WORDS);
const STATUSES = lookup(HOUSEHOLD_STATUSES, HOUSEHOLD_STATUS_WORDS);
const RELATIONS_BY_NAME = lookup(RELATIONS, RELATION_WORDS);

const parser =
  <T extends string>(map: Map<string, T>) =>
  (value: string): T | null =>
    map.get(value) ?? map.get(value.toLowerCase()) ?? null;

export const parsePovertyCause = parser(CAUSES);
export const parseHouseholdStatus = parser(STATUSES);
export const parseRelation = parser(RELATIONS_BY_NAME);
export const parsePovertyHouseholdType = parser(lookup(POVERTY_HOUSEHOLD_TYPES, POVERTY_HOUSEHOLD_TYPE_WORDS));
export const parsePovertyPersonStatus = parser(lookup(POVERTY_PERSON_STATUSES, POVERTY_PERSON_STATUS_WORDS));

/** "因病（illness）、因残（disability）、…": what an enumeration accepts, for messages. */
export function describeChoices<T extends string>(codes: readonly T[], labels: Record<T, string>): string {
  return codes.map((code) => `${labels[code]}（${code}）`).join('、');
}

const YES = new Set(['是', '1', 'true', 'y', 'yes', '已参保', '参保', '已资助', '资助', '√']);
const NO = new Set(['否', '0', 'false', 'n', 'no', '未参保', '不参保', '未资助', '×']);

/** 是/否, 1/0, true/false (any case); null for anything else. */
export function parseYesNo(value: string): boolean | null {
  const v = value.toLowerCase();
  return YES.has(v) ? true : NO.has(v) ? false : null;
}

/** A whole year written as digits (2020, or 2020.0 from a spreadsheet); null otherwise. */
export function parseYear(value: string): number | null {
  if (value.length === 4) {
    // The usual cell, on character codes: every row of a million-row roster has one.
    let year = 0;
    for (let i = 0; i < 4; i++) {
      const d = value.charCodeAt(i) - 48;
      if (d < 0 || d > 9) {
        return null;
      }
      year = year * 10 + d;
    }
    return year;
  }
  const match = /^(\d{4})(?:\.0+)?$/.exec(value);
  return match ? Number(match[1]) : null;
}

/** User input quoted in a message: cut to a readable length, any ID number in it masked. */
export const quote = (value: string): string => `“${maskIdLike(value.length > 40 ? `${value.slice(0, 40)}…` : value)}”`;

/** What is wrong with an ID number, in the words of every row error (imports and reconciliations alike). */
export const ID_REASONS: Record<IdNumberProblem, string> = {
  format: '身份证号应为18位：17位数字加1位校验码（数字或X）',
  birth_date: '身份证号中的出生日期不存在（第7–14位）',
  check_digit: '身份证号校验位错误（GB 11643-1999）',
};

/** An ID number that a spreadsheet stored as a number has lost its last digits. */
export const IMPRECISE_ID = '身份证号以数字存储，表格只保留了15位有效数字：请将该列设为文本格式后重新填写';
