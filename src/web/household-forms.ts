import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import type { AppError } from '../common/app-error.js';
import { idNumberProblem } from '../common/id-number.js';
import {
  CreateHouseholdDto,
  CreateMemberDto,
  FullIdNumberQuery,
  UpdateHouseholdDto,
  UpdatePersonDto,
} from '../households/dto/household.dto.js';
import { RegistryError, RegistryErrorCode } from '../households/registry.errors.js';
import { type FieldErrors, fieldMessage, type FormSpec, refusalMessage } from './forms.js';

/** How many member rows the 新增贫困户 form offers (a larger household adds the rest with 新增成员). */
export const MEMBER_ROWS = 6;

const MEMBER_FIELDS = ['idNumber', 'name', 'relation'] as const;
const MEMBER_LABELS = { idNumber: '身份证号', name: '姓名', relation: '与户主关系' };
const HOUSEHOLD_LABELS = {
  registryNo: '户编号',
  regionCode: '村/社区',
  povertyCause: '致贫原因',
  status: '户状态',
  registeredYear: '建档年度',
};
const REGISTRY_NO_RULE = '户编号为 4–32 位字母、数字或 -';

export const HOUSEHOLD_EDIT_FORM: FormSpec<UpdateHouseholdDto> = {
  dto: UpdateHouseholdDto,
  labels: {
    regionCode: '村/社区',
    povertyCause: '致贫原因',
    status: '户状态',
    registeredYear: '建档年度',
    version: '版本',
  },
  integers: ['registeredYear', 'version'],
};

export const MEMBER_FORM: FormSpec<CreateMemberDto> = { dto: CreateMemberDto, labels: MEMBER_LABELS };

export const PERSON_STATUS_FORM: FormSpec<UpdatePersonDto> = {
  dto: UpdatePersonDto,
  labels: { status: '人员状态', statusChangedOn: '变更日期', version: '版本' },
  integers: ['version'],
};

export const REVEAL_FORM: FormSpec<FullIdNumberQuery> = { dto: FullIdNumberQuery, labels: { reason: '查看原因' } };

/** The Chinese for a wrong ID number: which of its rules it breaks. */
export function idNumberMessage(value: string): string {
  switch (idNumberProblem(value.trim().toUpperCase())) {
    case 'birth_date':
      return '身份证号中的出生日期（第 7–14 位）不是有效日期';
    case 'check_digit':
      return '身份证号校验位不正确，请核对';
    case 'format':
    case null:
      return '身份证号应为 18 位：17 位数字加 1 位数字或 X';
  }
}

/** A member row of the 新增贫困户 form as typed. */
export interface MemberRow {
  index: number;
  /** 成员 1, 2, … as the form numbers the rows. */
  number: number;
  values: Record<(typeof MEMBER_FIELDS)[number], string>;
  errors: FieldErrors;
}

export interface NewHouseholdForm {
  values: Record<string, string>;
  rows: MemberRow[];
  errors: FieldErrors;
  dto: CreateHouseholdDto | null;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * Reads the 新增贫困户 form (`registryNo`…, and `members.<i>.idNumber|name|relation` per row) through
 * the API's CreateHouseholdDto: blank rows are left out, each field's failure is a Chinese message
 * under its name (`members.<i>.name` as the API names it), keyed to the row the user typed it in.
 */
export function readNewHousehold(body: unknown): NewHouseholdForm {
  const posted = (body ?? {}) as Record<string, unknown>;
  const values = Object.fromEntries(Object.keys(HOUSEHOLD_LABELS).map((k) => [k, text(posted[k])]));
  const rows: MemberRow[] = Array.from({ length: MEMBER_ROWS }, (_, index) => ({
    index,
    number: index + 1,
    values: {
      idNumber: text(posted[`members.${index}.idNumber`]),
      name: text(posted[`members.${index}.name`]),
      relation: text(posted[`members.${index}.relation`]),
    },
    errors: {},
  }));
  const filled = rows.filter((r) => MEMBER_FIELDS.some((f) => r.values[f].trim() !== ''));
  const plain: Record<string, unknown> = {
    members: filled.map((r) =>
      Object.fromEntries(MEMBER_FIELDS.filter((f) => r.values[f].trim() !== '').map((f) => [f, r.values[f]])),
    ),
  };
  for (const [key, value] of Object.entries(values)) {
    if (value.trim() !== '') {
      plain[key] = key === 'registeredYear' && /^\d{1,9}$/.test(value.trim()) ? Number(value.trim()) : value;
    }
  }
  const dto = plainToInstance(CreateHouseholdDto, plain);
  const errors: FieldErrors = {};
  for (const error of validateSync(dto, { whitelist: true })) {
    if (error.property !== 'members') {
      errors[error.property] =
        error.property === 'registryNo' && error.value !== undefined
          ? REGISTRY_NO_RULE
          : fieldMessage(CreateHouseholdDto, error, HOUSEHOLD_LABELS[error.property as keyof typeof HOUSEHOLD_LABELS]);
    } else if (!error.children?.length) {
      errors.members = '请至少填写一位家庭成员（身份证号、姓名、与户主关系）';
    } else {
      memberErrors(error.children, filled);
    }
  }
  const rowErrors = rows.some((r) => Object.keys(r.errors).length > 0);
  return { values, rows, errors, dto: Object.keys(errors).length === 0 && !rowErrors ? dto : null };
}

function memberErrors(children: ValidationError[], filled: MemberRow[]): void {
  for (const child of children) {
    const row = filled[Number(child.property)];
    for (const error of child.children ?? []) {
      row.errors[error.property] =
        error.property === 'idNumber' && error.value
          ? idNumberMessage(String(error.value))
          : fieldMessage(CreateMemberDto, error, MEMBER_LABELS[error.property as keyof typeof MEMBER_LABELS]);
    }
  }
}

/** The registry's refusals in Chinese, each shown beside the field the service names. */
export function registryText(reason: RegistryErrorCode): string {
  switch (reason) {
    case RegistryErrorCode.HeadCount:
      return '家庭成员中须有且只有一位户主';
    case RegistryErrorCode.SecondHead:
      return '本户已有户主，不能再登记一位户主';
    case RegistryErrorCode.RepeatedIdNumber:
      return '与本表中另一位成员的身份证号重复';
    case RegistryErrorCode.RegistryNoTaken:
      return '该户编号已登记，请核对';
    case RegistryErrorCode.IdNumberTaken:
      return '该身份证号已登记在贫困户中，请核对';
    case RegistryErrorCode.UnknownRegion:
      return '请选择已登记的村/社区或街道';
    case RegistryErrorCode.FutureYear:
      return '建档年度不能晚于今年';
    case RegistryErrorCode.StatusDateFuture:
      return '变更日期不能晚于今天';
    case RegistryErrorCode.StatusDateBeforeRegistration:
      return '变更日期不能早于本户建档年度';
    case RegistryErrorCode.StatusDateWhileActive:
      return '只有已故或迁出的成员填写变更日期';
  }
}

/**
 * A refused registry action: the registry's own refusal beside its field (`field`, the API's name),
 * anything else (a stale version: 已被他人修改) for the whole form.
 */
export function registryRefusal(error: AppError): { field: string | null; text: string } {
  if (error instanceof RegistryError && error.field) {
    return { field: error.field, text: registryText(error.reason) };
  }
  return { field: null, text: refusalMessage(error) };
}
