import { calendarDate } from '../common/clock.js';
import { DEFAULT_THRESHOLDS } from './campaign.entity.js';
import { type EscalationThresholds, levelFor } from './escalation-policy.js';

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
