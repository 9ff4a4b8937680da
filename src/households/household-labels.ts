import type { HouseholdStatus, PovertyCause } from './household.entity.js';
import type { PersonRelation, PersonStatus } from './person.entity.js';

/**
 * The words for households and persons, one table per concept, shared by the pages, the roster
 * template, the roster reader and its messages. For a code: its label first (what the pages and the
 * template show), then the everyday wordings a roster may use instead (SPEC §3 File formats).
 */
type Words<T extends string> = Record<T, readonly [string, ...string[]]>;

export const POVERTY_CAUSE_WORDS: Words<PovertyCause> = {
  illness: ['因病', '因病致贫', '因病返贫', '疾病'],
  disability: ['因残', '因残致贫', '残疾'],
  education: ['因学', '因学致贫', '上学'],
  labour: ['缺劳力', '缺劳动力', '缺劳力致贫', '缺劳动力致贫', '缺少劳动力'],
  other: ['其他', '其它'],
};

export const HOUSEHOLD_STATUS_WORDS: Words<HouseholdStatus> = {
  poor: ['在册未脱贫', '未脱贫', '贫困户', '未脱贫户'],
  lifted: ['已脱贫', '脱贫', '脱贫户', '已脱贫户', '稳定脱贫'],
  removed: ['清退', '自然减少', '已清退', '销户'],
};

export const RELATION_WORDS: Words<PersonRelation> = {
  head: ['户主', '本人', '户主本人'],
  spouse: ['配偶', '妻', '夫', '妻子', '丈夫'],
  child: ['子女', '子', '女', '儿子', '女儿', '长子', '次子', '三子', '长女', '次女', '三女', '独生子', '独生女'],
  parent: ['父母', '父亲', '母亲', '父', '母'],
  grandchild: ['孙子女', '孙子', '孙女', '外孙子', '外孙女', '外孙'],
  other: ['其他', '其它', '儿媳', '女婿', '兄弟姐妹', '祖父母', '外祖父母'],
};

/** Each code's label: the first of its words. */
export function labelsOf<T extends string>(words: Words<T>): Record<T, string> {
  return Object.fromEntries(Object.entries<readonly string[]>(words).map(([code, w]) => [code, w[0]])) as Record<
    T,
    string
  >;
}

export const POVERTY_CAUSE_LABELS = labelsOf(POVERTY_CAUSE_WORDS);
export const HOUSEHOLD_STATUS_LABELS = labelsOf(HOUSEHOLD_STATUS_WORDS);
export const RELATION_LABELS = labelsOf(RELATION_WORDS);

export const PERSON_STATUS_LABELS: Record<PersonStatus, string> = { active: '正常', deceased: '已故', moved: '迁出' };

/**
 * The poverty office's register (扶贫办, SPEC §6.5): its 户类型 and 人员状态, each with the registry
 * status it stands for. 监测户 (防返贫监测户) may be `poor` or `lifted` here; a new one is added as `poor`.
 */
export const POVERTY_HOUSEHOLD_TYPES = ['lifted', 'poor', 'monitored'] as const;
export type PovertyHouseholdType = (typeof POVERTY_HOUSEHOLD_TYPES)[number];
export const POVERTY_HOUSEHOLD_TYPE_WORDS: Words<PovertyHouseholdType> = {
  lifted: ['脱贫户', '已脱贫户', '已脱贫'],
  poor: ['未脱贫户', '未脱贫', '贫困户'],
  monitored: ['监测户', '防返贫监测户', '边缘易致贫户', '脱贫不稳定户'],
};

/** 人员状态 of the register; 清退 (removed from the register) leaves the household like 迁出. */
export const POVERTY_PERSON_STATUSES = ['normal', 'deceased', 'moved', 'removed'] as const;
export type PovertyPersonStatus = (typeof POVERTY_PERSON_STATUSES)[number];
export const POVERTY_PERSON_STATUS_WORDS: Words<PovertyPersonStatus> = {
  normal: ['正常', '在册'],
  deceased: ['死亡', '已故', '去世'],
  moved: ['迁出', '已迁出'],
  removed: ['清退', '已清退', '自然减少'],
};

export const SEX_LABELS: Record<'male' | 'female', string> = { male: '男', female: '女' };

/** A field's label (the roster's header, the pages' column) and the other headers a roster may use for it. */
export const HOUSEHOLD_FIELDS = {
  registryNo: { label: '户编号', aliases: ['户号'] },
  regionCode: { label: '区划代码', aliases: ['行政区划代码'] },
  povertyCause: { label: '致贫原因', aliases: [] },
  householdStatus: { label: '户状态', aliases: [] },
  registeredYear: { label: '建档年度', aliases: ['建档年份'] },
  idNumber: { label: '身份证号', aliases: ['身份证号码', '公民身份号码'] },
  name: { label: '姓名', aliases: [] },
  relation: { label: '与户主关系', aliases: [] },
  headName: { label: '户主姓名', aliases: ['户主'] },
  householdType: { label: '户类型', aliases: ['贫困户类型', '户属性'] },
  liftedYear: { label: '脱贫年度', aliases: ['脱贫年份', '脱贫时间'] },
  personStatus: { label: '人员状态', aliases: ['成员状态'] },
} as const satisfies Record<string, { label: string; aliases: readonly string[] }>;

/** A roster column for a household or person field, under its shared label and aliases. */
export function fieldColumn<K extends keyof typeof HOUSEHOLD_FIELDS>(
  key: K,
): { key: K; header: string; aliases: readonly string[] } {
  return { key, header: HOUSEHOLD_FIELDS[key].label, aliases: HOUSEHOLD_FIELDS[key].aliases };
}
