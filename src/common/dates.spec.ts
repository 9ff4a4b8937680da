import { dateText, daysLeftText } from './dates.js';

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
