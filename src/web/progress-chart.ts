import type { CampaignProgress } from '../reports/progress.service.js';
import type { BarRow } from './bar-chart.js';
import type { ChartModel } from './handlebars-helpers.js';
import { percentText } from './handlebars-helpers.js';

/** Each sub-district's items as one bar: closed, still open in time, overdue; the clearance rate after it. */
export function progressChart(progress: CampaignProgress, title: string): ChartModel {
  const rows: BarRow[] = progress.rows.map((r) => ({
    label: r.name,
    segments: [
      { kind: 'closed', label: '已销号', value: r.closed },
      { kind: 'open', label: '未销号（未逾期）', value: r.open - r.overdue },
      { kind: 'overdue', label: '已逾期', value: r.overdue },
    ],
    note: `销号率 ${percentText(r.clearanceRate)}`,
  }));
  return { rows, options: { title, width: 620, labelWidth: 84, noteWidth: 116 } };
}
