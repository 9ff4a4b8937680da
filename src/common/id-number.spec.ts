import { idCheckChar, idNumberProblem, maskIdNumber, parseIdNumber, redactIdNumbers } from './id-number.js';

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
