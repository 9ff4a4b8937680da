import { registerDecorator, type ValidationArguments } from 'class-validator';

/**
 * What does not show on a page: whitespace and separators, control and format characters
 * (zero-width spaces and joiners, bidi marks, the BOM), combining marks on their own, and the
 * fillers that are letters by category yet print nothing (Hangul fillers, the braille blank).
 */
const INVISIBLE = /[\s\p{Z}\p{Cc}\p{Cf}\p{M}\u115F\u1160\u3164\uFFA0\u2800]/gu;

/** The characters of a text that a reader sees (code points, so 销号 counts 2). */
export function visibleLength(text: string): number {
  return [...text.replace(INVISIBLE, '')].length;
}

/**
 * A text field that must say something: at least `min` visible characters (see visibleLength),
 * so that four zero-width spaces are no resolution. Used by the item forms' resolution, note,
 * reason and title fields.
 */
export function HasVisibleText(min: number): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'hasVisibleText',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [min],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && visibleLength(value) >= min,
        defaultMessage: (args: ValidationArguments) => `${args.property}: 须至少包含 ${min} 个可见字符`,
      },
    });
  };
}
