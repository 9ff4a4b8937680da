import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';

/** One formatter per time zone: building one costs far more than using it (every request asks for today). */
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (YYYY-MM-DD) of an instant in a time zone: 2020-05-16T16:30Z is 2020-05-17 in Asia/Shanghai. */
export function calendarDate(instant: Date, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  const part = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  return `${part.year.padStart(4, '0')}-${part.month}-${part.day}`;
}

/** "Now" and "today" in the district's time zone. Business logic asks the clock, never `new Date()`. */
@Injectable()
export class Clock {
  constructor(private readonly config: AppConfig) {}

  now(): Date {
    return new Date();
  }

  /** Today's calendar date (YYYY-MM-DD) in APP_TIMEZONE. */
  today(): string {
    return calendarDate(this.now(), this.config.APP_TIMEZONE);
  }

  /** The calendar date (YYYY-MM-DD) of an instant in APP_TIMEZONE. */
  dateOf(instant: Date): string {
    return calendarDate(instant, this.config.APP_TIMEZONE);
  }

  /** The current year in APP_TIMEZONE. */
  year(): number {
    return Number(this.today().slice(0, 4));
  }
}
