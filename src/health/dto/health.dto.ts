import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  Max,
  Min,
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
import { FOLLOW_UP_RESULTS, type FollowUpResult, READING_RANGES } from '../follow-up-rules.js';
import { IsRegionCode } from '../../regions/region-code.validators.js';

/** How a condition is treated: shared by recording a condition and changing it. */
export class ConditionTreatmentDto {
  @IsOptional()
  @IsIn(TREATMENT_STATUSES)
  treatmentStatus?: TreatmentStatus;

  /** 核准 (major diseases). */
  @IsOptional()
  @IsCalendarDate()
  confirmedOn?: string;

  /** 定点医院 (major diseases). */
  @IsOptional()
  @IsString()
  @MinLength(2)
  @MaxLength(128)
  hospital?: string;

  @IsOptional()
  @IsCalendarDate()
  treatmentStartedOn?: string;

  /** Required with treatmentStatus `declined` (放弃救治). */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  declineReason?: string;
}

export class CreateConditionDto extends ConditionTreatmentDto {
  @IsString()
  @MaxLength(32)
  diseaseCode!: string;

  @IsCalendarDate()
  diagnosedOn!: string;

  @IsIn(TREATMENT_CATEGORIES)
  treatmentCategory!: TreatmentCategory;
}

export class UpdateConditionDto extends ConditionTreatmentDto {
  @IsOptional()
  @IsIn(TREATMENT_CATEGORIES)
  treatmentCategory?: TreatmentCategory;

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

  /** Defaults to `visited`. */
  @IsOptional()
  @IsIn(FOLLOW_UP_RESULTS)
  result?: FollowUpResult;

  /** mmHg, hypertension. */
  @IsOptional()
  @IsInt()
  @Min(READING_RANGES.systolic.min)
  @Max(READING_RANGES.systolic.max)
  systolic?: number;

  @IsOptional()
  @IsInt()
  @Min(READING_RANGES.diastolic.min)
  @Max(READING_RANGES.diastolic.max)
  diastolic?: number;

  /** mmol/L, one decimal, type-2 diabetes. */
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 1, allowNaN: false, allowInfinity: false })
  @Min(READING_RANGES.fastingGlucose.min)
  @Max(READING_RANGES.fastingGlucose.max)
  fastingGlucose?: number;

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

/** 续签: the new contract's signing day (and term); the rest continues from the old contract. */
export class RenewContractDto {
  @IsCalendarDate()
  signedOn!: string;

  /** Defaults to one year after signing. */
  @IsOptional()
  @IsCalendarDate()
  validUntil?: string;

  /** The old contract's version, as the caller read it. */
  @IsInt()
  version!: number;
}
