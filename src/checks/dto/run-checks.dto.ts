import { IsBoolean, IsInt, IsOptional, Min } from 'class-validator';
import { IsCalendarDate } from '../../common/is-calendar-date.js';

export class RunChecksDto {
  @IsInt()
  @Min(1)
  campaignId!: number;

  /** The day the rules are evaluated for (enrollment of its year, contracts valid that day). Default: today. */
  @IsOptional()
  @IsCalendarDate()
  asOf?: string;

  /** Count what it would open and show the first items, write nothing (the run itself is recorded, marked dryRun). */
  @IsOptional()
  @IsBoolean({ message: 'dryRun must be true or false' })
  dryRun?: boolean;
}
