import { readHealthForm } from './health-forms.js';

describe('the health forms read through the API DTOs', () => {
  it('checks the contract fields with the API rules, the ticked diseases apart', () => {
    const empty = readHealthForm('contract', { _csrf: 'x' }, 7);
    expect(empty.dto).toBeNull();
    expect(Object.keys(empty.errors).sort()).toEqual(['diseaseCodes', 'doctorName', 'institution', 'signedOn']);
    expect(empty.errors.diseaseCodes).toBe('请勾选签约病种');

    const one = readHealthForm(
      'contract',
      { institution: '城关镇卫生院', doctorName: '李医生', signedOn: '2020-01-06', diseaseCodes: 'hypertension' },
      7,
    );
    expect(one.errors).toEqual({});
    expect(one.dto).toMatchObject({ personId: 7, signedOn: '2020-01-06', diseaseCodes: ['hypertension'] });
    const two = readHealthForm(
      'contract',
      {
        institution: '城关镇卫生院',
        doctorName: '李医生',
        signedOn: '2020-01-06',
        diseaseCodes: ['hypertension', 'diabetes_t2'],
      },
      7,
    );
    expect(two.values.diseaseCodes).toBe('hypertension,diabetes_t2');
  });

  it('reads a fasting glucose with one decimal as a number, and names the rule for a bad one', () => {
    const ok = readHealthForm('followup', { visitedOn: '2020-04-10', kind: 'clinic', fastingGlucose: '7.8' }, 3);
    expect(ok.dto).toMatchObject({ fastingGlucose: 7.8 });
    const bad = readHealthForm('followup', { visitedOn: '2020-04-10', kind: 'clinic', fastingGlucose: '7.85' }, 3);
    expect(bad.errors.fastingGlucose).toContain('最多一位小数');
    const late = readHealthForm('renew', { signedOn: '2020-02-30', version: '2' }, 3);
    expect(late.errors).toEqual({ signedOn: '续签日期必须是有效日期（年-月-日）' });
  });
});
