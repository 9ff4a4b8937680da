import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
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
  ValidateIf,
} from 'class-validator';
import { MAX_PAGE_SIZE } from '../../common/pagination.js';
import { PageQuery } from '../../common/pagination.js';
import { DISCREPANCY_KINDS, type DiscrepancyKind } from '../discrepancy.entity.js';
import { RECONCILIATION_SOURCES, type ReconciliationSource } from '../reconciliation.entity.js';
import { TemplateQuery } from '../../uploads/dto/template-query.dto.js';
import { APPLICABLE_KINDS, type ApplicableKind } from '../poverty-apply-plan.js';
import { IsRegionCode } from '../../regions/region-code.validators.js';
import { FIRST_INSURANCE_YEAR } from '../../common/programme-years.js';

const SOURCE_MESSAGE = `source must be one of ${RECONCILIATION_SOURCES.join(', ')}`;

/** The multipart fields beside `file`. */
export class CreateReconciliationDto {
  /** Whose roster: `insurance` (医保局, the default) or `poverty` (扶贫办). */
  @IsOptional()
  @IsIn(RECONCILIATION_SOURCES, { message: SOURCE_MESSAGE })
  source?: ReconciliationSource;

  /** The insurance roster's year; without it, the year most of its rows carry. A poverty roster has none. */
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'year must be a year such as 2020' })
  @Min(FIRST_INSURANCE_YEAR)
  @Max(2100)
  year?: number;
}

/** A write in two steps: the dry run (a page of the changes and a `confirm` token), then the apply with that token. */
export class PreviewThenApplyDto {
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;

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

/**
 * 写入参保信息: `dryRun: true` lists the changes and answers a `confirm` token; the apply gives that
 * token back. Rows that would turn 已参保 into 未参保 are written only with `includeDowngrades: true`.
 */
export class ApplyEnrollmentDto extends PreviewThenApplyDto {
  @IsOptional()
  @IsBoolean()
  includeDowngrades?: boolean;
}

/** The list: of one source (default: the insurance bureau's roster, as for uploads). */
export class ReconciliationListQuery extends PageQuery {
  @IsOptional()
  @IsIn(RECONCILIATION_SOURCES, { message: SOURCE_MESSAGE })
  source: ReconciliationSource = 'insurance';
}

/** A roster template: of the insurance bureau's roster (the default) or the poverty office's. */
export class ReconciliationTemplateQuery extends TemplateQuery {
  @IsOptional()
  @IsIn(RECONCILIATION_SOURCES, { message: SOURCE_MESSAGE })
  source: ReconciliationSource = 'insurance';
}

/**
 * 写入登记信息 from a poverty roster: the chosen kinds; `dryRun: true` lists every change and answers
 * a `confirm` token; an apply with `confirm` writes only if the changes are still exactly those (409).
 */
export class ApplyRegistryDto extends PreviewThenApplyDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(APPLICABLE_KINDS, {
    each: true,
    message: `kinds: each must be one of ${APPLICABLE_KINDS.join(', ')} (the others change nothing in the registry)`,
  })
  kinds!: ApplicableKind[];
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

/** Rows one request may choose. */
export const MAX_CHOSEN_ROWS = 1000;

/** 生成整改问题: chosen kinds, chosen rows (`ids`), or both (the chosen rows of those kinds). */
export class CreateItemsDto {
  /** Needed unless `ids` is given. */
  @ValidateIf((dto: CreateItemsDto) => dto.ids === undefined || dto.kinds !== undefined)
  @IsArray({ message: 'kinds: choose at least one kind of discrepancy (or rows: ids)' })
  @ArrayMinSize(1, { message: 'kinds: choose at least one kind of discrepancy (or rows: ids)' })
  @ArrayUnique()
  @IsIn(DISCREPANCY_KINDS, { each: true })
  kinds?: DiscrepancyKind[];

  /** Chosen rows: ids of this reconciliation's discrepancies (at most 1000). */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CHOSEN_ROWS)
  @ArrayUnique()
  @IsInt({ each: true, message: 'ids: each must be the id of a discrepancy of this reconciliation' })
  @Min(1, { each: true, message: 'ids: each must be the id of a discrepancy of this reconciliation' })
  ids?: number[];

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
