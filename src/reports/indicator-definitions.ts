/**
 * The indicators the district health bureau is judged by (SPEC §6.4), each with its Chinese name and
 * its written definition: shown beside the figures on the 工作台, printed under the bulletin's table,
 * answered by GET /api/stats/indicators. IndicatorsService computes each as written here.
 */
export const INDICATOR_KEYS = [
  'insuredRate',
  'subsidizedRate',
  'contractRate',
  'managedRate',
  'bpControlRate',
  'glucoseControlRate',
  'treatmentRate',
] as const;
export type IndicatorKey = (typeof INDICATOR_KEYS)[number];

export interface IndicatorDefinition {
  key: IndicatorKey;
  name: string;
  numerator: string;
  denominator: string;
}

/** 在册人口: the persons every indicator starts from. */
export const REGISTERED_PERSONS =
  '统计日在册的建档立卡贫困人口：户未清退、建档年度不晚于统计日所在年度的家庭成员，含统计日之后随访登记死亡者';

export const INDICATOR_DEFINITIONS: readonly IndicatorDefinition[] = [
  {
    key: 'insuredRate',
    name: '参保率',
    numerator: '统计日所在年度已参加基本医疗保险的人数',
    denominator: '在册人口数',
  },
  {
    key: 'subsidizedRate',
    name: '资助参保率',
    numerator: '统计日所在年度已参保且享受资助参保的人数',
    denominator: '在册人口数',
  },
  {
    key: 'contractRate',
    name: '签约率',
    numerator: '其中统计日有在有效期内的家庭医生签约（覆盖重点慢病）的人数',
    denominator: '统计日前已确诊签约重点慢病（病种目录中列为家庭医生签约重点的病种）的在册人数',
  },
  {
    key: 'managedRate',
    name: '规范管理率',
    numerator: '其中截至统计日随访次数（未联系上、外出务工不计）达到按期应随访次数的签约数',
    denominator: '统计日在有效期内的家庭医生签约数（在册人口）',
  },
  {
    key: 'bpControlRate',
    name: '血压控制率',
    numerator: '其中最近一次血压低于140/90毫米汞柱的人数',
    denominator: '截至统计日有随访血压记录的在册人数',
  },
  {
    key: 'glucoseControlRate',
    name: '血糖控制率',
    numerator: '其中最近一次空腹血糖低于7.0毫摩尔每升的人数',
    denominator: '截至统计日有随访空腹血糖记录的在册人数',
  },
  {
    key: 'treatmentRate',
    name: '救治率',
    numerator: '其中截至统计日已开始救治（救治中或已救治）的病例数',
    denominator: '统计日前已核准的在册人口大病病例数（未记核准日期的按确诊日期）',
  },
];
