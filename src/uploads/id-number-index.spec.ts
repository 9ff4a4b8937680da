import { IdNumberIndex } from './id-number-index.js';

describe('IdNumberIndex', () => {
  it('keeps the first value of each number, including X and malformed numbers', () => {
    const index = new IdNumberIndex(4);
    expect(index.setIfAbsent('11010519491231002X', 2)).toBeUndefined();
    expect(index.setIfAbsent('110105194912310021', 3)).toBeUndefined();
    expect(index.setIfAbsent('11010519491231002X', 9)).toBe(2);
    expect(index.setIfAbsent('not a number', 4)).toBeUndefined();
    expect(index.setIfAbsent('not a number', 5)).toBe(4);
    expect(index.get('11010519491231002X')).toBe(2);
    expect(index.get('110105194912310021')).toBe(3);
    expect(index.has('110105194912310022')).toBe(false);
    expect(index.size).toBe(3);
  });

  it('grows past its first capacity and finds every number again', () => {
    const index = new IdNumberIndex();
    const ids = Array.from(
      { length: 50_000 },
      (_, i) => `9${String(i * 7919).padStart(16, '0')}${i % 11 === 10 ? 'X' : i % 10}`,
    );
    ids.forEach((id, i) => expect(index.setIfAbsent(id, i)).toBeUndefined());
    expect(index.size).toBe(ids.length);
    expect(ids.every((id, i) => index.get(id) === i)).toBe(true);
    expect(index.get('999999999999999999')).toBeUndefined();
  });
});
