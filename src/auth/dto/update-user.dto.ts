import { IsBoolean, IsIn, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { IsSubdistrictCode } from '../../regions/region-code.validators.js';
import { type Role, ROLES } from '../roles.js';

/**
 * An admin changes an account: disables (or enables again) it, which ends its tokens at once; or
 * changes its role, sub-district or name, which take effect on its next request. Fields left out stay.
 */
export class UpdateUserDto {
  @IsOptional()
  @IsBoolean({ message: 'active: 须为 true 或 false' })
  active?: boolean;

  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  /** A subdistrict_officer's sub-district (12 digits ending in 000); null for any other role, set by itself when the role changes. */
  @ValidateIf((dto: UpdateUserDto) => dto.regionCode !== undefined && dto.regionCode !== null)
  @IsSubdistrictCode()
  regionCode?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  displayName?: string;
}
