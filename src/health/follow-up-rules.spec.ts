import { calendarDate } from '../common/clock.js';
import {
  bpControlled,
  countsAsFollowUp,
  followUpControlled,
  followUpOverdue,
  glucoseControlled,
  nextDueOn,
  type RecordedFollowUp,
} from './follow-up-rules.js';

const hypertension = { code: 'hypertension', followUpIntervalDays: 90 };
const diabetes = { code: 'diabetes_t2', followUpIntervalDays: 90 };
const visit = (visitedOn: string, more: Partial<RecordedFollowUp> = {}): RecordedFollowUp => ({
  visitedOn,
  result: 'visited',
  ...more,
});

describe('follow-up rules', () => {
  it('controls blood pressure below 140/90: 139/89 is controlled, 140 or 90 is not', () => {
    expect(bpControlled(139, 89)).toBe(true);
    expect(bpControlled(140, 89)).toBe(false);
    expect(bpControlled(139, 90)).toBe(false);
    expect(bpControlled(140, 90)).toBe(false);
  });

  it('controls fasting glucose below 7.0: 6.9 is controlled, 7.0 is not', () => {
    expect(glucoseControlled(6.9)).toBe(true);
    expect(glucoseControlled(7.0)).toBe(false);
  });

  it('judges a follow-up by all its readings, null without one', () => {
    expect(followUpControlled({ systolic: 130, diastolic: 80, fastingGlucose: 7.2 })).toBe(false);
    expect(followUpControlled({ systolic: 130, diastolic: 80 })).toBe(true);
    expect(followUpControlled({})).toBeNull();
  });

  it('does not count unreachable or away; counts visits, refusals, deaths and results unknown', () => {
    expect(countsAsFollowUp('unreachable')).toBe(false);
    expect(countsAsFollowUp('away')).toBe(false);
    expect(countsAsFollowUp('visited')).toBe(true);
    expect(countsAsFollowUp('refused')).toBe(true);
    expect(countsAsFollowUp('died')).toBe(true);
    expect(countsAsFollowUp(null)).toBe(true);
  });

  it('schedules the catalogue interval after signing and after a controlled visit', () => {
    expect(nextDueOn(hypertension, '2020-01-01', [])).toBe('2020-03-31');
    expect(nextDueOn(hypertension, '2020-01-01', [visit('2020-02-01', { systolic: 139, diastolic: 89 })])).toBe(
      '2020-05-01',
    );
  });

  it('recalls within 14 days after an uncontrolled reading: due on the 14th day, overdue on the 15th', () => {
    const due = nextDueOn(hypertension, '2020-01-01', [visit('2020-02-01', { systolic: 140, diastolic: 90 })]);
    expect(due).toBe('2020-02-15');
    expect(followUpOverdue(due!, '2020-02-15')).toBe(false);
    expect(followUpOverdue(due!, '2020-02-16')).toBe(true);
  });

  it('reads only the disease’s own reading: high blood pressure does not recall the diabetes follow-up', () => {
    const high = [visit('2020-02-01', { systolic: 160, diastolic: 100, fastingGlucose: 6.5 })];
    expect(nextDueOn(diabetes, '2020-01-01', high)).toBe('2020-05-01');
    expect(nextDueOn(hypertension, '2020-01-01', high)).toBe('2020-02-15');
  });

  it('schedules from the last follow-up that counts: unreachable and away leave the date as it was', () => {
    const followUps = [
      visit('2020-02-01'),
      visit('2020-03-01', { result: 'unreachable' }),
      visit('2020-03-05', { result: 'away' }),
    ];
    expect(nextDueOn(hypertension, '2020-01-01', followUps)).toBe('2020-05-01');
  });

  it('has no due day for a disease without an interval', () => {
    expect(nextDueOn({ code: 'x', followUpIntervalDays: null }, '2020-01-01', [])).toBeNull();
  });

  it('turns overdue at midnight in Shanghai, not at midnight UTC', () => {
    const due = '2020-04-15';
    const beforeMidnight = calendarDate(new Date('2020-04-15T15:59:59Z'), 'Asia/Shanghai');
    const afterMidnight = calendarDate(new Date('2020-04-15T16:00:00Z'), 'Asia/Shanghai');
    expect(followUpOverdue(due, beforeMidnight)).toBe(false);
    expect(followUpOverdue(due, afterMidnight)).toBe(true);
  });
});
