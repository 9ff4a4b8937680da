import { TextRedactor } from './text-redactor.js';

const CATALOGUE = [
  { name: '肺结核', sensitive: false },
  { name: '耐多药肺结核', sensitive: false },
  { name: '肺癌', sensitive: false },
  { name: '严重精神障碍', sensitive: true },
];
const SUBJECT = { names: ['赵佳怡'] };

describe('TextRedactor', () => {
  const legacy = '慢病患者未签约家庭医生：赵佳怡（严重精神障碍）';

  it('leaves everything to the roles that treat and read persons', () => {
    for (const role of ['admin', 'health_caseworker'] as const) {
      expect(new TextRedactor(role, CATALOGUE).text(legacy, SUBJECT)).toBe(legacy);
    }
  });

  it('shows sensitive diagnoses as 敏感病种 to officers and insurance staff, other diagnoses and names as they are', () => {
    for (const role of ['subdistrict_officer', 'insurance_reconciler'] as const) {
      const redactor = new TextRedactor(role, CATALOGUE);
      expect(redactor.text(legacy, SUBJECT)).toBe('慢病患者未签约家庭医生：赵佳怡（敏感病种）');
      expect(redactor.text('大病患者未救治：杨霞（肺癌）', { names: ['杨霞'] })).toBe('大病患者未救治：杨霞（肺癌）');
      // Also where no person is named: a sensitive diagnosis is never spelled out to them.
      expect(redactor.text('严重精神障碍患者管理率低', null)).toBe('敏感病种患者管理率低');
    }
  });

  it('shows the leadership no name, no masked ID and no diagnosis of an item about a person', () => {
    const viewer = new TextRedactor('viewer', CATALOGUE);
    expect(viewer.text(legacy, SUBJECT)).toBe('慢病患者未签约家庭医生：某某（某病种）');
    expect(viewer.text('耐多药肺结核：赵佳怡，610199********0777', SUBJECT)).toBe('某病种：某某，（身份证号已隐去）');
    // An item about no person speaks of no one's diagnosis; a sensitive one is still not spelled out.
    expect(viewer.text('肺结核患者随访率低', null)).toBe('肺结核患者随访率低');
    expect(viewer.text('严重精神障碍患者管理率低', null)).toBe('敏感病种患者管理率低');
  });

  it('redacts the strings of a ledger payload at any depth, leaving other values alone', () => {
    const viewer = new TextRedactor('viewer', CATALOGUE);
    expect(viewer.value({ title: legacy, subjectId: 7, tags: ['赵佳怡'], at: null }, SUBJECT)).toEqual({
      title: '慢病患者未签约家庭医生：某某（某病种）',
      subjectId: 7,
      tags: ['某某'],
      at: null,
    });
  });
});
