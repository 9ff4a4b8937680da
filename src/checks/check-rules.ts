import type { Department, ItemCategory } from '../ledger/item.entity.js';

export const CHECK_RULES = [
  'chronic_without_contract',
  'contract_followups_short',
  'not_insured',
  'major_disease_untreated',
] as const;
/** 查漏补缺 rules (SPEC §2, Checks). */
export type CheckRule = (typeof CHECK_RULES)[number];

/**
 * How each rule files its items. A title names the gap, never the person or the diagnosis (issue
 * #12): the person is the item's subject, linked separately and shown only to roles that read
 * persons; the diagnosis is in the health record, for roles that read those.
 */
export const RULE_ITEM: Record<
  CheckRule,
  { category: ItemCategory; dept: Department; title: (year: number) => string }
> = {
  chronic_without_contract: {
    category: 'contract',
    dept: 'health',
    title: () => '慢病患者未签约家庭医生',
  },
  contract_followups_short: {
    category: 'contract',
    dept: 'health',
    title: () => '家庭医生签约随访次数不足',
  },
  not_insured: {
    category: 'insurance',
    dept: 'insurance',
    title: (year) => `未参加${year}年度基本医疗保险`,
  },
  major_disease_untreated: {
    category: 'treatment',
    dept: 'health',
    title: () => '大病患者未救治',
  },
};

/** The rules' names as users read them (item descriptions, pages). */
export const CHECK_RULE_LABELS: Record<CheckRule, string> = {
  chronic_without_contract: '慢病患者未签约家庭医生',
  contract_followups_short: '签约随访次数不足',
  not_insured: '未参加基本医疗保险',
  major_disease_untreated: '大病患者未救治',
};
