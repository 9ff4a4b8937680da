import { reconciliationYear } from './roster-year.js';

describe('reconciliationYear', () => {
  it('takes the roster’s year when none is chosen', () => {
    expect(reconciliationYear(undefined, 2020)).toBe(2020);
  });

  it('takes next year’s roster (the collection for year N runs in the autumn of N−1)', () => {
    expect(reconciliationYear(2021, 2021)).toBe(2021);
  });

  it('refuses a chosen year the rows do not carry, naming both years, in Chinese', () => {
    expect(() => reconciliationYear(2026, 2020)).toThrow(
      expect.objectContaining({
        field: 'year',
        message: '花名册中的年度为2020年，与所选的2026年度不一致：请选择2020年度，或上传2026年度的花名册。',
      }),
    );
  });

  it('asks for a year when the roster has none to read', () => {
    expect(() => reconciliationYear(undefined, null)).toThrow(expect.objectContaining({ field: 'year' }));
    expect(reconciliationYear(2020, null)).toBe(2020);
  });
});
