import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsResidentId } from '../../common/is-resident-id.js';
import { PageQuery } from '../../common/pagination.js';
import { HOUSEHOLD_STATUSES, type HouseholdStatus, POVERTY_CAUSES, type PovertyCause } from '../household.entity.js';
import { PERSON_STATUSES, type PersonRelation, type PersonStatus, RELATIONS } from '../person.entity.js';
import { Trim } from '../../common/trim.decorator.js';
import { IsRegionCode } from '../../regions/region-code.validators.js';
import { FIRST_REGISTERED_YEAR } from '../../common/programme-years.js';
import { IsCalendarDate } from '../../common/is-calendar-date.js';

export class CreateMemberDto {
  @IsResidentId()
  idNumber!: string;

  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(32)
  name!: string;

  @IsIn(RELATIONS)
  relation!: PersonRelation;

  @IsOptional()
  @IsIn(PERSON_STATUSES)
  status?: PersonStatus;
}

export class CreateHouseholdDto {
  @Matches(/^[0-9A-Za-z-]{4,32}$/, { message: 'registryNo must be 4–32 letters, digits or -' })
  registryNo!: string;

  @IsRegionCode()
  regionCode!: string;

  @IsIn(POVERTY_CAUSES)
  povertyCause!: PovertyCause;

  @IsOptional()
  @IsIn(HOUSEHOLD_STATUSES)
  status?: HouseholdStatus;

  @IsInt()
  @Min(FIRST_REGISTERED_YEAR)
  @Max(2100)
  registeredYear!: number;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(30)
  @ValidateNested({ each: true })
  @Type(() => CreateMemberDto)
  members!: CreateMemberDto[];
}

export class UpdateHouseholdDto {
  @IsOptional()
  @IsRegionCode()
  regionCode?: string;

  @IsOptional()
  @IsIn(POVERTY_CAUSES)
  povertyCause?: PovertyCause;

  @IsOptional()
  @IsIn(HOUSEHOLD_STATUSES)
  status?: HouseholdStatus;

  @IsOptional()
  @IsInt()
  @Min(FIRST_REGISTERED_YEAR)
  @Max(2100)
  registeredYear?: number;

  /** When given, the update applies only to this version (409 otherwise). */
  @IsOptional()
  @IsInt()
  version?: number;
}

export class UpdatePersonDto {
  @IsOptional()
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(32)
  name?: string;

  @IsOptional()
  @IsIn(RELATIONS)
  relation?: PersonRelation;

  @IsOptional()
  @IsIn(PERSON_STATUSES)
  status?: PersonStatus;

  /** The day of 已故 or 迁出: not in the future, not before the household's registered year. */
  @IsOptional()
  @IsCalendarDate()
  statusChangedOn?: string;

  @IsOptional()
  @IsInt()
  version?: number;
}

export class ListHouseholdsQuery extends PageQuery {
  @IsOptional()
  @IsRegionCode()
  regionCode?: string;

  @IsOptional()
  @IsIn(HOUSEHOLD_STATUSES)
  status?: HouseholdStatus;

  /** Name of a member, registry number prefix, a whole ID number, or an ID number's last four characters. */
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(64)
  q?: string;
}

/** Why the full ID number is read (查看原因): logged with the reading. */
export class FullIdNumberQuery {
  @IsOptional()
  @Trim()
  @IsString()
  @MinLength(2)
  @MaxLength(200)
  reason?: string;
}

export class AccessLogQuery extends PageQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  personId?: number;
}
