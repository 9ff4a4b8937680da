import type { CampaignProgress } from '../reports/progress.service.js';
import type { BarRow } from './bar-chart.js';
import type { ChartModel } from './handlebars-helpers.js';
import { percentText } from './handlebars-helpers.js';

/**
 * Each row's items as one bar, every item in exactly one segment: closed in time, closed late
 * (逾期销号), pending review (待审核), open in time, open overdue; the clearance rate after it. With
 * `hrefs`, each bar links to its row's items.
 */
export function progressChart(progress: CampaignProgress, title: string, hrefs?: readonly string[]): ChartModel {
  const rows: BarRow[] = progress.rows.map((r, i) => {
    const openOverdue = r.overdue - r.pendingOverdue;
    return {
      label: r.name,
      segments: [
        { kind: 'closed', label: '按期销号', value: r.closed - r.closedLate },
        { kind: 'closed-late', label: '逾期销号', value: r.closedLate },
        { kind: 'pending', label: '待审核', value: r.pending },
        { kind: 'open', label: '未销号（未逾期）', value: r.open - openOverdue },
        { kind: 'overdue', label: '未销号（已逾期）', value: openOverdue },
      ],
      note: `销号率 ${percentText(r.clearanceRate)}`,
      ...(hrefs?.[i] === undefined ? {} : { href: hrefs[i] }),
    };
  });
  return { rows, options: { title, width: 680, labelWidth: 84, noteWidth: 116 } };
}
