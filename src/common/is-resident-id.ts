import { Transform } from 'class-transformer';
import { registerDecorator, type ValidationArguments } from 'class-validator';
import { idNumberProblem, normalizeIdNumber } from './id-number.js';

const REASONS = {
  format: 'must be 18 characters: 17 digits and a check digit or X',
  birth_date: 'contains an impossible birth date (characters 7–14)',
  check_digit: 'has a wrong check character (GB 11643-1999)',
} as const;

/** A valid 18-character resident ID number; the message says what is wrong with it. A trailing x is upper-cased. */
export function IsResidentId(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeIdNumber(value) : value))(
      target,
      propertyName,
    );
    registerDecorator({
      name: 'isResidentId',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && idNumberProblem(value, todayUtc()) === null,
        defaultMessage: (args: ValidationArguments) => {
          const value: unknown = args.value;
          const problem = typeof value === 'string' ? (idNumberProblem(value, todayUtc()) ?? 'format') : 'format';
          return `${args.property} ${REASONS[problem]}`;
        },
      },
    });
  };
}

/** Validation only needs "not in the future"; a day's slack across time zones is harmless here. */
function todayUtc(): string {
  return new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
}
