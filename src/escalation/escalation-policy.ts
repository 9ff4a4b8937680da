import { daysBetween } from '../common/dates.js';

/** 0 none, 1 提醒 reminder, 2 预警 warning, 3 逾期 overdue, 4 督办 supervised (SPEC §2). */
export type EscalationLevel = 0 | 1 | 2 | 3 | 4;

export const ESCALATION_LEVELS = [1, 2, 3, 4] as const;

/** A campaign's thresholds in days (SPEC §2; DEFAULT_THRESHOLDS when the campaign names none). */
export interface EscalationThresholds {
  /** Level 1 when this many days or fewer are left. */
  reminderDays: number;
  /** Level 2 when this many days or fewer are left (the deadline day itself included). */
  warningDays: number;
  /** Level 4 when this many days or more overdue. */
  supervisedDays: number;
}

export interface LevelInput {
  /** The item's deadline, YYYY-MM-DD. */
  deadline: string;
  currentLevel: number;
  thresholds: EscalationThresholds;
  /** The day the job runs for (asOf), YYYY-MM-DD in APP_TIMEZONE. */
  today: string;
}

/** The level an item's deadline alone calls for on `today`, whatever the item had before. */
export function levelDue(deadline: string, thresholds: EscalationThresholds, today: string): EscalationLevel {
  const daysLeft = daysBetween(today, deadline);
  if (daysLeft < 0) {
    return -daysLeft >= thresholds.supervisedDays ? 4 : 3;
  }
  if (daysLeft <= thresholds.warningDays) {
    return 2;
  }
  return daysLeft <= thresholds.reminderDays ? 1 : 0;
}

/**
 * The level an item that is not closed reaches on `today`: straight to the highest level its
 * deadline has reached, and never below the level it has (levels only go up).
 */
export function levelFor({ deadline, currentLevel, thresholds, today }: LevelInput): EscalationLevel {
  return Math.max(levelDue(deadline, thresholds, today), Math.min(Math.max(currentLevel, 0), 4)) as EscalationLevel;
}
