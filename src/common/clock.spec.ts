import { calendarDate } from './clock.js';

describe('calendarDate', () => {
  it('is the day of the instant in the time zone, on either side of its midnight', () => {
    expect(calendarDate(new Date('2020-05-16T15:59:59Z'), 'Asia/Shanghai')).toBe('2020-05-16');
    expect(calendarDate(new Date('2020-05-16T16:00:00Z'), 'Asia/Shanghai')).toBe('2020-05-17');
    expect(calendarDate(new Date('2020-12-31T23:59:59Z'), 'UTC')).toBe('2020-12-31');
    expect(calendarDate(new Date('2021-01-01T00:30:00Z'), 'America/New_York')).toBe('2020-12-31');
    expect(calendarDate(new Date('2020-03-08T07:30:00Z'), 'America/New_York')).toBe('2020-03-08');
  });
});
