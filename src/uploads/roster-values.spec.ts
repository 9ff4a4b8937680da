import { parseHouseholdStatus, parsePovertyCause, parseRelation, parseYear, parseYesNo } from './roster-values.js';

describe('roster values: codes, labels and the everyday wordings', () => {
  it.each([
    ['因病致贫', 'illness'],
    ['因病', 'illness'],
    ['illness', 'illness'],
    ['因残致贫', 'disability'],
    ['因学致贫', 'education'],
    ['缺劳动力', 'labour'],
    ['其它', 'other'],
  ])('致贫原因 %s → %s', (value, code) => {
    expect(parsePovertyCause(value)).toBe(code);
  });

  it('户状态, 与户主关系 and 是/否 in the wordings rosters use', () => {
    expect(parseHouseholdStatus('脱贫户')).toBe('lifted');
    expect(parseHouseholdStatus('未脱贫户')).toBe('poor');
    expect(parseRelation('妻子')).toBe('spouse');
    expect(parseRelation('长子')).toBe('child');
    expect(parseYesNo('已参保')).toBe(true);
    expect(parseYesNo('未参保')).toBe(false);
    expect(parsePovertyCause('因穷')).toBeNull();
  });

  it.each([
    ['2020', 2020],
    ['2016.0', 2016],
    ['2016.00', 2016],
    ['0999', 999],
    ['20a0', null],
    ['２０２０', null],
    ['202', null],
    ['20200', null],
    ['2020.5', null],
    ['', null],
  ])('建档年度 %j → %j', (value, year) => {
    expect(parseYear(value)).toBe(year);
  });
});
