import { AppError, ErrorCode } from '../common/app-error.js';
import { idCheckChar } from '../common/id-number.js';
import { RegistryError, RegistryErrorCode } from '../households/registry.errors.js';
import { readNewHousehold, registryRefusal } from './household-forms.js';

const withCheck = (first17: string) => first17 + idCheckChar(first17);
const HEAD = withCheck('11010119800101001');
const CHILD = withCheck('11010120100101002');

const household = {
  registryNo: 'T2020-001',
  regionCode: '610199001001',
  povertyCause: 'illness',
  status: 'poor',
  registeredYear: '2016',
};

describe('the 新增贫困户 form through CreateHouseholdDto', () => {
  it('leaves blank rows out and reads the household with its members', () => {
    const form = readNewHousehold({
      ...household,
      'members.0.idNumber': HEAD,
      'members.0.name': '张建国',
      'members.0.relation': 'head',
      'members.3.idNumber': CHILD,
      'members.3.name': ' 张小明 ',
      'members.3.relation': 'child',
      _csrf: 'token',
    });
    expect(form.errors).toEqual({});
    expect(form.dto).toMatchObject({ registryNo: 'T2020-001', registeredYear: 2016 });
    expect(form.dto?.members.map((m) => ({ ...m }))).toEqual([
      { idNumber: HEAD, name: '张建国', relation: 'head' },
      { idNumber: CHILD, name: '张小明', relation: 'child' },
    ]);
    expect(form.rows[3].values.name).toBe(' 张小明 ');
  });

  it('puts each member error on the row it was typed in, in Chinese; the typed values come back', () => {
    const wrongCheck = HEAD.slice(0, 17) + (HEAD.endsWith('1') ? '2' : '1');
    const form = readNewHousehold({
      ...household,
      registryNo: 'a b',
      registeredYear: '二〇一六',
      'members.0.idNumber': HEAD,
      'members.0.name': '张建国',
      'members.0.relation': 'head',
      'members.2.idNumber': wrongCheck,
      'members.2.name': '',
      'members.2.relation': 'child',
    });
    expect(form.dto).toBeNull();
    expect(form.errors).toEqual({ registryNo: '户编号为 4–32 位字母、数字或 -', registeredYear: '建档年度必须是整数' });
    expect(form.rows[2].errors).toEqual({ idNumber: '身份证号校验位不正确，请核对', name: '请填写姓名' });
    expect(form.rows[0].errors).toEqual({});
    expect(form.rows[2].values.idNumber).toBe(wrongCheck);
    expect(form.values.registeredYear).toBe('二〇一六');
  });

  it('asks for at least one member', () => {
    expect(readNewHousehold(household).errors.members).toBe('请至少填写一位家庭成员（身份证号、姓名、与户主关系）');
  });
});

describe('registry refusals on the pages', () => {
  it('words a registry code beside its field, and anything else for the whole form', () => {
    const error = new RegistryError(
      RegistryErrorCode.StatusDateFuture,
      'statusChangedOn is in the future',
      'statusChangedOn',
    );
    expect(registryRefusal(error)).toEqual({ field: 'statusChangedOn', text: '变更日期不能晚于今天' });
    expect(error.code).toBe(ErrorCode.Invalid);
    expect(registryRefusal(new AppError(ErrorCode.VersionConflict, 'stale', 'version'))).toEqual({
      field: null,
      text: expect.stringContaining('该记录已被他人修改'),
    });
  });
});
