import { neededRate, type Burndown } from '../reports/burndown.service.js';
import { burndownChart, neededRateText } from './burndown-chart.js';

const burndown = (asOf: string, opens: number[]): Burndown => {
  const days = opens.map((open, i) => ({ date: `2020-05-${String(10 + i).padStart(2, '0')}`, open }));
  return {
    campaignId: 1,
    deadline: '2020-05-31',
    asOf,
    days,
    needed: neededRate(opens.at(-1) ?? 0, asOf, '2020-05-31'),
  };
};

describe('the burn-down: the rate needed by the deadline, and its chart', () => {
  it('rounds the closes a day up, and says when the deadline is today, past, or all are closed', () => {
    expect(neededRateText(neededRate(50, '2020-05-20', '2020-05-31'))).toBe(
      '按当前进度，需日均销号 5 个（未销号 50 个，距截止还有 11 天）',
    );
    expect(neededRateText(neededRate(3, '2020-05-31', '2020-05-31'))).toBe('今天截止，仍有 3 个未销号，需今日全部销号');
    expect(neededRateText(neededRate(3, '2026-12-03', '2020-05-31'))).toContain('截止日期已过 2377 天');
    expect(neededRateText(neededRate(0, '2026-12-03', '2020-05-31'))).toBe('问题已全部销号');
  });

  it('draws the daily line and, while there is time, the pace line to zero; escapes the title', () => {
    const svg = burndownChart(burndown('2020-05-12', [9, 8, 7]), '<专项>');
    expect(svg).toContain('<title>&lt;专项&gt;</title>');
    expect(svg.match(/<polyline class="burn-actual" points="([^"]+)"/)![1].split(' ')).toHaveLength(3);
    expect(svg).toContain('class="burn-needed"');
    const late = burndownChart({ ...burndown('2020-06-02', [9, 8, 7]) }, '专项');
    expect(late).not.toContain('class="burn-needed"');
    expect(late).toContain('今天 6月2日');
    expect(burndownChart(burndown('2020-05-12', []), '专项')).toBe('');
  });
});
