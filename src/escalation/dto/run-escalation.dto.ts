import { IsBoolean, IsOptional } from 'class-validator';
import { IsCalendarDate } from '../../common/is-calendar-date.js';

export class RunEscalationDto {
  /** The day to work the levels out for; default today (APP_TIMEZONE). An earlier day is a backfill. */
  @IsOptional()
  @IsCalendarDate()
  asOf?: string;

  /** Count what would change, write nothing (the run itself is recorded, marked dryRun). */
  @IsOptional()
  @IsBoolean({ message: 'dryRun must be true or false' })
  dryRun?: boolean;
}
