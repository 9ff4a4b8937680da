/**
 * A resident ID number as two integers, for structures that hold a million of them without a
 * million strings (IdNumberIndex, the import's ScannedRows): characters 1–9 as one number, and
 * characters 10–17 times 11 plus the check character (X = 10) as the other. Only a well-formed
 * number (17 digits and a digit or X) packs; anything else is the caller's to keep as given.
 */

/** packIdNumber's result (high, low): one array for the process, as it runs for every row of a file. */
export const PACKED = new Int32Array(2);

/** Packs `id` into PACKED; false (PACKED untouched) when it is not well formed. */
export function packIdNumber(id: string): boolean {
  if (id.length !== 18) {
    return false;
  }
  let high = 0;
  let low = 0;
  for (let i = 0; i < 17; i++) {
    const d = id.charCodeAt(i) - 48;
    if (d < 0 || d > 9) {
      return false;
    }
    if (i < 9) {
      high = high * 10 + d;
    } else {
      low = low * 10 + d;
    }
  }
  const last = id.charCodeAt(17);
  const check = last === 88 ? 10 : last - 48;
  if (check < 0 || check > 10) {
    return false;
  }
  PACKED[0] = high;
  PACKED[1] = low * 11 + check;
  return true;
}

/** The ID number two packed integers stand for. */
export function unpackIdNumber(high: number, low: number): string {
  const check = low % 11;
  return `${String(high).padStart(9, '0')}${String((low - check) / 11).padStart(8, '0')}${check === 10 ? 'X' : check}`;
}
