/**
 * Horizontal stacked bar charts as SVG markup, built on the server (no script, no CDN). Pure: the
 * same input gives the same string. Every text that reaches the markup goes through escapeXml, so
 * the result may be inserted into a page as it is; colours come from the stylesheet through the
 * segment's class (`seg-<kind>`), which keeps the markup free of inline styles (CSP).
 */

export interface BarSegment {
  /** A CSS class suffix: lower-case letters, digits and dashes (`closed` → class `seg-closed`). */
  kind: string;
  value: number;
  /** What the segment counts (legend and tooltip), e.g. 已销号. */
  label: string;
}

export interface BarRow {
  label: string;
  segments: BarSegment[];
  /** Text after the bar, e.g. 销号率 45.0%. */
  note?: string;
  /** Where the bar leads (the row's items): the bar becomes a link. */
  href?: string;
}

export interface BarChartOptions {
  /** The chart's accessible name (<title>). */
  title: string;
  width?: number;
  labelWidth?: number;
  noteWidth?: number;
  rowHeight?: number;
  /** The value a full bar stands for; default the largest row total (at least 1). */
  max?: number;
}

const KIND = /^[a-z][a-z0-9-]*$/;
const LEGEND_HEIGHT = 28;
const BAR_GAP = 10;

/** Escapes text for SVG/HTML content and attribute values. */
export function escapeXml(text: unknown): string {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const num = (n: number): string => String(Math.round(n * 10) / 10);

export function barChart(rows: readonly BarRow[], options: BarChartOptions): string {
  const width = options.width ?? 720;
  const labelWidth = options.labelWidth ?? 96;
  const noteWidth = options.noteWidth ?? 120;
  const rowHeight = options.rowHeight ?? 34;
  const barArea = Math.max(width - labelWidth - noteWidth, 10);
  const totalOf = (row: BarRow) => row.segments.reduce((s, seg) => s + Math.max(seg.value, 0), 0);
  const max = Math.max(options.max ?? Math.max(...rows.map(totalOf), 0), 1);
  const height = LEGEND_HEIGHT + rows.length * rowHeight + 4;

  const kinds = new Map<string, string>();
  for (const seg of rows.flatMap((r) => r.segments)) {
    if (!KIND.test(seg.kind)) {
      throw new Error(`bar segment kind must match ${String(KIND)}: ${seg.kind}`);
    }
    if (!kinds.has(seg.kind)) {
      kinds.set(seg.kind, seg.label);
    }
  }

  let legendX = labelWidth;
  const legend = [...kinds].map(([kind, label]) => {
    const x = legendX;
    // Room for the swatch and the label (CJK characters are about 13px wide at the legend's size).
    legendX += 36 + [...label].length * 13;
    return (
      `<g class="legend-item"><rect class="seg seg-${kind}" x="${x}" y="6" width="12" height="12"></rect>` +
      `<text class="legend-label" x="${x + 16}" y="16">${escapeXml(label)}</text></g>`
    );
  });

  const bars = rows.map((row, i) => {
    const y = LEGEND_HEIGHT + i * rowHeight;
    const barHeight = rowHeight - BAR_GAP;
    const textY = num(y + barHeight / 2 + 5);
    let x = labelWidth;
    const segments = row.segments
      .filter((seg) => seg.value > 0)
      .map((seg) => {
        const w = (seg.value / max) * barArea;
        const rect =
          `<rect class="seg seg-${seg.kind}" x="${num(x)}" y="${y}" width="${num(w)}" height="${barHeight}">` +
          `<title>${escapeXml(`${row.label} ${seg.label} ${seg.value}`)}</title></rect>` +
          (w >= 22
            ? `<text class="seg-value" x="${num(x + w / 2)}" y="${textY}" text-anchor="middle">${escapeXml(seg.value)}</text>`
            : '');
        x += w;
        return rect;
      });
    const note =
      row.note === undefined
        ? ''
        : `<text class="bar-note" x="${num(labelWidth + barArea + 8)}" y="${textY}">${escapeXml(row.note)}</text>`;
    const bar =
      `<g class="bar" data-label="${escapeXml(row.label)}">` +
      `<text class="bar-label" x="${labelWidth - 8}" y="${textY}" text-anchor="end">${escapeXml(row.label)}</text>` +
      `<rect class="bar-track" x="${labelWidth}" y="${y}" width="${num(barArea)}" height="${barHeight}"></rect>` +
      segments.join('') +
      note +
      `</g>`;
    return row.href === undefined ? bar : `<a class="bar-link" href="${escapeXml(row.href)}">${bar}</a>`;
  });

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" role="img" viewBox="0 0 ${width} ${height}" ` +
    `width="100%" preserveAspectRatio="xMinYMin meet"><title>${escapeXml(options.title)}</title>` +
    `<g class="legend">${legend.join('')}</g>${bars.join('')}</svg>`
  );
}
