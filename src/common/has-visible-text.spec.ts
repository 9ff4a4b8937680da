import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { HasVisibleText, visibleLength } from './has-visible-text.js';

class Probe {
  @HasVisibleText(4)
  resolution!: string;
}

const errorsOf = (resolution: unknown) => validateSync(plainToInstance(Probe, { resolution }));

describe('visible characters', () => {
  it.each([
    ['已整改完成', 5],
    ['\u200b\u200b\u200b\u200b', 0], // zero-width spaces
    ['\u200d\u200c\u2060\ufeff', 0], // joiners, word joiner, BOM
    ['\u202e\u2066\u00ad\u034f', 0], // bidi controls, soft hyphen, combining grapheme joiner
    ['\u3000\u00a0 \t\n', 0], // ideographic, no-break and ordinary spaces
    ['\u3164\u3164\u2800\u2800', 0], // Hangul filler, braille blank
    ['e\u0301e\u0301', 2], // letters with combining accents
    ['a\u200bb', 2],
  ])('%j has %i', (text, count) => {
    expect(visibleLength(text)).toBe(count);
  });

  it('refuses fewer than the minimum, naming the field', () => {
    const [error] = errorsOf('\u200b'.repeat(4));
    expect(error.property).toBe('resolution');
    expect(Object.values(error.constraints ?? {}).join()).toMatch(/resolution.*4 个可见字符/);
    expect(errorsOf('已办结！')).toEqual([]);
    expect(errorsOf(42)).toHaveLength(1);
  });
});
