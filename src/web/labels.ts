import { RISK_OUTCOME_LABELS } from '../ledger/risk-outcomes.js';
import type { FollowUpResult } from '../health/follow-up-rules.js';
import type { Role } from '../auth/roles.js';
import { HOUSEHOLD_COLUMNS } from '../imports/household-rows.js';
import { INSURANCE_COLUMNS } from '../reconciliation/insurance-rows.js';
import type { TreatmentCategory, TreatmentStatus } from '../health/condition.entity.js';
import type { ContractStatus } from '../health/contract-status.js';
import type { DiseaseKind } from '../health/disease.entity.js';
import type { FollowUpKind } from '../health/follow-up.entity.js';
import {
  HOUSEHOLD_STATUS_LABELS,
  PERSON_STATUS_LABELS,
  POVERTY_CAUSE_LABELS,
  RELATION_LABELS,
  SEX_LABELS,
} from '../households/household-labels.js';
import {
  CATEGORY_LABELS,
  DEPARTMENT_LABELS,
  ESCALATION_LABELS,
  SOURCE_LABELS,
  STATUS_LABELS,
  SUBJECT_LABELS,
} from '../ledger/item-labels.js';
import type { LedgerEntryType } from '../ledger/ledger-entry.entity.js';
import type { EvidenceType } from '../ledger/attachment.entity.js';

/**
 * The Chinese names the pages show for codes (the items' own are in ledger/item-labels.ts, the
 * households' and persons' in households/household-labels.ts, shared with the rosters).
 */
export const ROLE_LABELS: Record<Role, string> = {
  admin: '系统管理员',
  health_caseworker: '卫健局业务人员',
  insurance_reconciler: '医保局对账人员',
  subdistrict_officer: '街道办工作人员',
  viewer: '领导、督导组成员',
};

/** 三个一批. */
export const TREATMENT_CATEGORY_LABELS: Record<TreatmentCategory, string> = {
  concentrated: '大病集中救治一批',
  contracted: '慢病签约服务管理一批',
  safety_net: '重病兜底保障一批',
};

export const TREATMENT_STATUS_LABELS: Record<TreatmentStatus, string> = {
  untreated: '未救治',
  in_treatment: '救治中',
  treated: '已救治',
  declined: '放弃救治',
  deceased: '已故',
};

export const DISEASE_KIND_LABELS: Record<DiseaseKind, string> = { chronic: '慢病', major: '大病' };

export const CONTRACT_STATUS_LABELS: Record<ContractStatus, string> = {
  active: '履约中',
  expired: '已到期',
  noncompliant: '随访不足',
};

export const FOLLOW_UP_KIND_LABELS: Record<FollowUpKind, string> = {
  clinic: '门诊',
  home: '入户',
  phone: '电话',
  remote: '远程',
};

export const FOLLOW_UP_RESULT_LABELS: Record<FollowUpResult, string> = {
  visited: '已随访',
  unreachable: '未联系上',
  away: '外出务工',
  refused: '拒绝',
  died: '死亡',
};

export const LEDGER_TYPE_LABELS: Record<LedgerEntryType, string> = {
  created: '登记问题',
  started: '开始整改',
  progress: '整改进展',
  closed: '销号',
  reopened: '重新打开',
  escalated: '预警升级',
  deadline_changed: '调整期限',
  reassigned: '移交',
  found_again: '再次发现',
  attachment_added: '上传佐证材料',
  close_requested: '申请销号',
  close_rejected: '审核退回',
  comment: '批注',
  assignee_changed: '指定责任人',
};

/** 佐证材料 by their recognised type (the file formats' names, as people call them). */
export const EVIDENCE_TYPE_LABELS: Record<EvidenceType, string> = {
  'image/jpeg': 'JPEG 照片',
  'image/png': 'PNG 图片',
  'application/pdf': 'PDF 文件',
};

/** A roster column by its key, as the roster's header names it (rejected rows, skipped rows). */
export const ROSTER_FIELD_LABELS: Record<string, string> = Object.fromEntries(
  [...HOUSEHOLD_COLUMNS, ...INSURANCE_COLUMNS].map((c) => [c.key, c.header]),
);

/** Every label table by the name templates use: {{zh 'itemStatus' item.status}}. */
export const LABELS: Record<string, Readonly<Record<string, string>>> = {
  role: ROLE_LABELS,
  householdStatus: HOUSEHOLD_STATUS_LABELS,
  povertyCause: POVERTY_CAUSE_LABELS,
  relation: RELATION_LABELS,
  personStatus: PERSON_STATUS_LABELS,
  sex: SEX_LABELS,
  treatmentCategory: TREATMENT_CATEGORY_LABELS,
  treatmentStatus: TREATMENT_STATUS_LABELS,
  diseaseKind: DISEASE_KIND_LABELS,
  contractStatus: CONTRACT_STATUS_LABELS,
  followUpKind: FOLLOW_UP_KIND_LABELS,
  followUpResult: FOLLOW_UP_RESULT_LABELS,
  ledgerType: LEDGER_TYPE_LABELS,
  evidenceType: EVIDENCE_TYPE_LABELS,
  itemStatus: STATUS_LABELS,
  category: CATEGORY_LABELS,
  dept: DEPARTMENT_LABELS,
  source: SOURCE_LABELS,
  outcome: RISK_OUTCOME_LABELS,
  subject: SUBJECT_LABELS,
  rosterField: ROSTER_FIELD_LABELS,
  fileFormat: { csv: 'CSV', xlsx: 'Excel' },
  encoding: { utf8: 'UTF-8', gbk: 'GBK' },
  level: Object.fromEntries(ESCALATION_LABELS.map((label, level) => [String(level), label])),
};

/** [{value, label}] for a select, in the table's order. */
export function optionsOf(table: Readonly<Record<string, string>>): { value: string; label: string }[] {
  return Object.entries(table).map(([value, label]) => ({ value, label }));
}
