import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { REGION_LEVELS, type RegionLevel } from '../region.entity.js';

export class CreateRegionDto {
  @Matches(/^\d{12}$/, { message: 'code must be a 12-digit statistical division code' })
  code!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(64)
  name!: string;

  @IsIn(REGION_LEVELS)
  level!: RegionLevel;

  @IsOptional()
  @Matches(/^\d{12}$/, { message: 'parentCode must be a 12-digit statistical division code' })
  parentCode?: string;
}
