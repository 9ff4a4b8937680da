import { dateText, daysBetween, daysLeftText } from './dates.js';

describe('dates in prose', () => {
  it('writes a calendar date as 2020年5月31日', () => {
    expect(dateText('2020-05-31')).toBe('2020年5月31日');
    expect(dateText('2020-01-05')).toBe('2020年1月5日');
  });

  it('writes days left as 剩余 / 今天到期 / 逾期, never a negative number', () => {
    expect(daysLeftText(5)).toBe('剩余 5 天');
    expect(daysLeftText(0)).toBe('今天到期');
    expect(daysLeftText(-2376)).toBe('逾期 2376 天');
  });
});

describe('daysBetween', () => {
  it('counts whole calendar days, across months, leap days and years, negative backwards', () => {
    expect(daysBetween('2020-05-31', '2020-05-31')).toBe(0);
    expect(daysBetween('2020-02-28', '2020-03-01')).toBe(2);
    expect(daysBetween('2019-02-28', '2019-03-01')).toBe(1);
    expect(daysBetween('2019-12-31', '2021-01-01')).toBe(367);
    expect(daysBetween('2020-06-10', '2020-05-31')).toBe(-10);
    expect(daysBetween('1999-12-31', '2000-01-01')).toBe(1);
  });
});
