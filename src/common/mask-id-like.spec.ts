import { maskIdLike } from './mask-id-like.js';

describe('maskIdLike', () => {
  it('masks an ID number anywhere in a text, as responses mask it', () => {
    expect(maskIdLike('区划代码“610199198811220777”不是已知的村或街道')).toBe(
      '区划代码“610199********0777”不是已知的村或街道',
    );
    expect(maskIdLike('a,61019919881122077x,b')).toBe('a,610199********077x,b');
    expect(maskIdLike('户编号T610199198811220777')).toBe('户编号T610199********0777');
  });

  it('masks a number one digit short or long (its first 17 digits rebuild it)', () => {
    expect(maskIdLike('61019919881122077')).toBe('610199*******2077');
    expect(maskIdLike('6101991988112207771')).toBe('610199*********7771');
  });

  it('leaves shorter numbers (region codes, registry numbers) and longer ones alone', () => {
    for (const text of ['610199001001', '6101990010010001', '61019919881122077712345']) {
      expect(maskIdLike(text)).toBe(text);
    }
  });
});
