// Resident identity number (居民身份证号码), GB 11643-1999:
// 6-digit area code, 8-digit birth date, 3-digit sequence (odd = male), 1 check character.
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';
const CHECK_CODES = [...CHECK_CHARS].map((c) => c.charCodeAt(0));
/** The character code of the check character X. */
const X = 88;

export type Sex = 'male' | 'female';

export type IdNumberProblem = 'format' | 'birth_date' | 'check_digit';

export interface IdNumberInfo {
  idNumber: string;
  birthDate: string; // YYYY-MM-DD
  sex: Sex;
}

/** The check character for the first 17 digits. */
export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i];
  }
  return CHECK_CHARS[sum % 11];
}

/**
 * Trims and upper-cases (a trailing x); does not validate. A cell of printable ASCII without a space
 * or a lower-case letter — every well-formed number — is answered as it is, without a copy.
 */
export function normalizeIdNumber(raw: string): string {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c <= 32 || c > 126 || (c >= 97 && c <= 122)) {
      return raw.trim().toUpperCase();
    }
  }
  return raw;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The digits of a date as one number: 2020-05-31 → 20200531. */
function dateNumber(date: string): number {
  let n = 0;
  for (let i = 0; i < date.length; i++) {
    const d = date.charCodeAt(i) - 48;
    if (d >= 0 && d <= 9) {
      n = n * 10 + d;
    }
  }
  return n;
}

/** Whether YYYYMMDD is a calendar date from 1850 up to `today` (also YYYYMMDD). */
function isBirthDate(date: number, today: number): boolean {
  const year = Math.floor(date / 10000);
  const month = Math.floor(date / 100) % 100;
  const day = date % 100;
  if (year < 1850 || month < 1 || month > 12 || day < 1 || date > today) {
    return false;
  }
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= DAYS_IN_MONTH[month - 1] + (month === 2 && leap ? 1 : 0);
}

/**
 * Validates an ID number; returns what is wrong with it, or null when it is valid.
 * `today` (YYYY-MM-DD) bounds the birth date: nobody is born in the future. On character codes,
 * without a regular expression, a substring or a date library: bulk imports and reconciliations
 * check a million numbers.
 */
export function idNumberProblem(idNumber: string, today?: string): IdNumberProblem | null {
  if (idNumber.length !== 18) {
    return 'format';
  }
  let sum = 0;
  let date = 0;
  for (let i = 0; i < 17; i++) {
    const d = idNumber.charCodeAt(i) - 48;
    if (d < 0 || d > 9) {
      return 'format';
    }
    sum += d * WEIGHTS[i];
    if (i >= 6 && i < 14) {
      date = date * 10 + d;
    }
  }
  const last = idNumber.charCodeAt(17);
  if ((last < 48 || last > 57) && last !== X) {
    return 'format';
  }
  if (!isBirthDate(date, today === undefined ? Infinity : dateNumber(today))) {
    return 'birth_date';
  }
  return last === CHECK_CODES[sum % 11] ? null : 'check_digit';
}

/** Sex and birth date derived from a valid ID number. */
export function parseIdNumber(idNumber: string): IdNumberInfo {
  const normalized = normalizeIdNumber(idNumber);
  const problem = idNumberProblem(normalized);
  if (problem) {
    throw new Error(`invalid ID number (${problem})`);
  }
  const d = normalized.slice(6, 14);
  return {
    idNumber: normalized,
    birthDate: `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`,
    sex: Number(normalized[16]) % 2 === 1 ? 'male' : 'female',
  };
}

/** 610102********1234: the area code and the last four stay, the birth date is hidden. */
export function maskIdNumber(idNumber: string): string {
  if (idNumber.length < 10) {
    return '*'.repeat(idNumber.length);
  }
  return idNumber.slice(0, 6) + '*'.repeat(idNumber.length - 10) + idNumber.slice(-4);
}

const ID_IN_TEXT = /(?<![\dA-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![\dA-Za-z])/g;

/** Masks every ID-number-shaped run of characters in free text (log lines, error messages). */
export function redactIdNumbers(text: string): string {
  return text.replace(ID_IN_TEXT, (_m, area: string, tail: string) => `${area}********${tail}`);
}
