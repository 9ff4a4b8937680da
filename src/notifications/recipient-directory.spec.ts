import { RecipientDirectory } from './recipient-directory.js';

describe('RecipientDirectory', () => {
  const directory = new RecipientDirectory(
    [
      { id: 1, role: 'subdistrict_officer', regionCode: '610199001000' },
      { id: 2, role: 'subdistrict_officer', regionCode: '610199002000' },
      { id: 3, role: 'health_caseworker', regionCode: null },
      { id: 4, role: 'insurance_reconciler', regionCode: null },
      { id: 5, role: 'admin', regionCode: null },
      { id: 6, role: 'viewer', regionCode: null },
    ],
    new Map([['610199001000', '城关街道']]),
  );
  const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

  it('tells the sub-district, then its department, the admins and the leadership, level by level', () => {
    expect(sorted(directory.recipients(1, '610199001000', 'health'))).toEqual([1]);
    expect(sorted(directory.recipients(2, '610199001000', 'health'))).toEqual([1, 3]);
    expect(sorted(directory.recipients(3, '610199001000', 'insurance'))).toEqual([1, 4, 5]);
    expect(sorted(directory.recipients(4, '610199001000', 'health'))).toEqual([1, 3, 5, 6]);
  });

  it('tells the reviewers instead of the sub-district while 销号 waits for review', () => {
    expect(sorted(directory.recipients(1, '610199001000', 'health', true))).toEqual([3]);
    expect(sorted(directory.recipients(1, '610199001000', 'insurance', true))).toEqual([4]);
    expect(sorted(directory.recipients(2, '610199001000', 'health', true))).toEqual([3]);
    expect(sorted(directory.recipients(4, '610199001000', 'insurance', true))).toEqual([4, 5, 6]);
  });

  it('names the reviewers of a department: its caseworkers, not the admins', () => {
    expect(directory.reviewers('health')).toEqual([3]);
    expect(directory.reviewers('insurance')).toEqual([4]);
  });
});
