import type { Department, ItemCategory } from '../ledger/item.entity.js';

export const CHECK_RULES = [
  'chronic_without_contract',
  'contract_followups_short',
  'not_insured',
  'major_disease_untreated',
] as const;
/** 查漏补缺 rules (SPEC §2, Checks). */
export type CheckRule = (typeof CHECK_RULES)[number];

/** How each rule files its items. */
export const RULE_ITEM: Record<
  CheckRule,
  { category: ItemCategory; dept: Department; title: (name: string, detail: string) => string }
> = {
  chronic_without_contract: {
    category: 'contract',
    dept: 'health',
    title: (name, detail) => `慢病患者未签约家庭医生：${name}（${detail}）`,
  },
  contract_followups_short: {
    category: 'contract',
    dept: 'health',
    title: (name, detail) => `签约随访次数不足：${name}（${detail}）`,
  },
  not_insured: {
    category: 'insurance',
    dept: 'insurance',
    title: (name, detail) => `未参加基本医疗保险：${name}（${detail}年度）`,
  },
  major_disease_untreated: {
    category: 'treatment',
    dept: 'health',
    title: (name, detail) => `大病患者未救治：${name}（${detail}）`,
  },
};

/** The rules' names as users read them (item descriptions, pages). */
export const CHECK_RULE_LABELS: Record<CheckRule, string> = {
  chronic_without_contract: '慢病患者未签约家庭医生',
  contract_followups_short: '签约随访次数不足',
  not_insured: '未参加基本医疗保险',
  major_disease_untreated: '大病患者未救治',
};
