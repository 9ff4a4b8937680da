import { registerDecorator, type ValidationArguments } from 'class-validator';
import { isCalendarDate } from './dates.js';

/** A real calendar date written YYYY-MM-DD (2020-02-30 is refused). */
export function IsCalendarDate(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isCalendarDate(value),
        defaultMessage: (args: ValidationArguments) => `${args.property} must be a date written YYYY-MM-DD`,
      },
    });
  };
}
