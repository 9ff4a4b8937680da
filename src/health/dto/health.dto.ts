import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';
import { IsCalendarDate } from '../../common/is-calendar-date.js';
import { PageQuery } from '../../common/pagination.js';
import {
  TREATMENT_CATEGORIES,
  TREATMENT_STATUSES,
  type TreatmentCategory,
  type TreatmentStatus,
} from '../condition.entity.js';
import { CONTRACT_STATUSES, type ContractStatus } from '../contract-status.js';
import { FOLLOW_UP_KINDS, type FollowUpKind } from '../follow-up.entity.js';
import { IsRegionCode } from '../../regions/region-code.validators.js';

export class CreateConditionDto {
  @IsString()
  @MaxLength(32)
  diseaseCode!: string;

  @IsCalendarDate()
  diagnosedOn!: string;

  @IsIn(TREATMENT_CATEGORIES)
  treatmentCategory!: TreatmentCategory;

  @IsOptional()
  @IsIn(TREATMENT_STATUSES)
  treatmentStatus?: TreatmentStatus;
}

export class UpdateConditionDto {
  @IsOptional()
  @IsIn(TREATMENT_CATEGORIES)
  treatmentCategory?: TreatmentCategory;

  @IsOptional()
  @IsIn(TREATMENT_STATUSES)
  treatmentStatus?: TreatmentStatus;

  @IsOptional()
  @IsCalendarDate()
  diagnosedOn?: string;

  @IsOptional()
  @IsInt()
  version?: number;
}

export class CreateContractDto {
  @IsInt()
  personId!: number;

  @IsString()
  @MinLength(2)
  @MaxLength(128)
  institution!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(64)
  doctorName!: string;

  @IsCalendarDate()
  signedOn!: string;

  /** Defaults to one year after signing. */
  @IsOptional()
  @IsCalendarDate()
  validUntil?: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsString({ each: true })
  diseaseCodes!: string[];
}

export class CreateFollowUpDto {
  @IsCalendarDate()
  visitedOn!: string;

  @IsIn(FOLLOW_UP_KINDS)
  kind!: FollowUpKind;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  notes?: string;
}

export class ListContractsQuery extends PageQuery {
  @IsOptional()
  @IsIn(CONTRACT_STATUSES)
  status?: ContractStatus;

  @IsOptional()
  @IsRegionCode()
  regionCode?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  personId?: number;
}

export class PutInsuranceDto {
  @IsBoolean()
  enrolled!: boolean;

  @IsOptional()
  @IsBoolean()
  subsidized?: boolean;

  @IsOptional()
  @IsString()
  @MinLength(2)
  @MaxLength(64)
  scheme?: string;
}
