/**
 * What the progress figures (销号进度) count, as the 工作台 and the bulletin print them under the
 * progress table. ProgressService counts each as written here: an item is in exactly one of 已销号,
 * 待审核 and 未销号, so 问题总数 = 已销号 + 待审核 + 未销号.
 */
export interface ProgressDefinition {
  term: string;
  text: string;
}

export const PROGRESS_DEFINITIONS: readonly ProgressDefinition[] = [
  { term: '问题总数', text: '本整改专项的问题数，等于已销号、待审核、未销号三项之和' },
  { term: '已销号', text: '已销号的问题；启用销号审核的专项，须经责任部门审核通过才算已销号' },
  { term: '逾期销号', text: '已销号问题中，销号日期晚于截止日期的' },
  { term: '待审核', text: '已申请销号、尚待责任部门审核的问题，既不计入已销号，也不计入未销号' },
  { term: '未销号', text: '待整改和整改中的问题，不含待审核' },
  { term: '逾期未销号', text: '截止日期已过仍未销号的问题，含待审核（截止日期是销号的期限）' },
  { term: '销号率', text: '已销号 ÷ 问题总数；待审核的问题计入问题总数，不计入已销号' },
];
