/** One measured operation beside its baseline, measured in the same run. */
export interface BenchLine {
  name: string;
  /** What the figure counts, e.g. 'rows/s', 'ms', 'ms p99'. */
  unit: string;
  value: number;
  baselineName: string;
  baseline: number;
  /** Whether a bigger value is better (throughput) or a smaller one (latency, duration). */
  higherIsBetter: boolean;
  note?: string;
}

export interface Bench {
  name: string;
  run(): Promise<BenchLine[]>;
}

/** value / baseline for throughput, baseline / value for durations: above 1 means faster than the baseline. */
export function ratio(line: BenchLine): number {
  return line.higherIsBetter ? line.value / line.baseline : line.baseline / line.value;
}

export function formatReport(bench: string, lines: BenchLine[]): string {
  const rows = lines.map(
    (l) =>
      `| ${l.name} | ${l.value.toFixed(1)} ${l.unit} | ${l.baselineName}: ${l.baseline.toFixed(1)} ${l.unit} | ${ratio(l).toFixed(2)} |${l.note ? ` ${l.note}` : ''}`,
  );
  return [
    `### ${bench}`,
    '',
    '| operation | measured | baseline (same run) | ratio |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** Milliseconds taken by `work`. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}
