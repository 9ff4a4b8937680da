/**
 * A run of 17 to 19 digits (the last may be X): an ID number, whole or mistyped by a digit. Its
 * first 17 digits alone rebuild the number (the check character follows from them), so such a run
 * is never echoed back whole.
 */
const ID_LIKE = /(?<![0-9])([0-9]{6})([0-9]{7,9})([0-9]{3}[0-9Xx])(?![0-9])/g;

/**
 * Masks every ID-number-like run in text that came from a user's file or form (a cell quoted in a
 * row error, a header, a name column holding a number) as ID numbers are masked everywhere:
 * 610102********1234 — the area code and the last four stay, the birth date does not.
 */
export function maskIdLike(text: string): string {
  return text.replace(ID_LIKE, (_m, area: string, middle: string, tail: string) => {
    return `${area}${'*'.repeat(middle.length)}${tail}`;
  });
}
