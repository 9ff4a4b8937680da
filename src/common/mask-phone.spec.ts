import { maskPhone } from './mask-phone.js';

describe('maskPhone', () => {
  it('keeps the last four digits of a mobile or a landline number, and the separators', () => {
    expect(maskPhone('13812345678')).toBe('*******5678');
    expect(maskPhone('0917-3214567')).toBe('****-***4567');
    expect(maskPhone('+86 138 1234 5678')).toBe('+** *** **** 5678');
  });

  it('masks a number of four digits or fewer whole, and leaves an empty one empty', () => {
    expect(maskPhone('5678')).toBe('****');
    expect(maskPhone('12')).toBe('**');
    expect(maskPhone('')).toBe('');
  });
});
