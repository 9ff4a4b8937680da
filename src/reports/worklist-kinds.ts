import { IsIn, IsOptional } from 'class-validator';
import { IsCalendarDate } from '../common/is-calendar-date.js';
import { PageQuery } from '../common/pagination.js';
import { IsRegionCode } from '../regions/region-code.validators.js';

/** The working lists of SPEC §6.3 (工作清单), in the order the pages show them. */
export const WORKLIST_KINDS = [
  'followups_overdue',
  'followups_due',
  'contracts_noncompliant',
  'contracts_expiring',
  'chronic_unsigned',
  'treatment_pending',
  'items_due',
] as const;
export type WorklistKind = (typeof WORKLIST_KINDS)[number];

export function isWorklistKind(kind: string): kind is WorklistKind {
  return (WORKLIST_KINDS as readonly string[]).includes(kind);
}

/** Days ahead a follow-up counts as 随访到期 and a contract as 即将到期. */
export const FOLLOW_UP_DUE_DAYS = 7;
export const CONTRACT_EXPIRING_DAYS = 30;

export interface WorklistDefinition {
  kind: WorklistKind;
  /** 中文名 shown on the pages, the 今日待办 and the export's sheet. */
  name: string;
  /** What puts a row on the list (shown under the list's title and in the README). */
  definition: string;
  /** The header of the date that makes a row due. */
  dueLabel: string;
  /** The header of the row's own line (a doctor, a title). */
  detailLabel: string;
}

export const WORKLIST_DEFINITIONS: Record<WorklistKind, WorklistDefinition> = {
  followups_overdue: {
    kind: 'followups_overdue',
    name: '随访逾期',
    definition:
      '统计日在有效期内的签约，下次随访日期已过：末次有效随访（未联系上、外出务工不计）后按病种随访间隔（血压或血糖未控制的 14 天），无随访的自签约日起算。',
    dueLabel: '应随访日期',
    detailLabel: '签约医生',
  },
  followups_due: {
    kind: 'followups_due',
    name: '随访到期',
    definition: `统计日在有效期内的签约，下次随访日期在统计日起 ${FOLLOW_UP_DUE_DAYS} 天内（含当天），算法同随访逾期。`,
    dueLabel: '应随访日期',
    detailLabel: '签约医生',
  },
  contracts_noncompliant: {
    kind: 'contracts_noncompliant',
    name: '随访不足',
    definition:
      '统计日在有效期内、签约满一个季度，截至统计日有效随访次数少于按期应随访次数的签约；日期为按期应完成下一次随访的日期。',
    dueLabel: '应随访日期',
    detailLabel: '签约医生',
  },
  contracts_expiring: {
    kind: 'contracts_expiring',
    name: '签约即将到期',
    definition: `统计日在有效期内、${CONTRACT_EXPIRING_DAYS} 天内（含当天）到期，且尚未续签（本人没有统计日前签订、有效期更晚的签约）的签约。`,
    dueLabel: '到期日期',
    detailLabel: '签约医生',
  },
  chronic_unsigned: {
    kind: 'chronic_unsigned',
    name: '重点慢病未签约',
    definition: '统计日前已确诊签约重点慢病、统计日没有覆盖重点慢病的有效签约的在册人口；日期为最早确诊日期。',
    dueLabel: '确诊日期',
    detailLabel: '说明',
  },
  treatment_pending: {
    kind: 'treatment_pending',
    name: '大病未及时救治',
    definition:
      '大病病例核准（未记核准日期的按确诊日期）超过救治时限（当年整改专项的设置，默认 30 天）仍未开始救治，放弃救治、已死亡的除外；日期为应开始救治的日期。',
    dueLabel: '应救治日期',
    detailLabel: '定点医院',
  },
  items_due: {
    kind: 'items_due',
    name: '待办整改问题',
    definition:
      '本人负责范围内未销号的整改问题（街道专干：本街道；医保局：医保部门的问题），逾期的在前，再按截止日期。',
    dueLabel: '截止日期',
    detailLabel: '问题',
  },
};

export const WORKLIST_SORTS = ['due', 'village'] as const;
/** due: the most late first (the default); village: by village, then the most late first. */
export type WorklistSort = (typeof WORKLIST_SORTS)[number];

export class WorklistQuery extends PageQuery {
  /** A sub-district or village; an officer's list stays within their own sub-district whatever is asked. */
  @IsOptional()
  @IsRegionCode()
  regionCode?: string;

  /** The day the list is drawn up for; today by default. */
  @IsOptional()
  @IsCalendarDate()
  asOf?: string;

  @IsOptional()
  @IsIn(WORKLIST_SORTS, { message: 'sort must be due or village' })
  sort?: WorklistSort;

  /** xlsx: every row of the list as a workbook instead of a page. */
  @IsOptional()
  @IsIn(['xlsx'], { message: 'format must be xlsx' })
  format?: 'xlsx';
}
