import { daysBetween } from '../common/dates.js';
import type { TreatmentStatus } from './condition.entity.js';

/** Days a confirmed major disease may wait for treatment to start (campaign setting, SPEC §6.4). */
export const DEFAULT_TREATMENT_START_DAYS = 30;

export interface MajorCondition {
  diagnosedOn: string;
  /** 核准: null when not recorded (conditions before issue #18); the diagnosis date stands in. */
  confirmedOn: string | null;
  treatmentStartedOn: string | null;
  treatmentStatus: TreatmentStatus;
}

/** The day a condition counts as confirmed: confirmedOn, or the diagnosis when that was not recorded. */
export function confirmedDay(c: MajorCondition): string {
  return c.confirmedOn ?? c.diagnosedOn;
}

/**
 * Whether treatment had started by `asOf`: on its recorded start day, or — for a condition recorded
 * in or after treatment without a start day (before issue #18) — by its status.
 */
export function treatmentStarted(c: MajorCondition, asOf: string): boolean {
  if (c.treatmentStartedOn !== null) {
    return c.treatmentStartedOn <= asOf;
  }
  return c.treatmentStatus === 'in_treatment' || c.treatmentStatus === 'treated';
}

/**
 * major_disease_untreated (大病未及时救治): confirmed more than `startDays` days before `asOf`
 * and not started by then; never for a patient who declined (放弃救治) or died.
 */
export function treatmentOverdue(c: MajorCondition, asOf: string, startDays: number): boolean {
  if (c.treatmentStatus === 'declined' || c.treatmentStatus === 'deceased') {
    return false;
  }
  return !treatmentStarted(c, asOf) && daysBetween(confirmedDay(c), asOf) > startDays;
}

/** treatmentStarted() in SQL for the condition `alias` as of `asOf` (a column or :param): 1 or 0. */
export function treatmentStartedSql(alias: string, asOf: string): string {
  return `(CASE WHEN ${alias}.treatmentStartedOn IS NOT NULL THEN (CASE WHEN ${alias}.treatmentStartedOn <= ${asOf} THEN 1 ELSE 0 END) WHEN ${alias}.treatmentStatus IN ('in_treatment', 'treated') THEN 1 ELSE 0 END)`;
}
