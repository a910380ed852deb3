import type { PipelineStatus } from '@frostbyte/contracts';
import { formatMs, formatPercent } from '../../../lib/format.ts';
import { fmtRate, orderStages } from '../utils/schematic.ts';

/** The schematic's figures as a table: the same facts for reading, sorting by eye and screen readers. */
export function StageTable({ status }: { status: PipelineStatus }) {
  return (
    <table className="table stage-table">
      <caption>
        Stages over the last {status.window_s} s (baseline: the {Math.round(status.baseline_s / 60)} min before)
      </caption>
      <thead>
        <tr>
          <th scope="col">Stage</th>
          <th scope="col">Models</th>
          <th scope="col">Status</th>
          <th scope="col">In flight</th>
          <th scope="col">Throughput</th>
          <th scope="col">p95 (baseline)</th>
          <th scope="col">Error rate</th>
          <th scope="col">Share of latency</th>
          <th scope="col">Alerts</th>
        </tr>
      </thead>
      <tbody>
        {orderStages(status.stages).map((s) => (
          <tr key={s.stage} data-stage={s.stage}>
            <th scope="row">
              {s.stage}
              {s.bottleneck ? ' (bottleneck)' : ''}
            </th>
            <td>{s.models.map((m) => m.label).join(', ') || '—'}</td>
            <td>{s.status}</td>
            <td className="num">{s.in_flight}</td>
            <td className="num">{fmtRate(s.throughput_per_s)}</td>
            <td className="num">
              {formatMs(s.p95_ms)} ({formatMs(s.baseline_p95_ms)})
            </td>
            <td className="num">{s.calls ? formatPercent(s.error_rate) : '—'}</td>
            <td className="num">{formatPercent(s.latency_share)}</td>
            <td className="num">{s.open_alerts}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
