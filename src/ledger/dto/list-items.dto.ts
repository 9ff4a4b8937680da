import { OmitType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
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
}

/** The list's filters, without paging. */
export type ItemFilters = Omit<ListItemsQuery, 'page' | 'pageSize' | 'offset'>;

export class ExportItemsQuery extends OmitType(ListItemsQuery, ['page', 'pageSize'] as const) {
  @IsOptional()
  @IsIn(['csv', 'xlsx'])
  format: 'csv' | 'xlsx' = 'csv';
}
