import { Transform } from 'class-transformer';
import { IsInt, IsString, MaxLength, Min, MinLength, registerDecorator } from 'class-validator';
import { HasVisibleText } from '../../common/has-visible-text.js';
import { Trim } from '../../common/trim.decorator.js';
import { normalizePhone } from '../assignee-phone.js';

/** A mainland mobile or landline number, already in its stored form (the transform below writes it so). */
function IsPhoneNumber(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isPhoneNumber',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && normalizePhone(value) === value,
        defaultMessage: () =>
          `${String(propertyName)} must be a mainland mobile number (13912345678) or a landline with its area code (029-88886666)`,
      },
    });
  };
}

/** 责任人 (SPEC §6.2): who answers for the remediation, and how to reach them; for the version the caller saw. */
export class AssignItemDto {
  @Trim()
  @IsString()
  @MinLength(2)
  @HasVisibleText(2)
  @MaxLength(32)
  assigneeName!: string;

  @Transform(({ value }: { value: unknown }): unknown =>
    typeof value === 'string' ? (normalizePhone(value) ?? value.trim()) : value,
  )
  @IsString()
  @MaxLength(20)
  @IsPhoneNumber()
  assigneePhone!: string;

  @IsInt()
  @Min(1)
  version!: number;
}
