import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { MAX_PAGE_SIZE } from '../../common/pagination.js';
import { PageQuery } from '../../common/pagination.js';
import { DISCREPANCY_KINDS, type DiscrepancyKind } from '../discrepancy.entity.js';
import { IsRegionCode } from '../../regions/region-code.validators.js';
import { FIRST_INSURANCE_YEAR } from '../../common/programme-years.js';

/** The multipart fields beside `file`. */
export class CreateReconciliationDto {
  /** The roster's year; without it, the year most of its rows carry. */
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'year must be a year such as 2020' })
  @Min(FIRST_INSURANCE_YEAR)
  @Max(2100)
  year?: number;
}

/**
 * 写入参保信息: `dryRun: true` lists the changes and answers a `confirm` token; the apply gives that
 * token back. Rows that would turn 已参保 into 未参保 are written only with `includeDowngrades: true`.
 */
export class ApplyEnrollmentDto {
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;

  @IsOptional()
  @IsBoolean()
  includeDowngrades?: boolean;

  @IsOptional()
  @Matches(/^[0-9a-f]{32}$/, { message: 'confirm: 须为预览（dryRun: true）返回的确认令牌' })
  @MaxLength(32)
  confirm?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  page?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  pageSize?: number;
}

export class ReconciliationQuery extends PageQuery {
  @IsOptional()
  @IsIn(DISCREPANCY_KINDS)
  kind?: DiscrepancyKind;
}

export class ExportDiscrepanciesQuery {
  @IsOptional()
  @IsIn(DISCREPANCY_KINDS)
  kind?: DiscrepancyKind;
}

export class CreateItemsDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(DISCREPANCY_KINDS, { each: true })
  kinds!: DiscrepancyKind[];

  @IsInt()
  campaignId!: number;

  /**
   * The sub-district that takes the discrepancies no registered person places (insured_not_registered,
   * invalid_id, a repeated unregistered number); without it they are skipped.
   */
  @IsOptional()
  @IsRegionCode('regionCode', 'a 12-digit sub-district code')
  regionCode?: string;
}
