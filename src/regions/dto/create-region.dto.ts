import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { REGION_LEVELS, type RegionLevel } from '../region.entity.js';
import { IsRegionCode } from '../region-code.validators.js';

export class CreateRegionDto {
  @IsRegionCode('code')
  code!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(64)
  name!: string;

  @IsIn(REGION_LEVELS)
  level!: RegionLevel;

  @IsOptional()
  @IsRegionCode('parentCode')
  parentCode?: string;
}
