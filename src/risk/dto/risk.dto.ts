import { Type } from 'class-transformer';
import { IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { IsCalendarDate } from '../../common/is-calendar-date.js';
import { PageQuery } from '../../common/pagination.js';

/** The years a settlement, a threshold or a run may be for. */
export const FIRST_RISK_YEAR = 2016;
export const LAST_RISK_YEAR = 2100;

const YEAR = 'year must be a year such as 2020';

/** The multipart field beside `file`: the calendar year of the file's settlements. */
export class UploadSettlementsDto {
  @Type(() => Number)
  @IsInt({ message: YEAR })
  @Min(FIRST_RISK_YEAR, { message: YEAR })
  @Max(LAST_RISK_YEAR, { message: YEAR })
  year!: number;
}

/** 预警阈值 of a year: income in 元 (two decimals at most), ratios of it in (0, 5]. */
export class ThresholdsDto {
  @Type(() => Number)
  @IsNumber({ maxDecimalPlaces: 2 }, { message: 'ruralIncome must be an amount in yuan (two decimals at most)' })
  @Min(0.01, { message: 'ruralIncome must be greater than 0' })
  @Max(1_000_000, { message: 'ruralIncome must be at most 1000000' })
  ruralIncome!: number;

  @Type(() => Number)
  @IsNumber({ maxDecimalPlaces: 4 }, { message: 'registeredRatio must be a number (four decimals at most)' })
  @Min(0.0001, { message: 'registeredRatio must be greater than 0' })
  @Max(5, { message: 'registeredRatio must be at most 5' })
  registeredRatio!: number;

  @Type(() => Number)
  @IsNumber({ maxDecimalPlaces: 4 }, { message: 'otherRatio must be a number (four decimals at most)' })
  @Min(0.0001, { message: 'otherRatio must be greater than 0' })
  @Max(5, { message: 'otherRatio must be at most 5' })
  otherRatio!: number;
}

/** POST /api/risk/run: the year, and the day up to which settlements count (default today). */
export class RunRiskDto {
  @IsInt({ message: YEAR })
  @Min(FIRST_RISK_YEAR, { message: YEAR })
  @Max(LAST_RISK_YEAR, { message: YEAR })
  year!: number;

  @IsOptional()
  @IsCalendarDate()
  asOf?: string;
}

export class YearQuery {
  @Type(() => Number)
  @IsInt({ message: YEAR })
  @Min(FIRST_RISK_YEAR, { message: YEAR })
  @Max(LAST_RISK_YEAR, { message: YEAR })
  year!: number;
}

export class AlertsQuery extends PageQuery {
  @Type(() => Number)
  @IsInt({ message: YEAR })
  @Min(FIRST_RISK_YEAR, { message: YEAR })
  @Max(LAST_RISK_YEAR, { message: YEAR })
  year!: number;
}
