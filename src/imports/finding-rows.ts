import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { RowRefusal } from '../common/app-error.js';
import { idNumberProblem, maskIdNumber, normalizeIdNumber } from '../common/id-number.js';
import type { PersonByIdNumber } from '../households/person-finder.service.js';
import { CreateItemDto } from '../ledger/dto/create-item.dto.js';
import type { Finding } from '../ledger/item-batch.service.js';
import { CATEGORY_LABELS, DEPARTMENT_LABELS } from '../ledger/item-labels.js';
import { defaultDepartment } from '../ledger/item-policy.js';
import { DEPARTMENTS, type Department, ITEM_CATEGORIES, type ItemCategory } from '../ledger/item.entity.js';
import { subdistrictOf } from '../regions/region-codes.js';
import type { RosterColumn, RosterRow } from '../uploads/roster-file.js';
import { describeChoices, ID_REASONS, IMPRECISE_ID, quote } from '../uploads/roster-values.js';

/**
 * The rows of a supervision group's findings (SPEC §6.1): `街道,类别,问题,问题描述,责任部门,截止日期,
 * 对象身份证号`. 街道, 类别 and 责任部门 as their code or Chinese name; each row is checked with the
 * rules of POST /api/items (its DTO) and every refusal names its line and column in Chinese.
 */
export type FindingField =
  'regionCode' | 'category' | 'title' | 'description' | 'responsibleDept' | 'deadline' | 'idNumber';

export const FINDING_COLUMNS: readonly RosterColumn<FindingField>[] = [
  { key: 'regionCode', header: '街道', aliases: ['责任街道', '街道办事处', '乡镇', '街道/乡镇'] },
  { key: 'category', header: '类别', aliases: ['问题类别'] },
  { key: 'title', header: '问题', aliases: ['问题标题', '存在问题'] },
  { key: 'description', header: '问题描述', aliases: ['描述', '具体情况'] },
  { key: 'responsibleDept', header: '责任部门' },
  { key: 'deadline', header: '截止日期', aliases: ['整改时限', '整改期限'] },
  { key: 'idNumber', header: '对象身份证号', aliases: ['身份证号'] },
];

const HEADER = new Map(FINDING_COLUMNS.map((c) => [c.key, c.header]));

/** The most findings one file may hold: a supervision group reports dozens, a few thousand at most. */
export const MAX_FINDINGS = 5000;

const DEPARTMENT_WORDS: Record<Department, readonly string[]> = {
  health: ['卫健局', '卫生健康局', '卫健', '卫生局'],
  insurance: ['医保局', '医疗保障局', '医保'],
};

function lookup<T extends string>(
  codes: readonly T[],
  labels: Record<T, string>,
  words?: Record<T, readonly string[]>,
) {
  const map = new Map<string, T>();
  for (const code of codes) {
    [code, labels[code], ...(words?.[code] ?? [])].forEach((w) => map.set(w.toLowerCase(), code));
  }
  return (value: string): T | null => map.get(value.toLowerCase()) ?? null;
}

const parseCategory = lookup<ItemCategory>(ITEM_CATEGORIES, CATEGORY_LABELS);
const parseDepartment = lookup<Department>(DEPARTMENTS, DEPARTMENT_LABELS, DEPARTMENT_WORDS);

/** 2026-5-31, 2026/05/31 and 2026.5.31 as 2026-05-31; anything else as it was written (the DTO refuses it). */
function isoDate(value: string): string {
  const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(value);
  return m ? `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}` : value;
}

/** What the DTO's rules say of a field, in the words of the file's column. */
const DTO_MESSAGES: Partial<Record<keyof CreateItemDto, [FindingField, string]>> = {
  title: ['title', '问题须为 2–200 个字，且至少 2 个可见的字'],
  description: ['description', '问题描述不能超过 4000 个字'],
  deadline: ['deadline', '截止日期应为有效日期（年-月-日，如 2026-05-31）'],
};

