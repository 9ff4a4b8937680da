import type { CampaignProgress, SubdistrictProgress } from '../reports/progress.service.js';
import { progressChart } from './progress-chart.js';

const row = (counts: Partial<SubdistrictProgress>): SubdistrictProgress => ({
  regionCode: '610199001000',
  name: '城关街道',
  total: 0,
  closed: 0,
  closedLate: 0,
  pending: 0,
  open: 0,
  overdue: 0,
  pendingOverdue: 0,
  clearanceRate: null,
  byLevel: [0, 0, 0, 0, 0],
  ...counts,
});

describe('progressChart: one bar per row, every item in exactly one segment', () => {
  it('splits closed into in time and late, and keeps pending review apart from open and overdue', () => {
    // 10 items: 4 closed (1 late), 3 pending (2 past the deadline), 3 open (1 past the deadline).
    const r = row({
      total: 10,
      closed: 4,
      closedLate: 1,
      pending: 3,
      open: 3,
      overdue: 3,
      pendingOverdue: 2,
      clearanceRate: 40,
    });
    const progress = { rows: [r] } as CampaignProgress;
    const [bar] = progressChart(progress, '进度').rows;
    expect(bar.segments.map((s) => [s.label, s.value])).toEqual([
      ['按期销号', 3],
      ['逾期销号', 1],
      ['待审核', 3],
      ['未销号（未逾期）', 2],
      ['未销号（已逾期）', 1],
    ]);
    expect(bar.segments.reduce((n, s) => n + s.value, 0)).toBe(r.total);
    expect(bar.note).toBe('销号率 40.0%');
  });
});
