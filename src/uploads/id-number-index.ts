import { PACKED, packIdNumber } from './id-number-pack.js';

/**
 * A map from resident ID numbers to non-negative integers (a line, a slot), for a million numbers
 * and more: a well-formed number (17 digits and a check digit or X) is packed into two 31-bit
 * integers and kept in typed arrays with open addressing, about 12 bytes a number instead of the
 * ~100 a Map<string, number> spends, and several times faster to fill. Anything else (a malformed
 * number from a file) goes to an ordinary Map beside it.
 */
export class IdNumberIndex {
  private hi: Int32Array;
  private lo: Int32Array;
  private values: Int32Array;
  private mask: number;
  private count = 0;
  private readonly others = new Map<string, number>();

  constructor(expected = 1024) {
    let capacity = 1024;
    while (capacity < expected * 2) {
      capacity *= 2;
    }
    this.hi = new Int32Array(capacity).fill(-1);
    this.lo = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count + this.others.size;
  }

  get(idNumber: string): number | undefined {
    if (!packIdNumber(idNumber)) {
      return this.others.get(idNumber);
    }
    const slot = this.find(PACKED[0], PACKED[1]);
    return this.hi[slot] === -1 ? undefined : this.values[slot];
  }

  has(idNumber: string): boolean {
    return this.get(idNumber) !== undefined;
  }

  /** Sets the value unless the number is there already; answers the value it had, or undefined. */
  setIfAbsent(idNumber: string, value: number): number | undefined {
    if (!packIdNumber(idNumber)) {
      const had = this.others.get(idNumber);
      if (had === undefined) {
        this.others.set(idNumber, value);
      }
      return had;
    }
    const slot = this.find(PACKED[0], PACKED[1]);
    if (this.hi[slot] !== -1) {
      return this.values[slot];
    }
    this.hi[slot] = PACKED[0];
    this.lo[slot] = PACKED[1];
    this.values[slot] = value;
    if (++this.count * 2 > this.hi.length) {
      this.grow();
    }
    return undefined;
  }

  private find(hi: number, lo: number): number {
    let slot = (Math.imul(hi, 0x9e3779b1) ^ Math.imul(lo, 0x85ebca6b)) & this.mask;
    while (this.hi[slot] !== -1 && (this.hi[slot] !== hi || this.lo[slot] !== lo)) {
      slot = (slot + 1) & this.mask;
    }
    return slot;
  }

  private grow(): void {
    const { hi, lo, values } = this;
    this.hi = new Int32Array(hi.length * 2).fill(-1);
    this.lo = new Int32Array(hi.length * 2);
    this.values = new Int32Array(hi.length * 2);
    this.mask = this.hi.length - 1;
    for (let i = 0; i < hi.length; i++) {
      if (hi[i] !== -1) {
        const slot = this.find(hi[i], lo[i]);
        this.hi[slot] = hi[i];
        this.lo[slot] = lo[i];
        this.values[slot] = values[i];
      }
    }
  }
}
