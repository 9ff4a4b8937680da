import { OmitType } from '@nestjs/swagger';
import {
  CreateConditionDto,
  CreateContractDto,
  CreateFollowUpDto,
  RenewContractDto,
  UpdateConditionDto,
} from '../health/dto/health.dto.js';
import { type FieldErrors, type FormResult, type FormSpec, readForm } from './forms.js';

/** The health forms of a member's block on the household page (views/partials/member-health.hbs). */
export const HEALTH_FORMS = ['condition', 'treatment', 'contract', 'renew', 'followup'] as const;
export type HealthForm = (typeof HEALTH_FORMS)[number];

/** A refused health form: which form of which record (`key`), what the user typed, and why. */
export interface HealthRefusal {
  key: string;
  values: Record<string, string>;
  errors: FieldErrors;
  message: string | null;
}

/** The form that records `form` for the record `id` (a person for 新增患病/签约, else the condition or contract). */
export const formKey = (form: HealthForm, id: number): string => `${form}-${id}`;

const TREATMENT_LABELS = {
  treatmentStatus: '救治状态',
  confirmedOn: '核准日期',
  hospital: '定点医院',
  treatmentStartedOn: '开始救治日期',
  declineReason: '放弃原因',
};

const CONDITION: FormSpec<CreateConditionDto> = {
  dto: CreateConditionDto,
  labels: { diseaseCode: '病种', treatmentCategory: '分类救治类别', diagnosedOn: '确诊日期', ...TREATMENT_LABELS },
};

const TREATMENT: FormSpec<UpdateConditionDto> = {
  dto: UpdateConditionDto,
  labels: { ...TREATMENT_LABELS, version: '版本' },
  integers: ['version'],
};

/** The contract form without its diseases (checkboxes, read apart: readForm reads one value a field). */
class ContractFieldsDto extends OmitType(CreateContractDto, ['diseaseCodes'] as const) {}

const CONTRACT: FormSpec<ContractFieldsDto> = {
  dto: ContractFieldsDto,
  labels: {
    personId: '成员',
    institution: '签约机构',
    doctorName: '签约医生/团队',
    signedOn: '签约日期',
    validUntil: '有效期至',
  },
  integers: ['personId'],
};

const RENEW: FormSpec<RenewContractDto> = {
  dto: RenewContractDto,
  labels: { signedOn: '续签日期', validUntil: '有效期至', version: '版本' },
  integers: ['version'],
};

const FOLLOW_UP: FormSpec<CreateFollowUpDto> = {
  dto: CreateFollowUpDto,
  labels: {
    visitedOn: '随访日期',
    kind: '随访方式',
    result: '随访结果',
    systolic: '收缩压',
    diastolic: '舒张压',
    fastingGlucose: '空腹血糖',
    notes: '随访情况',
  },
  integers: ['systolic', 'diastolic'],
  decimals: ['fastingGlucose'],
  messages: { fastingGlucose: '空腹血糖请填写 1 至 40 之间的数（mmol/L），最多一位小数' },
};

/** At most this many diseases on one contract (CreateContractDto's ArrayMaxSize). */
const MAX_DISEASES = 10;

/** The contract form: its fields through the API's DTO, and the ticked diseases (at least one). */
function readContract(body: Record<string, unknown>, personId: number): FormResult<CreateContractDto> {
  const ticked = [body.diseaseCodes].flat().filter((c): c is string => typeof c === 'string' && c.length <= 32);
  const form = readForm(CONTRACT, { ...body, personId: String(personId) });
  const errors = { ...form.errors };
  if (ticked.length === 0 || ticked.length > MAX_DISEASES) {
    errors.diseaseCodes = '请勾选签约病种';
  }
  const dto =
    form.dto && !errors.diseaseCodes
      ? Object.assign(new CreateContractDto(), form.dto, { diseaseCodes: ticked })
      : null;
  return { values: { ...form.values, diseaseCodes: ticked.join(',') }, dto, errors };
}

/** Reads a posted health form through its API DTO; `id` is the person (condition, contract) or the record. */
export function readHealthForm(form: HealthForm, body: unknown, id: number): FormResult<object> {
  const posted = (body ?? {}) as Record<string, unknown>;
  switch (form) {
    case 'condition':
      return readForm(CONDITION, posted);
    case 'treatment':
      return readForm(TREATMENT, posted);
    case 'contract':
      return readContract(posted, id);
    case 'renew':
      return readForm(RENEW, posted);
    case 'followup':
      return readForm(FOLLOW_UP, posted);
  }
}

/** What a successful form says in the member's block after the redirect. */
export const HEALTH_DONE: Record<HealthForm, string> = {
  condition: '已新增患病记录。',
  treatment: '已更新救治状态。',
  contract: '已签约家庭医生。',
  renew: '已续签，原签约同时终止。',
  followup: '已登记随访。',
};
