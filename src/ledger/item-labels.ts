import type { Department, ItemCategory, ItemSource, ItemStatus, SubjectType } from './item.entity.js';

/** The Chinese names of the item enumerations, for the 台账 export and the pages. */
export const CATEGORY_LABELS: Record<ItemCategory, string> = {
  insurance: '基本医保',
  contract: '慢病签约',
  treatment: '分类救治',
  data: '信息数据',
  facility: '基础设施',
  staffing: '人才',
  other: '其他',
};

export const DEPARTMENT_LABELS: Record<Department, string> = { health: '卫健局', insurance: '医保局' };

export const SOURCE_LABELS: Record<ItemSource, string> = {
  inspection: '督导检查',
  check: '查漏补缺',
  reconciliation: '数据比对',
  risk_alert: '因病返贫致贫预警',
};

export const STATUS_LABELS: Record<ItemStatus, string> = {
  open: '待整改',
  in_progress: '整改中',
  pending_review: '待审核',
  closed: '已销号',
};

export const SUBJECT_LABELS: Record<SubjectType, string> = { household: '户', person: '人员', region: '区划' };

/** Index = escalationLevel. */
export const ESCALATION_LABELS = ['正常', '提醒', '预警', '逾期', '督办'] as const;
