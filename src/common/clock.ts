import { Injectable } from '@nestjs/common';
import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';
import { AppConfig } from '../config/app-config.js';

dayjs.extend(utc);
dayjs.extend(timezone);

/** "Now" and "today" in the district's time zone. Business logic asks the clock, never `new Date()`. */
@Injectable()
export class Clock {
  constructor(private readonly config: AppConfig) {}

  now(): Date {
    return new Date();
  }

  /** Today's calendar date (YYYY-MM-DD) in APP_TIMEZONE. */
  today(): string {
    return dayjs(this.now()).tz(this.config.APP_TIMEZONE).format('YYYY-MM-DD');
  }

  /** The current year in APP_TIMEZONE. */
  year(): number {
    return Number(this.today().slice(0, 4));
  }
}