/** What the reader knows while it checks rows: the sub-districts, and the persons the file names. */
export interface FindingContext {
  /** Sub-district codes and names → code. */
  subdistricts: Map<string, string>;
  persons: Map<string, PersonByIdNumber>;
  today: string;
  campaignId: number;
}

/** The normalised ID number of a row, when it names a well-formed one (for the set-based person lookup). */
export function rowIdNumber(row: RosterRow<FindingField>): string | null {
  const id = normalizeIdNumber(row.values.idNumber);
  return id === '' || idNumberProblem(id) !== null ? null : id;
}

/** Reads one row: the finding, or the row's refusals (one per wrong column). */
export function readFinding(
  row: RosterRow<FindingField>,
  ctx: FindingContext,
): { finding: Finding; refusals: [] } | { finding: null; refusals: RowRefusal[] } {
  const refusals: RowRefusal[] = [];
  const refuse = (field: FindingField, message: string) =>
    refusals.push({ line: row.line, field: HEADER.get(field)!, message });
  const v = row.values;

  const regionCode = v.regionCode === '' ? null : (ctx.subdistricts.get(v.regionCode) ?? null);
  if (v.regionCode === '') {
    refuse('regionCode', '请填写街道（名称或区划代码）');
  } else if (!regionCode) {
    refuse('regionCode', `街道${quote(v.regionCode)}不是本区的街道（请填写街道名称或区划代码）`);
  }
  const category = parseCategory(v.category);
  if (!category) {
    refuse(
      'category',
      v.category === ''
        ? '请填写类别'
        : `类别${quote(v.category)}无效，应为：${describeChoices(ITEM_CATEGORIES, CATEGORY_LABELS)}`,
    );
  }
  const dept = v.responsibleDept === '' ? null : parseDepartment(v.responsibleDept);
  if (v.responsibleDept !== '' && !dept) {
    refuse(
      'responsibleDept',
      `责任部门${quote(v.responsibleDept)}无效，应为：${describeChoices(DEPARTMENTS, DEPARTMENT_LABELS)}`,
    );
  }

  const plain = {
    campaignId: ctx.campaignId,
    category: category ?? 'other',
    title: v.title,
    ...(v.description !== '' ? { description: v.description } : {}),
    ...(v.deadline !== '' ? { deadline: isoDate(v.deadline) } : {}),
  };
  const dto = plainToInstance(CreateItemDto, plain);
  for (const error of validateSync(dto, { whitelist: true })) {
    const known = DTO_MESSAGES[error.property as keyof CreateItemDto];
    if (known) {
      refuse(known[0], v.title === '' && error.property === 'title' ? '请填写问题' : known[1]);
    }
  }

  let personId: number | null = null;
  const idNumber = normalizeIdNumber(v.idNumber);
  if (row.imprecise.includes('idNumber')) {
    refuse('idNumber', IMPRECISE_ID);
  } else if (idNumber !== '') {
    const problem = idNumberProblem(idNumber, ctx.today);
    const person = problem ? null : ctx.persons.get(idNumber);
    if (problem) {
      refuse('idNumber', ID_REASONS[problem]);
    } else if (!person) {
      refuse('idNumber', `没有身份证号为 ${maskIdNumber(idNumber)} 的人员（对象须是在册贫困人口）`);
    } else if (regionCode && subdistrictOf(person.regionCode) !== regionCode) {
      refuse('idNumber', '对象不在所填街道：整改问题只能交给对象所在的街道');
    } else {
      personId = person.id;
    }
  }

  if (refusals.length > 0) {
    return { finding: null, refusals };
  }
  return {
    finding: {
      category: dto.category,
      title: dto.title,
      description: dto.description || null,
      regionCode: regionCode!,
      responsibleDept: dept ?? defaultDepartment(dto.category),
      deadline: dto.deadline ?? null,
      personId,
    },
    refusals: [],
  };
}
