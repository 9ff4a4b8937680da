import { Transform } from 'class-transformer';

/** Trims a string property before validation (other values pass unchanged). */
export const Trim = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value));
