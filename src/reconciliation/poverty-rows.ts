import { idNumberProblem, normalizeIdNumber } from '../common/id-number.js';
import { FIRST_REGISTERED_YEAR } from '../common/programme-years.js';
import {
  describeChoices,
  ID_REASONS,
  IMPRECISE_ID,
  parsePovertyHouseholdType,
  parsePovertyPersonStatus,
  parseRelation,
  parseYear,
  quote,
} from '../uploads/roster-values.js';
import {
  fieldColumn,
  labelsOf,
  POVERTY_HOUSEHOLD_TYPE_WORDS,
  POVERTY_HOUSEHOLD_TYPES,
  POVERTY_PERSON_STATUS_WORDS,
  POVERTY_PERSON_STATUSES,
  type PovertyHouseholdType,
  type PovertyPersonStatus,
  RELATION_LABELS,
} from '../households/household-labels.js';
import type { PersonRelation } from '../households/person.entity.js';
import { RELATIONS } from '../households/person.entity.js';
import type { RosterColumn, RosterRow } from '../uploads/roster-file.js';
import type { ReadRow } from './roster-comparer.js';

/** The poverty office's register (SPEC §6.5), one row per person: Chinese headers, or the English keys. */
export const POVERTY_COLUMNS = [
  fieldColumn('registryNo'),
  fieldColumn('regionCode'),
  fieldColumn('headName'),
  fieldColumn('idNumber'),
  fieldColumn('name'),
  fieldColumn('relation'),
  fieldColumn('householdType'),
  fieldColumn('liftedYear'),
  fieldColumn('personStatus'),
] as const satisfies readonly RosterColumn<string>[];

export type PovertyField = (typeof POVERTY_COLUMNS)[number]['key'];

export const HOUSEHOLD_TYPE_LABELS = labelsOf(POVERTY_HOUSEHOLD_TYPE_WORDS);
export const POVERTY_PERSON_STATUS_LABELS = labelsOf(POVERTY_PERSON_STATUS_WORDS);

/** A row of the register that passed its own checks. */
export interface PovertyRow {
  line: number;
  registryNo: string;
  regionCode: string;
  idNumber: string;
  name: string;
  relation: PersonRelation;
  householdType: PovertyHouseholdType;
  liftedYear: number | null;
  personStatus: PovertyPersonStatus;
}

/** One register row, read: compared, skipped (a row error naming the field) or an invalid ID number. */
export type PovertyRowOutcome = ReadRow<PovertyRow>;

const REGISTRY_NO = /^[0-9A-Za-z-]{4,32}$/;
const REGION_CODE = /^\d{12}$/;
const HEADER = Object.fromEntries(POVERTY_COLUMNS.map((c) => [c.key, c.header])) as Record<PovertyField, string>;

/**
 * Reads a register row. A row whose 户编号, 区划代码, 与户主关系, 户类型, 脱贫年度 or 人员状态 cannot be
 * read is skipped with a reason naming the field (counted and listed, not a discrepancy); a bad
 * ID number is an `invalid_id`. 脱贫年度 is a year from 2013 to this year, only for a household
 * that is not 未脱贫户.
 */
export function readPovertyRow(raw: RosterRow<PovertyField>, today: string): PovertyRowOutcome {
  const v = raw.values;
  const skip = (field: PovertyField, reason: string): PovertyRowOutcome => ({
    kind: 'skip',
    skipped: { line: raw.line, field, reason },
  });
  const idNumber = normalizeIdNumber(v.idNumber);
  if (!idNumber) {
    return skip('idNumber', '身份证号为空');
  }
  if (!REGISTRY_NO.test(v.registryNo)) {
    return skip(
      'registryNo',
      v.registryNo ? `户编号${quote(v.registryNo)}应为4–32位字母、数字或“-”` : `${HEADER.registryNo}为空`,
    );
  }
  if (!REGION_CODE.test(v.regionCode)) {
    return skip('regionCode', `区划代码${quote(v.regionCode)}应为12位数字`);
  }
  const householdType = parsePovertyHouseholdType(v.householdType);
  if (householdType === null) {
    return skip(
      'householdType',
      `户类型${quote(v.householdType)}应为 ${describeChoices(POVERTY_HOUSEHOLD_TYPES, HOUSEHOLD_TYPE_LABELS)} 之一`,
    );
  }
  const personStatus = parsePovertyPersonStatus(v.personStatus || '正常');
  if (personStatus === null) {
    return skip(
      'personStatus',
      `人员状态${quote(v.personStatus)}应为 ${describeChoices(POVERTY_PERSON_STATUSES, POVERTY_PERSON_STATUS_LABELS)} 之一`,
    );
  }
  const relation = parseRelation(v.relation);
  if (relation === null) {
    return skip('relation', `与户主关系${quote(v.relation)}应为 ${describeChoices(RELATIONS, RELATION_LABELS)} 之一`);
  }
  let liftedYear: number | null = null;
  if (v.liftedYear !== '') {
    const thisYear = Number(today.slice(0, 4));
    liftedYear = parseYear(v.liftedYear);
    if (liftedYear === null || liftedYear < FIRST_REGISTERED_YEAR || liftedYear > thisYear) {
      return skip('liftedYear', `脱贫年度${quote(v.liftedYear)}应为${FIRST_REGISTERED_YEAR}至${thisYear}之间的年份`);
    }
    if (householdType === 'poor') {
      return skip('liftedYear', `未脱贫户不应有脱贫年度（${liftedYear}）`);
    }
  }
  if (raw.imprecise.includes('idNumber')) {
    return { kind: 'invalid_id', line: raw.line, idNumber, name: v.name, detail: IMPRECISE_ID };
  }
  const problem = idNumberProblem(idNumber, today);
  if (problem) {
    return { kind: 'invalid_id', line: raw.line, idNumber, name: v.name, detail: ID_REASONS[problem] };
  }
  return {
    kind: 'row',
    row: {
      line: raw.line,
      registryNo: v.registryNo,
      regionCode: v.regionCode,
      idNumber,
      name: v.name,
      relation,
      householdType,
      liftedYear,
      personStatus,
    },
  };
}
