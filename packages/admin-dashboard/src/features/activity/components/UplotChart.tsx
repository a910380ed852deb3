import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { cssVar, useTheme } from '../../../lib/theme.ts';
import { type Aligned, latestValues } from '../utils/chart-data.ts';

interface Props {
  title: string;
  labels: readonly string[];
  data: Aligned;
  format: (v: number | null) => string;
  /** Fixed x range in seconds (the chosen window); without it uPlot auto-ranges. */
  xRange?: [number, number];
  height?: number;
}

const PALETTE = 8;

/**
 * A live uPlot line chart. The plot is created once per series set and theme and
 * then fed with `setData`, so a refresh redraws the canvas without rebuilding DOM.
 * The canvas is hidden from assistive technology; the figure's caption and the
 * visually hidden list give the latest value of each series instead.
 */
export function UplotChart({ title, labels, data, format, xRange, height = 150 }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const theme = useTheme();
  const labelKey = labels.join('|');
  // Read by uPlot on every setData, so the window follows the clock without a rebuild.
  const range = useRef(xRange);
  range.current = xRange;

  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt only when series or theme change; data flows through setData below
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const axis = { stroke: cssVar('--text-muted', '#555'), grid: { stroke: cssVar('--grid', '#ddd'), width: 1 }, ticks: { show: false } };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true, range: (_u, min, max) => range.current ?? [min, max] } },
      axes: [axis, { ...axis, size: 60, values: (_u, ticks) => ticks.map((v) => format(v)) }],
      series: [
        {},
        ...labels.map((label, i) => ({
          label,
          stroke: cssVar(`--chart-${(i % PALETTE) + 1}`, '#36c'),
          width: 2,
          spanGaps: false,
          value: (_u: uPlot, v: number | null) => format(v),
        })),
      ],
    };
    const u = new uPlot(opts, data as uPlot.AlignedData, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [labelKey, theme, height]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new window must redraw even with the same data
  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data, xRange?.[0], xRange?.[1]]);

  const latest = latestValues(data);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={host} aria-hidden="true" className="chart-canvas" />
      <ul className="visually-hidden" aria-label={`${title}, latest values`}>
        {labels.map((l, i) => (
          <li key={l}>
            {l}: {format(latest[i] ?? null)}
          </li>
        ))}
        {labels.length === 0 && <li>No data in this window.</li>}
      </ul>
    </figure>
  );
}
