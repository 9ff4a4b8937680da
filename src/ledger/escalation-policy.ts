import { addDays, daysBetween } from '../common/dates.js';

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

/** What the current level needs of an item. */
export interface LevelledItem {
  status: string;
  deadline: string;
  escalationLevel: number;
}

/**
 * The level an item shows on `today`: for an item that is not closed, the level the policy gives
 * today (what tonight's run will have recorded, so a page never contradicts the dates before the job
 * has run); a closed item keeps the level it had when it was closed.
 */
export function currentLevel(item: LevelledItem, thresholds: EscalationThresholds, today: string): EscalationLevel {
  if (item.status === 'closed') {
    return Math.min(Math.max(item.escalationLevel, 0), 4) as EscalationLevel;
  }
  return levelFor({ deadline: item.deadline, currentLevel: item.escalationLevel, thresholds, today });
}

/**
 * The latest deadline that reaches each level on `today` ([level 1, 2, 3, 4]): an item reaches level
 * L when its deadline is on or before the L-th date (levelDue, written as deadline bounds for SQL).
 */
export function levelDeadlines(thresholds: EscalationThresholds, today: string): [string, string, string, string] {
  const overdue = addDays(today, -1);
  const supervised = addDays(today, -Math.max(thresholds.supervisedDays, 1));
  return [
    addDays(today, Math.max(thresholds.reminderDays, thresholds.warningDays)),
    addDays(today, thresholds.warningDays),
    overdue,
    supervised,
  ];
}

/**
 * currentLevel as an SQL expression over an items alias (`i`), for filters and counts that must
 * agree with what the pages show. `campaigns` maps each campaign id to its thresholds (campaigns are
 * few); the dates and ids are written into the SQL as literals (checked here: dates and integers only).
 */
export function currentLevelSql(
  alias: string,
  campaigns: ReadonlyMap<number, EscalationThresholds>,
  today: string,
): string {
  if (!/^\w+$/.test(alias)) {
    throw new Error(`not an alias: ${alias}`);
  }
  const bounds = [...campaigns].map(([id, t]) => {
    if (!Number.isSafeInteger(id)) {
      throw new Error(`not a campaign id: ${id}`);
    }
    return [id, levelDeadlines(t, today)] as const;
  });
  const reaches = (level: 1 | 2 | 3 | 4): string => {
    if (bounds.length === 0) {
      return '1 = 0';
    }
    const whens = bounds.map(([id, dates]) => `WHEN ${id} THEN '${dates[level - 1]}'`).join(' ');
    return `${alias}.deadline <= (CASE ${alias}.campaignId ${whens} END)`;
  };
  const steps = ([4, 3, 2, 1] as const)
    .map((level) => `WHEN ${alias}.escalationLevel >= ${level} OR ${reaches(level)} THEN ${level}`)
    .join(' ');
  return `(CASE WHEN ${alias}.status = 'closed' THEN ${alias}.escalationLevel ${steps} ELSE 0 END)`;
}
