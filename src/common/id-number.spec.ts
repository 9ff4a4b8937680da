import {
  idCheckChar,
  idNumberProblem,
  maskIdNumber,
  normalizeIdNumber,
  parseIdNumber,
  redactIdNumbers,
} from './id-number.js';

describe('resident ID number (GB 11643-1999)', () => {
  // Published sample numbers: the GB 11643-1999 example and the widely cited 11010519491231002X.
  it.each([
    ['11010519491231002X', '1949-12-31', 'female'],
    ['110101199003074477', '1990-03-07', 'male'],
    ['440524188001010014', '1880-01-01', 'male'],
  ])('accepts %s', (id, birthDate, sex) => {
    expect(idNumberProblem(id)).toBeNull();
    expect(parseIdNumber(id)).toEqual({ idNumber: id, birthDate, sex });
  });

  it('computes the check character, including X', () => {
    expect(idCheckChar('11010519491231002')).toBe('X');
    expect(idCheckChar('44052418800101001')).toBe('4');
  });

  it.each([
    ['110105194912310021', 'check_digit'],
    ['110101199003074478', 'check_digit'],
    ['110101199002304471', 'birth_date'], // 30 February
    ['110101184912314472', 'birth_date'], // before 1850, though the check character is right
    ['11010119900307447', 'format'],
    ['1101011990030744771', 'format'],
    ['11010119900307447A', 'format'],
  ])('rejects %s (%s)', (id, problem) => {
    expect(idNumberProblem(id)).toBe(problem);
  });

  it('rejects a birth date after today', () => {
    const id = '110101203001010010';
    const fixed = id.slice(0, 17) + idCheckChar(id.slice(0, 17));
    expect(idNumberProblem(fixed, '2026-11-28')).toBe('birth_date');
    expect(idNumberProblem(fixed)).toBeNull();
  });

  it.each([
    ['110101199002294478', 'birth_date'], // 29 February of a common year (each with its right check character)
    ['110101200002290018', null], // 29 February 2000 (divisible by 400)
    ['110101190002290011', 'birth_date'], // 29 February 1900 (by 100, not 400)
    ['110101199013014478', 'birth_date'], // month 13
    ['110101199000014479', 'birth_date'], // month 0
    ['110101199001004475', 'birth_date'], // day 0
    ['110101199004314479', 'birth_date'], // 31 April
    ['11010119900307447x', 'format'], // lower case: not normalized here
    ['1101011990030744 7', 'format'],
    ['-10101199003074477', 'format'],
    ['１10101199003074477', 'format'], // a full-width digit
  ])('checks %s on its characters (%s)', (id, problem) => {
    expect(idNumberProblem(id)).toBe(problem);
  });

  it('bounds the birth date by today, which is allowed', () => {
    const born = (date: string) => `110101${date}001`;
    const id = (date: string) => born(date) + idCheckChar(born(date));
    expect(idNumberProblem(id('20201128'), '2020-11-28')).toBeNull();
    expect(idNumberProblem(id('20201129'), '2020-11-28')).toBe('birth_date');
    expect(idNumberProblem(id('20191231'), '2020-01-01')).toBeNull();
  });

  it.each([
    ['110101199003074477', '110101199003074477'],
    ['11010519491231002x', '11010519491231002X'],
    [' 110101199003074477\t', '110101199003074477'],
    ['\u3000110101199003074477', '110101199003074477'],
    ['abc', 'ABC'],
    ['', ''],
  ])('normalizes %j to %j', (raw, normalized) => {
    expect(normalizeIdNumber(raw)).toBe(normalized);
  });

  it('upper-cases a trailing x when parsing', () => {
    expect(parseIdNumber('11010519491231002x').idNumber).toBe('11010519491231002X');
  });

  it('masks as 6 + 8 stars + 4', () => {
    expect(maskIdNumber('110101199003074477')).toBe('110101********4477');
  });

  it('redacts ID numbers inside text but leaves other numbers alone', () => {
    expect(redactIdNumbers('GET /api/households?q=110101199003074477&page=2')).toBe(
      'GET /api/households?q=110101********4477&page=2',
    );
    expect(redactIdNumbers('id 11010519491231002x.')).toBe('id 110105********002x.');
    expect(redactIdNumbers('region 610199001001 count 12')).toBe('region 610199001001 count 12');
  });
});
