import { PickType } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
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

  /** 销号审核 (SPEC §6.2): a close waits as 待审核 for the responsible department. Default true. */
  @IsOptional()
  @IsBoolean({ message: 'closeReview must be true or false' })
  closeReview?: boolean;

  /** With closeReview, a close request needs at least one 佐证材料 attachment. Default true. */
  @IsOptional()
  @IsBoolean({ message: 'evidenceRequired must be true or false' })
  evidenceRequired?: boolean;
}

/**
 * PATCH /api/campaigns/:id: the 销号审核 settings. Items already waiting for review stay pending
 * (their review goes on); the settings decide how the next close is taken.
 */
export class UpdateCampaignDto extends PickType(CreateCampaignDto, ['closeReview', 'evidenceRequired'] as const) {}
