import { contractStatus, followUpsDue } from './contract-status.js';

// Signed 2020-01-15, valid until 2021-01-15 (366 days: 2020 is a leap year), 4 follow-ups a year.
const terms = { signedOn: '2020-01-15', validUntil: '2021-01-15', requiredFollowUps: 4 };

describe('contract status', () => {
  it('is active on its last valid day and expired the day after', () => {
    expect(contractStatus(terms, 4, '2021-01-15')).toBe('active');
    expect(contractStatus(terms, 4, '2021-01-16')).toBe('expired');
    expect(contractStatus(terms, 0, '2021-01-16')).toBe('expired');
  });

  it('ends the day after it ended early (the person died)', () => {
    const ended = { ...terms, endedOn: '2020-06-01' };
    expect(contractStatus(ended, 4, '2020-06-01')).toBe('active');
    expect(contractStatus(ended, 4, '2020-06-02')).toBe('expired');
  });

  it('is never noncompliant during the first quarter, whatever the visits', () => {
    expect(contractStatus(terms, 0, '2020-01-15')).toBe('active');
    expect(contractStatus(terms, 0, '2020-04-15')).toBe('active'); // exactly a quarter in
  });

  it('turns noncompliant the day after a quarter with too few visits', () => {
    // 2020-04-16: 92 days of 366 → floor(4 × 92 / 366) = 1 visit due.
    expect(contractStatus(terms, 0, '2020-04-16')).toBe('noncompliant');
    expect(contractStatus(terms, 1, '2020-04-16')).toBe('active');
  });

  it('compares with the pro-rata number at each point of the year', () => {
    // 2020-07-16: 183 days → floor(4 × 183 / 366) = 2 due.
    expect(contractStatus(terms, 1, '2020-07-15')).toBe('active'); // 182 days → 1 due
    expect(contractStatus(terms, 1, '2020-07-16')).toBe('noncompliant');
    expect(contractStatus(terms, 2, '2020-07-16')).toBe('active');
    // On the last day all 4 are due.
    expect(contractStatus(terms, 3, '2021-01-15')).toBe('noncompliant');
  });

  it('does not ask follow-ups of a contract that requires none', () => {
    expect(contractStatus({ ...terms, requiredFollowUps: 0 }, 0, '2020-12-01')).toBe('active');
  });

  it('counts the follow-ups due by a day', () => {
    expect(followUpsDue(terms, '2020-01-15')).toBe(0);
    expect(followUpsDue(terms, '2020-04-16')).toBe(1);
    expect(followUpsDue(terms, '2021-01-15')).toBe(4);
    expect(followUpsDue(terms, '2022-01-01')).toBe(4);
  });
});
