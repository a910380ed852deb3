import type { TimeseriesPoint, TimeseriesSeries } from '../api/get-metrics-timeseries.ts';

/** uPlot wants one shared x axis (seconds) and one y array per series, `null` where
 * a model had no point in that step. */
export type Aligned = [number[], ...(number | null)[][]];

export type Metric = (p: TimeseriesPoint, stepS: number) => number | null;

export const METRICS = {
  throughput: (p, step) => p.calls / step,
  error_rate: (p) => (p.calls ? (p.errors / p.calls) * 100 : null),
  p50: (p) => p.p50_ms,
  p95: (p) => p.p95_ms,
  p99: (p) => p.p99_ms,
  tokens: (p) => p.input_tokens + p.output_tokens,
  cost: (p) => p.cost_usd,
} satisfies Record<string, Metric>;

export function alignSeries(series: readonly TimeseriesSeries[], metric: Metric, stepS: number): Aligned {
  const xs = new Set<number>();
  for (const s of series) for (const p of s.points) xs.add(Math.floor(new Date(p.t).getTime() / 1000));
  const x = [...xs].sort((a, b) => a - b);
  const index = new Map(x.map((t, i) => [t, i]));
  const ys = series.map((s) => {
    const y: (number | null)[] = new Array(x.length).fill(null);
    for (const p of s.points) {
      const i = index.get(Math.floor(new Date(p.t).getTime() / 1000));
      if (i !== undefined) y[i] = metric(p, stepS);
    }
    return y;
  });
  return [x, ...ys];
}

/** The latest non-null value of each series, for the chart's text alternative. */
export function latestValues(data: Aligned): (number | null)[] {
  return data.slice(1).map((ys) => {
    const arr = ys as (number | null)[];
    for (let i = arr.length - 1; i >= 0; i--) if (arr[i] !== null && arr[i] !== undefined) return arr[i] as number;
    return null;
  });
}

/**
 * The x range of a chart: the chosen window ending now, in seconds. uPlot's own
 * auto-range pads a single point (or a flat span) by years, so a series with one
 * point showed 2027–2029 on the axis; the window is what the user asked to see.
 */
export function windowRange(windowS: number, nowMs = Date.now()): [number, number] {
  const now = Math.floor(nowMs / 1000);
  return [now - windowS, now];
}
