import { OmitType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import {
  DEPARTMENTS,
  type Department,
  ITEM_CATEGORIES,
  ITEM_STATUSES,
  type ItemCategory,
  type ItemStatus,
  MAX_ESCALATION_LEVEL,
} from '../item.entity.js';
import { IsRegionCode } from '../../regions/region-code.validators.js';

/**
 * The list's orders: by deadline (the default: with 未销号, the most urgent first), by level (督办 first),
 * or by close request, oldest first (the 待审核 working list).
 */
export const ITEM_SORTS = ['deadline', 'level', 'requested'] as const;
export type ItemSort = (typeof ITEM_SORTS)[number];

const toBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

export class ListItemsQuery extends PageQuery {
  @IsOptional()
  @IsIn(ITEM_STATUSES)
  status?: ItemStatus;

  /** The region and everything under it (a district, a sub-district). */
  @IsOptional()
  @IsRegionCode()
  regionCode?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  campaignId?: number;

  @IsOptional()
  @IsIn(ITEM_CATEGORIES)
  category?: ItemCategory;

  @IsOptional()
  @IsIn(DEPARTMENTS)
  responsibleDept?: Department;

  /** true: past the deadline (as of today) and not closed; false: everything else. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'overdue must be true or false' })
  overdue?: boolean;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_ESCALATION_LEVEL)
  escalationLevel?: number;

  /** The level as of today (currentLevel, what the pages show), not the one the job has recorded. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_ESCALATION_LEVEL)
  level?: number;

  /** false: not closed (未销号: open or in progress); true: closed. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'closed: 须为 true 或 false' })
  closed?: boolean;

  /**
   * 搜索: a part of the title, of the subject person's name (a household's: a member's), or the last
   * four digits of their ID number; plain text (LIKE's % and _ match themselves).
   */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString({ message: 'q must be text' })
  @MaxLength(50, { message: 'q must be at most 50 characters' })
  q?: string;

  /**
   * 村（社区）: items placed in this village by their subject's household; a sub-district's own code
   * names its items without a household or person subject (街道本级), as the dashboard's rows do.
   */
  @IsOptional()
  @IsRegionCode('villageCode')
  villageCode?: string;

  /**
   * deadline (default): by deadline, then id. level: the current level, highest first, then by deadline. requested: pending close requests first, the oldest
   * request first (then the items without a request, by id) — the reviewers' 待审核 list.
   */
  @IsOptional()
  @IsIn(ITEM_SORTS, { message: 'sort must be deadline, level or requested' })
  sort?: ItemSort;
}

/** The list's filters, without paging. */
export type ItemFilters = Omit<ListItemsQuery, 'page' | 'pageSize' | 'offset' | 'sort'>;

export class ExportItemsQuery extends OmitType(ListItemsQuery, ['page', 'pageSize', 'sort'] as const) {
  @IsOptional()
  @IsIn(['csv', 'xlsx'])
  format: 'csv' | 'xlsx' = 'csv';
}
