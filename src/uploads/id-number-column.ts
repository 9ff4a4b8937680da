import { PACKED, packIdNumber, unpackIdNumber } from './id-number-pack.js';

/** `array` if it holds `length` values, else a copy with room for twice as many (or `length`, if more). */
export function withRoom<T extends Int8Array | Uint8Array | Int32Array>(array: T, length: number): T {
  if (length <= array.length) {
    return array;
  }
  const grown = new (array.constructor as new (length: number) => T)(Math.max(length, array.length * 2));
  grown.set(array);
  return grown;
}

/**
 * ID numbers by position (a file's row, a registry's slot), a million and more without a million
 * strings for every full collection to mark: a well-formed number (17 digits and a digit or X) is
 * kept packed as two integers (id-number-pack), 8 bytes a number, and anything else as it was given.
 */
export class IdNumberColumn {
  /** Characters 1–9 as a number, or -1 when the number is kept in `others`. */
  private high: Int32Array;
  /** Characters 10–17 as a number, times 11, plus the check character (X = 10). */
  private low: Int32Array;
  private readonly others = new Map<number, string>();

  constructor(capacity = 1024) {
    this.high = new Int32Array(capacity);
    this.low = new Int32Array(capacity);
  }

  set(i: number, idNumber: string): void {
    this.high = withRoom(this.high, i + 1);
    this.low = withRoom(this.low, i + 1);
    if (packIdNumber(idNumber)) {
      this.high[i] = PACKED[0];
      this.low[i] = PACKED[1];
      this.others.delete(i);
    } else {
      this.high[i] = -1;
      this.others.set(i, idNumber);
    }
  }

  get(i: number): string {
    const high = this.high[i];
    return high === -1 ? this.others.get(i)! : unpackIdNumber(high, this.low[i]);
  }
}
