import { Type } from 'class-transformer';
import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { DISCREPANCY_KINDS, type DiscrepancyKind } from '../discrepancy.entity.js';

/** The multipart fields beside `file`. */
export class CreateReconciliationDto {
  @Type(() => Number)
  @IsInt({ message: 'year must be a year such as 2020' })
  @Min(2014)
  @Max(2100)
  year!: number;
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
  @Matches(/^\d{12}$/, { message: 'regionCode must be a 12-digit sub-district code' })
  regionCode?: string;
}
