import dayjs from 'dayjs';
import customParseFormat from 'dayjs/plugin/customParseFormat.js';
import utc from 'dayjs/plugin/utc.js';

dayjs.extend(utc);
dayjs.extend(customParseFormat);

/** Calendar-date arithmetic on 'YYYY-MM-DD' strings, free of time zones. */
const d = (date: string) => dayjs.utc(date, 'YYYY-MM-DD', true);

export function isCalendarDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && d(value).isValid();
}

export function addDays(date: string, days: number): string {
  return d(date).add(days, 'day').format('YYYY-MM-DD');
}

export function addMonths(date: string, months: number): string {
  return d(date).add(months, 'month').format('YYYY-MM-DD');
}

export function addYears(date: string, years: number): string {
  return d(date).add(years, 'year').format('YYYY-MM-DD');
}

/** The day's number since 1970-01-01 (plain arithmetic: every list row asks, through the days left and the level). */
function dayNumber(date: string): number {
  const day = new Date(0);
  day.setUTCFullYear(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  return Math.round(day.getTime() / 86_400_000);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** 2020-05-31 → 2020年5月31日 (dates in prose: pages, notices, exports, descriptions). */
export function dateText(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  return isCalendarDate(date) ? `${year}年${month}月${day}日` : date;
}

/** deadline − today in days → 剩余 5 天 / 今天到期 / 逾期 3 天. */
export function daysLeftText(days: number): string {
  if (days > 0) {
    return `剩余 ${days} 天`;
  }
  return days === 0 ? '今天到期' : `逾期 ${-days} 天`;
}
