import { IdNumberColumn, withRoom } from './id-number-column.js';

describe('IdNumberColumn', () => {
  it('gives back each number as set, packed or kept as given, past its first capacity', () => {
    const ids = ['11010519491231002X', '000000000000000000', '99999999999999999X', '11010519491231002x', '', '12345'];
    const column = new IdNumberColumn(2);
    for (let i = 0; i < 5000; i++) {
      column.set(i, ids[i % ids.length]);
    }
    for (let i = 0; i < 5000; i++) {
      expect(column.get(i)).toBe(ids[i % ids.length]);
    }
  });

  it('answers the number last set at a position, whichever kind came before', () => {
    const column = new IdNumberColumn();
    column.set(0, 'not a number');
    column.set(0, '110105194912310021');
    column.set(1, '110105194912310021');
    column.set(1, 'not a number');
    expect([column.get(0), column.get(1)]).toEqual(['110105194912310021', 'not a number']);
  });
});

describe('withRoom', () => {
  it('keeps an array that is long enough and copies one that is not into a longer one', () => {
    const small = Int32Array.of(7, 8);
    expect(withRoom(small, 2)).toBe(small);
    const grown = withRoom(small, 3);
    expect(grown).toBeInstanceOf(Int32Array);
    expect(Array.from(grown)).toEqual([7, 8, 0, 0]);
    expect(withRoom(Uint8Array.of(1), 10).length).toBe(10);
  });
});
