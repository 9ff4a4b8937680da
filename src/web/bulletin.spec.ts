import type { SubdistrictProgress } from '../reports/progress.service.js';
import { laggingText } from './bulletin.controller.js';

const row = (name: string, clearanceRate: number): SubdistrictProgress => ({
  regionCode: name,
  name,
  total: 4,
  closed: 0,
  closedLate: 0,
  pending: 0,
  open: 4,
  overdue: 0,
  pendingOverdue: 0,
  clearanceRate,
  byLevel: [0, 0, 0, 0, 0],
});

describe('laggingText: who is behind in a bulletin', () => {
  it('names nobody among one (no "the lowest is 城关街道" with one street) or when all are level', () => {
    expect(laggingText([row('城关街道', 10)], '街道')).toBeNull();
    expect(laggingText([row('柳树村', 0), row('西关村', 0)], '村（社区）')).toBeNull();
  });

  it('names the lowest, the ones sharing it, or how many share it', () => {
    expect(laggingText([row('城关街道', 14.3), row('北辰街道', 9.1)], '街道')).toBe('北辰街道');
    expect(laggingText([row('甲村', 0), row('乙村', 0), row('丙村', 50)], '村（社区）')).toBe('甲村、乙村');
    const many = ['甲村', '乙村', '丙村', '丁村'].map((n) => row(n, 0));
    expect(laggingText([...many, row('戊村', 25)], '村（社区）')).toBe('甲村等4个村（社区）');
  });
});
