import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsCalendarDate } from '../../common/is-calendar-date.js';
import { Trim } from '../../common/trim.decorator.js';
import { FIRST_REGISTERED_YEAR } from '../../common/programme-years.js';

export class CreateCampaignDto {
  @Trim()
  @IsString()
  @MinLength(2)
  @MaxLength(128)
  name!: string;

  /** Default: this year, or the next one once this year's May 31 has passed. */
  @IsOptional()
  @IsInt()
  @Min(FIRST_REGISTERED_YEAR)
  @Max(2100)
  year?: number;

  /** Default: May 31 of the campaign's year. */
  @IsOptional()
  @IsCalendarDate()
  deadline?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(365)
  reminderDays?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(365)
  warningDays?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(365)
  supervisedDays?: number;

  /** Days a confirmed major disease may wait for treatment (default 30). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(365)
  treatmentStartDays?: number;
}
