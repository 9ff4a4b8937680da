import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { PASSWORD_RULE } from '../passwords.js';
import { type Role, ROLES } from '../roles.js';

export class CreateUserDto {
  /** Usernames are case-insensitive: stored lower-case, so SQLite and MySQL agree. */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @Matches(/^[A-Za-z0-9_.-]{3,32}$/, { message: 'username must be 3–32 letters, digits, _ . or -' })
  username!: string;

  @Matches(PASSWORD_RULE, { message: 'password must be 8–72 characters with at least one letter and one digit' })
  password!: string;

  @IsIn(ROLES)
  role!: Role;

  /** Required for a subdistrict_officer (their sub-district's 12-digit code); not allowed otherwise. */
  @ValidateIf(
    (dto: CreateUserDto) =>
      dto.role === 'subdistrict_officer' || (dto.regionCode !== undefined && dto.regionCode !== null),
  )
  @Matches(/^\d{9}000$/, { message: 'regionCode must be the 12-digit code of a sub-district (ending in 000)' })
  regionCode?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  displayName?: string;
}
