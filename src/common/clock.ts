import { Injectable } from '@nestjs/common';
import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';
import { AppConfig } from '../config/app-config.js';

dayjs.extend(utc);
dayjs.extend(timezone);

/** The calendar date (YYYY-MM-DD) of an instant in a time zone: 2020-05-16T16:30Z is 2020-05-17 in Asia/Shanghai. */
export function calendarDate(instant: Date, timeZone: string): string {
  return dayjs(instant).tz(timeZone).format('YYYY-MM-DD');
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
