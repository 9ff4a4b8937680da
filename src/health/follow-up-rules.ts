import { addDays } from '../common/dates.js';

export const FOLLOW_UP_RESULTS = ['visited', 'unreachable', 'away', 'refused', 'died'] as const;
/** visited 已随访, unreachable 未联系上, away 外出务工, refused 拒绝, died 死亡. */
export type FollowUpResult = (typeof FOLLOW_UP_RESULTS)[number];

/** The catalogue codes whose follow-ups carry a reading: blood pressure (高血压) and fasting glucose (2型糖尿病). */
export const HYPERTENSION = 'hypertension';
export const DIABETES = 'diabetes_t2';

/** Physiological ranges a reading must lie in (inclusive): outside them it is a typing error. */
export const READING_RANGES = {
  systolic: { min: 40, max: 300 },
  diastolic: { min: 20, max: 200 },
  fastingGlucose: { min: 1, max: 40 },
} as const;

/** Controlled: blood pressure below 140/90 mmHg, fasting glucose below 7.0 mmol/L. */
export const BP_LIMIT = { systolic: 140, diastolic: 90 } as const;
export const GLUCOSE_LIMIT = 7.0;

/** After an uncontrolled reading the next follow-up is due within two weeks (国家基本公共卫生服务规范). */
export const UNCONTROLLED_RECALL_DAYS = 14;

export interface Reading {
  systolic?: number | null;
  diastolic?: number | null;
  fastingGlucose?: number | null;
}

export interface RecordedFollowUp extends Reading {
  visitedOn: string;
  /** Null for follow-ups recorded before results were kept: they were recorded as made, so they count. */
  result: FollowUpResult | null;
}

/** Whether a follow-up counts towards the required number: not when the person was unreachable or away. */
export function countsAsFollowUp(result: FollowUpResult | null): boolean {
  return result !== 'unreachable' && result !== 'away';
}

/** bpControlled() and glucoseControlled() in SQL for the follow-up `alias`. */
export const bpControlledSql = (alias: string): string =>
  `(${alias}.systolic < ${BP_LIMIT.systolic} AND ${alias}.diastolic < ${BP_LIMIT.diastolic})`;
export const glucoseControlledSql = (alias: string): string =>
  `(${alias}.fastingGlucose < ${GLUCOSE_LIMIT.toFixed(1)})`;

export function bpControlled(systolic: number, diastolic: number): boolean {
  return systolic < BP_LIMIT.systolic && diastolic < BP_LIMIT.diastolic;
}

export function glucoseControlled(fastingGlucose: number): boolean {
  return fastingGlucose < GLUCOSE_LIMIT;
}

/** Whether the reading for `diseaseCode` is controlled; null when the follow-up holds no such reading. */
export function readingControlled(diseaseCode: string, reading: Reading): boolean | null {
  const { systolic, diastolic, fastingGlucose } = reading;
  if (diseaseCode === HYPERTENSION && typeof systolic === 'number' && typeof diastolic === 'number') {
    return bpControlled(systolic, diastolic);
  }
  if (diseaseCode === DIABETES && typeof fastingGlucose === 'number') {
    return glucoseControlled(fastingGlucose);
  }
  return null;
}

/** Whether the follow-up's readings are controlled: false if any is not, null without a reading. */
export function followUpControlled(reading: Reading): boolean | null {
  const verdicts = [readingControlled(HYPERTENSION, reading), readingControlled(DIABETES, reading)].filter(
    (v) => v !== null,
  );
  return verdicts.length === 0 ? null : verdicts.every(Boolean);
}

/**
 * The day the next follow-up for one disease of a contract is due: `intervalDays` (the catalogue's
 * followUpIntervalDays) after the last follow-up that counts — or after signing, without one — and
 * UNCONTROLLED_RECALL_DAYS after it when its reading for this disease was not controlled. Null
 * when the catalogue gives no interval.
 */
export function nextDueOn(
  disease: { code: string; followUpIntervalDays: number | null },
  signedOn: string,
  followUps: readonly RecordedFollowUp[],
): string | null {
  if (disease.followUpIntervalDays === null) {
    return null;
  }
  const last = followUps
    .filter((f) => countsAsFollowUp(f.result))
    .reduce<RecordedFollowUp | null>((a, f) => (a === null || f.visitedOn >= a.visitedOn ? f : a), null);
  if (last === null) {
    return addDays(signedOn, disease.followUpIntervalDays);
  }
  const recall = readingControlled(disease.code, last) === false;
  return addDays(last.visitedOn, recall ? UNCONTROLLED_RECALL_DAYS : disease.followUpIntervalDays);
}

/** Overdue once `today` is past the due day (the due day itself is still in time). */
export function followUpOverdue(dueOn: string, today: string): boolean {
  return today > dueOn;
}
