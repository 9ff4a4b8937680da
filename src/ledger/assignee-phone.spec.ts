import { maskPhone, normalizePhone } from './assignee-phone.js';

describe('责任人 phone numbers', () => {
  it.each([
    ['13912345678', '13912345678'],
    ['139 1234 5678', '13912345678'],
    ['139-1234-5678', '13912345678'],
    ['+86 139 1234 5678', '13912345678'],
    ['0086 13912345678', '13912345678'],
    ['１３９１２３４５６７８', '13912345678'],
    ['029-88886666', '029-88886666'],
    ['02988886666', '029-88886666'],
    ['(029) 8888 6666', '029-88886666'],
    ['010-62345678', '010-62345678'],
    ['0917-3216666', '0917-3216666'],
    ['0917-6216666', '0917-6216666'],
    ['09173216666', '0917-3216666'],
    ['0917-32166667', '0917-32166667'],
  ])('reads %s as %s', (raw, stored) => {
    expect(normalizePhone(raw)).toBe(stored);
  });

  it.each([
    ['too short', '1391234567'],
    ['too long', '139123456789'],
    ['not a mobile prefix', '12912345678'],
    ['a landline without its area code', '88886666'],
    ['a landline starting with 0 or 1', '029-08886666'],
    ['letters', '139abcd5678'],
    ['an extension', '029-88886666-123'],
    ['+86 on a landline', '+86 029 88886666'],
    ['empty', ''],
  ])('refuses %s (%s)', (_what, raw) => {
    expect(normalizePhone(raw)).toBeNull();
  });

  it('masks a mobile to its first three and last four digits, a landline to its area code and last four', () => {
    expect(maskPhone('13912345678')).toBe('139****5678');
    expect(maskPhone('029-88886666')).toBe('029-****6666');
    expect(maskPhone('0917-3216666')).toBe('0917-****6666');
  });
});
