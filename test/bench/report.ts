/**
 * What a figure must reach to pass: a ratio against its baseline (above 1: faster than the
 * baseline), or a bound on the figure itself (req/s at least, ms or MB at most).
 */
export type Goal = { minRatio: number } | { min: number } | { max: number };

/** One measured operation beside its baseline, measured in the same run. */
export interface BenchLine {
  name: string;
  /** What the figure counts, e.g. 'rows/s', 'ms', 'ms p99'. */
  unit: string;
  value: number;
  /** The baseline and what it does (the same work as the product, done raw). */
  baselineName: string;
  baseline: number;
  /** Whether a bigger value is better (throughput) or a smaller one (latency, duration). */
  higherIsBetter: boolean;
  /** The issue's goal for this figure; lines without one are context. */
  goal?: Goal;
  note?: string;
}

export interface Bench {
  name: string;
  run(): Promise<BenchLine[]>;
}

/** A line as the report prints and stores it. */
export interface ReportRow extends BenchLine {
  bench: string;
  ratio: number;
  pass: boolean | null;
}

/** value / baseline for throughput, baseline / value for durations: above 1 means faster than the baseline. */
export function ratio(line: BenchLine): number {
  return line.higherIsBetter ? line.value / line.baseline : line.baseline / line.value;
}

export function passes(line: BenchLine): boolean | null {
  const { goal } = line;
  if (!goal) {
    return null;
  }
  if ('minRatio' in goal) {
    return ratio(line) >= goal.minRatio;
  }
  return 'min' in goal ? line.value >= goal.min : line.value <= goal.max;
}

export function goalText(line: BenchLine): string {
  const { goal } = line;
  if (!goal) {
    return '—';
  }
  if ('minRatio' in goal) {
    return `ratio ≥ ${goal.minRatio}`;
  }
  return 'min' in goal ? `≥ ${goal.min} ${line.unit}` : `≤ ${goal.max} ${line.unit}`;
}

export function reportRow(bench: string, line: BenchLine): ReportRow {
  return { ...line, bench, ratio: ratio(line), pass: passes(line) };
}

function figure(value: number, unit: string): string {
  return `${value.toFixed(value >= 100 ? 0 : 1)} ${unit}`;
}

/** One markdown table: work, product, baseline, ratio, goal, pass. */
export function formatTable(rows: readonly ReportRow[]): string {
  const lines = rows.map((r) =>
    [
      '',
      ` ${r.bench}: ${r.name}${r.note ? ` (${r.note})` : ''} `,
      ` ${figure(r.value, r.unit)} `,
      ` ${r.baselineName}: ${figure(r.baseline, r.unit)} `,
      ` ${r.ratio.toFixed(2)} `,
      ` ${goalText(r)} `,
      ` ${r.pass === null ? '—' : r.pass ? 'pass' : 'FAIL'} `,
      '',
    ].join('|'),
  );
  return [
    '| work | product | baseline (same work, same run) | ratio | goal | pass |',
    '| --- | --- | --- | --- | --- | --- |',
    ...lines,
  ].join('\n');
}

/** Milliseconds taken by `work`. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}
