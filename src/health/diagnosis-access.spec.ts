import { diagnosisAccess, shownDisease } from './diagnosis-access.js';

describe('diagnosisAccess', () => {
  it('gives every diagnosis to the roles that treat them, the non-sensitive ones to the other record readers, none to viewers', () => {
    expect(diagnosisAccess('admin')).toBe('all');
    expect(diagnosisAccess('health_caseworker')).toBe('all');
    expect(diagnosisAccess('insurance_reconciler')).toBe('non_sensitive');
    expect(diagnosisAccess('subdistrict_officer')).toBe('non_sensitive');
    expect(diagnosisAccess('viewer')).toBe('none');
  });

  it('shows a sensitive disease as 敏感病种 to a role that does not treat it', () => {
    const mental = { code: 'severe_mental', name: '严重精神障碍' };
    const cancer = { code: 'lung_cancer', name: '肺癌' };
    expect(shownDisease(mental, 'all')).toEqual({ code: 'severe_mental', name: '严重精神障碍' });
    expect(shownDisease(mental, 'non_sensitive')).toEqual({ code: 'sensitive', name: '敏感病种' });
    expect(shownDisease(cancer, 'non_sensitive')).toEqual({ code: 'lung_cancer', name: '肺癌' });
  });
});
