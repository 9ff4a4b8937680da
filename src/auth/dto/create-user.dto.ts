import {
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  registerDecorator,
  ValidateIf,
  type ValidationArguments,
} from 'class-validator';
import { PASSWORD_RULES, passwordProblem } from '../passwords.js';
import { type Role, ROLES } from '../roles.js';
import { USERNAME_RULE } from '../usernames.js';
import { IsSubdistrictCode } from '../../regions/region-code.validators.js';

/** A new password that passwordProblem() accepts; the message says which rule it breaks. */
function IsAcceptablePassword(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    const problemOf = (args: ValidationArguments) =>
      typeof args.value === 'string'
        ? passwordProblem(args.value, (args.object as { username?: unknown }).username as string | undefined)
        : 'length';
    registerDecorator({
      name: 'isAcceptablePassword',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (_value: unknown, args: ValidationArguments) => problemOf(args) === null,
        defaultMessage: (args: ValidationArguments) =>
          `${args.property}: ${PASSWORD_RULES[problemOf(args) ?? 'length']}`,
      },
    });
  };
}

export class CreateUserDto {
  /** Checked as typed (ASCII only), then stored lower case by the service and compared exactly (usernames.ts). */
  @Matches(USERNAME_RULE, { message: 'username: 用户名须为 3–32 位字母、数字或 _ . -' })
  username!: string;

  @IsAcceptablePassword()
  password!: string;

  @IsIn(ROLES)
  role!: Role;

  /** Required for a subdistrict_officer (their sub-district's 12-digit code); not allowed otherwise. */
  @ValidateIf(
    (dto: CreateUserDto) =>
      dto.role === 'subdistrict_officer' || (dto.regionCode !== undefined && dto.regionCode !== null),
  )
  @IsSubdistrictCode()
  regionCode?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  displayName?: string;
}
