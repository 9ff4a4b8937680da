import { calendarDate } from '../common/clock.js';
import { DEFAULT_THRESHOLDS } from './campaign.entity.js';
import { addDays } from '../common/dates.js';
import {
  currentLevel,
  currentLevelSql,
  type EscalationThresholds,
  levelDeadlines,
  levelDue,
  levelFor,
} from './escalation-policy.js';

const DEADLINE = '2020-05-31';
const at = (today: string, currentLevel = 0, thresholds: EscalationThresholds = DEFAULT_THRESHOLDS) =>
  levelFor({ deadline: DEADLINE, currentLevel, thresholds, today });

describe('levelFor (default thresholds 14 / 3 / 7, deadline 2020-05-31)', () => {
  it.each([
    ['2020-04-15', 46, 0],
    ['2020-05-16', 15, 0],
    ['2020-05-17', 14, 1],
    ['2020-05-27', 4, 1],
    ['2020-05-28', 3, 2],
    ['2020-05-31', 0, 2],
  ])('%s (%i days left) → level %i', (today, _daysLeft, level) => {
    expect(at(today)).toBe(level);
  });

  it.each([
    ['2020-06-01', 1, 3],
    ['2020-06-06', 6, 3],
    ['2020-06-07', 7, 4],
    ['2021-01-01', 214, 4],
  ])('%s (%i days overdue) → level %i', (today, _overdue, level) => {
    expect(at(today)).toBe(level);
  });

  it('the deadline day itself is a warning (2), not overdue (3); the day after is overdue', () => {
    expect(at('2020-05-31')).toBe(2);
    expect(at('2020-06-01')).toBe(3);
  });

  it('goes straight to the highest level reached (a run skipped for weeks)', () => {
    expect(at('2020-06-08', 0)).toBe(4);
    expect(at('2020-06-01', 1)).toBe(3);
  });

  it('never lowers a level: a later deadline or an earlier asOf keeps what the item has', () => {
    expect(at('2020-05-16', 2)).toBe(2);
    expect(at('2020-04-15', 4)).toBe(4);
    expect(
      levelFor({ deadline: '2020-12-31', currentLevel: 3, thresholds: DEFAULT_THRESHOLDS, today: '2020-06-01' }),
    ).toBe(3);
  });

  it("follows the campaign's own thresholds", () => {
    const own = { reminderDays: 30, warningDays: 0, supervisedDays: 1 };
    expect(at('2020-05-01', 0, own)).toBe(1);
    expect(at('2020-04-30', 0, own)).toBe(0);
    expect(at('2020-05-30', 0, own)).toBe(1);
    expect(at('2020-05-31', 0, own)).toBe(2);
    expect(at('2020-06-01', 0, own)).toBe(4);
  });
});

describe("today in APP_TIMEZONE (the run's asOf)", () => {
  it('is the Shanghai date, not the UTC date, shortly after midnight in Shanghai', () => {
    // 2020-05-17 00:30 in Shanghai is still 2020-05-16 16:30 in UTC.
    const instant = new Date('2020-05-16T16:30:00Z');
    expect(calendarDate(instant, 'UTC')).toBe('2020-05-16');
    expect(calendarDate(instant, 'Asia/Shanghai')).toBe('2020-05-17');
    expect(at(calendarDate(instant, 'UTC'))).toBe(0);
    expect(at(calendarDate(instant, 'Asia/Shanghai'))).toBe(1);
  });

  it('changes exactly at Shanghai midnight (16:00 UTC)', () => {
    expect(calendarDate(new Date('2020-05-31T15:59:59.999Z'), 'Asia/Shanghai')).toBe('2020-05-31');
    expect(calendarDate(new Date('2020-05-31T16:00:00.000Z'), 'Asia/Shanghai')).toBe('2020-06-01');
    expect(at(calendarDate(new Date('2020-05-31T15:59:59Z'), 'Asia/Shanghai'))).toBe(2);
    expect(at(calendarDate(new Date('2020-05-31T16:00:00Z'), 'Asia/Shanghai'))).toBe(3);
  });
});

describe('currentLevel and its SQL bounds (what the pages show)', () => {
  const item = (status: string, escalationLevel = 0) => ({ status, deadline: DEADLINE, escalationLevel });

  it('an item not closed shows the level its dates give today, never below the recorded one', () => {
    expect(currentLevel(item('open'), DEFAULT_THRESHOLDS, '2020-06-20')).toBe(4);
    expect(currentLevel(item('in_progress'), DEFAULT_THRESHOLDS, '2020-05-20')).toBe(1);
    expect(currentLevel(item('open', 3), DEFAULT_THRESHOLDS, '2020-05-20')).toBe(3);
  });

  it('a closed item keeps the level it had when it was closed', () => {
    expect(currentLevel(item('closed', 1), DEFAULT_THRESHOLDS, '2026-01-01')).toBe(1);
  });

  it.each([
    [DEFAULT_THRESHOLDS],
    [{ reminderDays: 30, warningDays: 0, supervisedDays: 1 }],
    [{ reminderDays: 5, warningDays: 5, supervisedDays: 0 }],
  ])('levelDeadlines agree with levelDue on every day around the deadline (%j)', (thresholds) => {
    const today = '2020-05-31';
    const bounds = levelDeadlines(thresholds, today);
    for (let offset = -40; offset <= 40; offset++) {
      const deadline = addDays(today, offset);
      const fromBounds = [4, 3, 2, 1].find((level) => deadline <= bounds[level - 1]) ?? 0;
      expect([deadline, fromBounds]).toEqual([deadline, levelDue(deadline, thresholds, today)]);
    }
  });

  it('writes the bounds into the SQL per campaign, and refuses what is not an alias or an id', () => {
    const sql = currentLevelSql('i', new Map([[7, DEFAULT_THRESHOLDS]]), '2020-05-31');
    expect(sql).toContain("WHEN 7 THEN '2020-05-24'");
    expect(sql).toContain("i.status = 'closed'");
    expect(currentLevelSql('i', new Map(), '2020-05-31')).toContain('1 = 0');
    expect(() => currentLevelSql('i; DROP', new Map(), '2020-05-31')).toThrow();
  });
});
