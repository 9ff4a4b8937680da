import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsCalendarDate } from '../../common/is-calendar-date.js';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export class CreateCampaignDto {
  @Transform(trim)
  @IsString()
  @MinLength(2)
  @MaxLength(128)
  name!: string;

  /** Default: this year, or the next one once this year's May 31 has passed. */
  @IsOptional()
  @IsInt()
  @Min(2013)
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
}
