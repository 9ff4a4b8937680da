import { IsIn, IsInt, IsOptional, IsString, MaxLength, Min, MinLength } from 'class-validator';
import { HasVisibleText } from '../../common/has-visible-text.js';
import { IsCalendarDate } from '../../common/is-calendar-date.js';
import {
  DEPARTMENTS,
  type Department,
  ITEM_CATEGORIES,
  ITEM_SOURCES,
  type ItemCategory,
  type ItemSource,
  SUBJECT_TYPES,
  type SubjectType,
} from '../item.entity.js';
import { Trim } from '../../common/trim.decorator.js';
import { IsRegionCode } from '../../regions/region-code.validators.js';

export class CreateItemDto {
  @IsInt()
  @Min(1)
  campaignId!: number;

  @IsIn(ITEM_CATEGORIES)
  category!: ItemCategory;

  @Trim()
  @IsString()
  @MinLength(2)
  @HasVisibleText(2)
  @MaxLength(200)
  title!: string;

  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(4000)
  description?: string;

  /** household or person (with subjectId), or region: the responsible sub-district itself (no subjectId). */
  @IsOptional()
  @IsIn(SUBJECT_TYPES)
  subjectType?: SubjectType;

  @IsOptional()
  @IsInt()
  @Min(1)
  subjectId?: number;

  /** The responsible sub-district (a village code stands for its sub-district); default: the subject's. */
  @IsOptional()
  @IsRegionCode()
  regionCode?: string;

  /** Default: insurance for an insurance item, health otherwise. */
  @IsOptional()
  @IsIn(DEPARTMENTS)
  responsibleDept?: Department;

  /** Default: the campaign's deadline. */
  @IsOptional()
  @IsCalendarDate()
  deadline?: string;

  /** Default: inspection (督导检查). `risk_alert` items are filed by the risk run only. */
  @IsOptional()
  @IsIn(ITEM_SOURCES.filter((s) => s !== 'risk_alert'))
  source?: ItemSource;
}
