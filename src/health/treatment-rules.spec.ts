import { type MajorCondition, treatmentOverdue, treatmentStarted } from './treatment-rules.js';

const confirmed: MajorCondition = {
  diagnosedOn: '2020-02-01',
  confirmedOn: '2020-03-01',
  treatmentStartedOn: null,
  treatmentStatus: 'untreated',
};

describe('treatment rules', () => {
  it('is in time on day 30 after confirmation and overdue on day 31', () => {
    expect(treatmentOverdue(confirmed, '2020-03-31', 30)).toBe(false); // day 30
    expect(treatmentOverdue(confirmed, '2020-04-01', 30)).toBe(true); // day 31
  });

  it('counts from the diagnosis when the confirmation day was not recorded', () => {
    const old = { ...confirmed, confirmedOn: null };
    expect(treatmentOverdue(old, '2020-03-02', 30)).toBe(false);
    expect(treatmentOverdue(old, '2020-03-03', 30)).toBe(true);
  });

  it('follows the campaign setting', () => {
    expect(treatmentOverdue(confirmed, '2020-03-15', 14)).toBe(false);
    expect(treatmentOverdue(confirmed, '2020-03-16', 14)).toBe(true);
  });

  it('is not overdue once started on or before the day, and was before it started', () => {
    const started = { ...confirmed, treatmentStartedOn: '2020-04-10', treatmentStatus: 'in_treatment' as const };
    expect(treatmentOverdue(started, '2020-04-10', 30)).toBe(false);
    expect(treatmentOverdue(started, '2020-04-09', 30)).toBe(true);
    expect(treatmentStarted(started, '2020-04-09')).toBe(false);
  });

  it('takes a condition in treatment without a start day as started', () => {
    expect(treatmentStarted({ ...confirmed, treatmentStatus: 'treated' }, '2020-04-15')).toBe(true);
  });

  it('never fires for a patient who declined or died', () => {
    expect(treatmentOverdue({ ...confirmed, treatmentStatus: 'declined' }, '2021-01-01', 30)).toBe(false);
    expect(treatmentOverdue({ ...confirmed, treatmentStatus: 'deceased' }, '2021-01-01', 30)).toBe(false);
  });
});
