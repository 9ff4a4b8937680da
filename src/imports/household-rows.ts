import { idNumberProblem, normalizeIdNumber } from '../common/id-number.js';
import {
  HOUSEHOLD_STATUSES,
  type HouseholdStatus,
  POVERTY_CAUSES,
  type PovertyCause,
} from '../households/household.entity.js';
import {
  fieldColumn,
  HOUSEHOLD_STATUS_LABELS,
  POVERTY_CAUSE_LABELS,
  RELATION_LABELS,
} from '../households/household-labels.js';
import { type PersonRelation, RELATIONS } from '../households/person.entity.js';
import type { RosterColumn, RosterRow } from '../uploads/roster-file.js';
import {
  describeChoices,
  ID_REASONS,
  IMPRECISE_ID,
  parseHouseholdStatus,
  parsePovertyCause,
  parseRelation,
  parseYear,
  quote,
} from '../uploads/roster-values.js';
import { FIRST_REGISTERED_YEAR } from '../common/programme-years.js';

/** The household roster, one row per person (SPEC §3): the template's Chinese headers, or the English keys. */
export const HOUSEHOLD_COLUMNS = [
  fieldColumn('registryNo'),
  fieldColumn('regionCode'),
  fieldColumn('povertyCause'),
  fieldColumn('householdStatus'),
  fieldColumn('registeredYear'),
  fieldColumn('idNumber'),
  fieldColumn('name'),
  fieldColumn('relation'),
] as const satisfies readonly RosterColumn<string>[];

export type HouseholdField = (typeof HOUSEHOLD_COLUMNS)[number]['key'];

const HEADER = Object.fromEntries(HOUSEHOLD_COLUMNS.map((c) => [c.key, c.header])) as Record<HouseholdField, string>;

/** A row that passed every check of its own. */
export interface HouseholdRow {
  line: number;
  registryNo: string;
  regionCode: string;
  povertyCause: PovertyCause;
  status: HouseholdStatus;
  registeredYear: number;
  idNumber: string;
  name: string;
  relation: PersonRelation;
}

export interface RowProblem {
  field: HouseholdField;
  reason: string;
}

export interface RowContext {
  /** Codes of the known villages and sub-districts. */
  regions: ReadonlySet<string>;
  /** Today (YYYY-MM-DD): nobody is born later. */
  today: string;
  /** No household is registered in a later year. */
  thisYear: number;
}

const REGISTRY_NO = /^[0-9A-Za-z-]{4,32}$/;
const MAX_NAME = 32;

/** The checks a row passes or fails on its own (the whole-file checks come on top). Reasons in Chinese, cells quoted masked. */
export function checkHouseholdRow(row: RosterRow<HouseholdField>, ctx: RowContext): HouseholdRow | RowProblem[] {
  const v = row.values;
  // Runs twice for each row of a million-row file: no allocation unless something is wrong.
  let problems: RowProblem[] | null = null;
  const problem = (field: HouseholdField, reason: string) => (problems ??= []).push({ field, reason });
  const empty = (field: HouseholdField) => problem(field, `${HEADER[field]}为空`);
  if (!v.registryNo) {
    empty('registryNo');
  } else if (!REGISTRY_NO.test(v.registryNo)) {
    problem('registryNo', `户编号${quote(v.registryNo)}应为4–32位字母、数字或“-”`);
  }
  if (!v.regionCode) {
    empty('regionCode');
  } else if (!ctx.regions.has(v.regionCode)) {
    problem('regionCode', `区划代码${quote(v.regionCode)}不是已知的村（社区）或街道（乡镇）`);
  }
  const povertyCause = v.povertyCause ? parsePovertyCause(v.povertyCause) : null;
  if (!v.povertyCause) {
    empty('povertyCause');
  } else if (!povertyCause) {
    problem(
      'povertyCause',
      `致贫原因${quote(v.povertyCause)}不在可选值中：${describeChoices(POVERTY_CAUSES, POVERTY_CAUSE_LABELS)}`,
    );
  }
  const status = v.householdStatus ? parseHouseholdStatus(v.householdStatus) : null;
  if (!v.householdStatus) {
    empty('householdStatus');
  } else if (!status) {
    problem(
      'householdStatus',
      `户状态${quote(v.householdStatus)}不在可选值中：${describeChoices(HOUSEHOLD_STATUSES, HOUSEHOLD_STATUS_LABELS)}`,
    );
  }
  const year = v.registeredYear ? parseYear(v.registeredYear) : null;
  if (!v.registeredYear) {
    empty('registeredYear');
  } else if (year === null || year < FIRST_REGISTERED_YEAR || year > ctx.thisYear) {
    problem(
      'registeredYear',
      `建档年度${quote(v.registeredYear)}应为${FIRST_REGISTERED_YEAR}至${ctx.thisYear}之间的年份`,
    );
  }
  const idNumber = normalizeIdNumber(v.idNumber);
  if (!idNumber) {
    empty('idNumber');
  } else if (row.imprecise.length > 0 && row.imprecise.includes('idNumber')) {
    problem('idNumber', IMPRECISE_ID);
  } else {
    const idProblem = idNumberProblem(idNumber, ctx.today);
    if (idProblem) {
      problem('idNumber', ID_REASONS[idProblem]);
    }
  }
  if (!v.name) {
    empty('name');
  } else if (v.name.length > MAX_NAME) {
    problem('name', `姓名超过${MAX_NAME}个字`);
  }
  const relation = v.relation ? parseRelation(v.relation) : null;
  if (!v.relation) {
    empty('relation');
  } else if (!relation) {
    problem('relation', `与户主关系${quote(v.relation)}不在可选值中：${describeChoices(RELATIONS, RELATION_LABELS)}`);
  }
  if (problems) {
    return problems;
  }
  return {
    line: row.line,
    registryNo: v.registryNo,
    regionCode: v.regionCode,
    povertyCause: povertyCause!,
    status: status!,
    registeredYear: year!,
    idNumber,
    name: v.name,
    relation: relation!,
  };
}
