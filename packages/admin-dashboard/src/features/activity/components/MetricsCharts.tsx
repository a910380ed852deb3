import type { EventFilter } from '@frostbyte/contracts';
import { useId, useMemo, useState } from 'react';
import { ErrorBanner } from '../../../components/ErrorBanner.tsx';
import { formatCost, formatCount, formatMs } from '../../../lib/format.ts';
import { useMetricsTimeseries } from '../api/get-metrics-timeseries.ts';
import { WINDOWS } from '../hooks/monitor-filters.ts';
import { alignSeries, METRICS, windowRange } from '../utils/chart-data.ts';
import { UplotChart } from './UplotChart.tsx';

type Percentile = 'p50' | 'p95' | 'p99';

interface Props {
  filter: EventFilter;
  windowS: number;
  onWindowChange: (seconds: number) => void;
}

/** Throughput, latency, error rate, tokens and cost per model over the chosen window,
 * refreshed about once a step. A failed refresh keeps the last charts. */
export function MetricsCharts({ filter, windowS, onWindowChange }: Props) {
  const id = useId();
  const [pct, setPct] = useState<Percentile>('p95');
  const q = useMetricsTimeseries(filter, windowS);
  const series = q.data?.series ?? [];
  const step = q.data?.step_s ?? 1;
  const labels = useMemo(() => series.map((s) => s.key), [series]);
  // The x axis is the chosen window ending at the latest refresh.
  // biome-ignore lint/correctness/useExhaustiveDependencies: recomputed per refresh (series) on purpose
  const xRange = useMemo(() => windowRange(windowS), [series, windowS]);

  const charts = useMemo(
    () => [
      {
        title: 'Throughput (calls/s)',
        data: alignSeries(series, METRICS.throughput, step),
        format: (v: number | null) => (v === null ? '—' : v.toFixed(v < 10 ? 2 : 0)),
      },
      { title: `Latency ${pct}`, data: alignSeries(series, METRICS[pct], step), format: formatMs },
      {
        title: 'Error rate (%)',
        data: alignSeries(series, METRICS.error_rate, step),
        format: (v: number | null) => (v === null ? '—' : `${v.toFixed(1)}%`),
      },
      { title: `Tokens per ${step} s`, data: alignSeries(series, METRICS.tokens, step), format: formatCount },
      { title: `Cost per ${step} s`, data: alignSeries(series, METRICS.cost, step), format: formatCost },
    ],
    [series, step, pct],
  );

  return (
    <section aria-labelledby={`${id}-title`} className="metrics">
      <div className="section-head">
        <h2 id={`${id}-title`}>Metrics per model</h2>
        <div className="field inline">
          <label htmlFor={`${id}-window`}>Window</label>
          <select id={`${id}-window`} value={windowS} onChange={(e) => onWindowChange(Number(e.target.value))}>
            {WINDOWS.map((w) => (
              <option key={w.seconds} value={w.seconds}>
                {w.label}
              </option>
            ))}
          </select>
        </div>
        <fieldset className="segmented">
          <legend>Latency percentile</legend>
          {(['p50', 'p95', 'p99'] as const).map((p) => (
            <label key={p}>
              <input type="radio" name={`${id}-pct`} value={p} checked={pct === p} onChange={() => setPct(p)} />
              {p}
            </label>
          ))}
        </fieldset>
      </div>
      {q.isError && <ErrorBanner title="Metrics could not be refreshed" error={q.error} onRetry={() => void q.refetch()} />}
      {labels.length > 0 && (
        <ul className="chart-legend" aria-label="Models in the charts">
          {labels.map((l, i) => (
            <li key={l}>
              <span className={`swatch swatch-${(i % 8) + 1}`} aria-hidden="true" /> <span className="mono">{l}</span>
            </li>
          ))}
        </ul>
      )}
      <div className="charts">
        {charts.map((c) => (
          <UplotChart key={c.title.split(' ')[0]} title={c.title} labels={labels} data={c.data} format={c.format} xRange={xRange} />
        ))}
      </div>
    </section>
  );
}
