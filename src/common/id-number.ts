// Resident identity number (居民身份证号码), GB 11643-1999:
// 6-digit area code, 8-digit birth date, 3-digit sequence (odd = male), 1 check character.
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';
const SHAPE = /^\d{17}[\dX]$/;

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

/** Upper-cases a trailing x and trims; does not validate. */
export function normalizeIdNumber(raw: string): string {
  return raw.trim().toUpperCase();
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether characters 7–14 are a calendar date from 1850 up to `today`. Plain arithmetic: bulk
 * imports check a million numbers, and a date library's strict parse costs microseconds each.
 */
function isBirthDate(idNumber: string, today?: string): boolean {
  const year = Number(idNumber.slice(6, 10));
  const month = Number(idNumber.slice(10, 12));
  const day = Number(idNumber.slice(12, 14));
  if (year < 1850 || month < 1 || month > 12 || day < 1) {
    return false;
  }
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS_IN_MONTH[month - 1] + (month === 2 && leap ? 1 : 0)) {
    return false;
  }
  const iso = `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
  return today === undefined || iso <= today;
}

/**
 * Validates an ID number; returns what is wrong with it, or null when it is valid.
 * `today` (YYYY-MM-DD) bounds the birth date: nobody is born in the future.
 */
export function idNumberProblem(idNumber: string, today?: string): IdNumberProblem | null {
  if (!SHAPE.test(idNumber)) {
    return 'format';
  }
  if (!isBirthDate(idNumber, today)) {
    return 'birth_date';
  }
  if (idCheckChar(idNumber.slice(0, 17)) !== idNumber[17]) {
    return 'check_digit';
  }
  return null;
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
