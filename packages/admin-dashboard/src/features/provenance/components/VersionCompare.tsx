import type { DiffEntry, VersionStats } from '@frostbyte/contracts';
import { ErrorBanner } from '../../../components/ErrorBanner.tsx';
import { formatCost, formatCount, formatMs, formatPercent } from '../../../lib/format.ts';
import { useVersionDiff } from '../api/get-version-diff.ts';
import { ConfigTextDiff } from './ConfigTextDiff.tsx';

const show = (v: unknown) => (v === undefined ? '—' : JSON.stringify(v));

function EntriesTable({ title, entries }: { title: string; entries: readonly DiffEntry[] }) {
  if (!entries.length) return <p className="muted">{title}: no difference.</p>;
  return (
    <table className="table">
      <caption>{title}</caption>
      <thead>
        <tr>
          <th scope="col">Path</th>
          <th scope="col">Change</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <tr key={`${e.op}${e.path}`}>
            <th scope="row" className="mono">
              {e.path || '/'}
            </th>
            <td>{e.op}</td>
            <td className="mono">{show(e.before)}</td>
            <td className="mono">{show(e.after)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const METRIC_ROWS: [string, (s: VersionStats) => string][] = [
  ['Invocations', (s) => formatCount(s.calls)],
  ['Error rate', (s) => (s.calls ? formatPercent(s.error_rate) : '—')],
  ['p50 latency', (s) => formatMs(s.p50_ms)],
  ['p95 latency', (s) => formatMs(s.p95_ms)],
  ['Cost per call', (s) => formatCost(s.cost_per_call_usd)],
  ['Calls per hour', (s) => s.calls_per_hour.toFixed(1)],
  ['Documents', (s) => formatCount(s.documents)],
  ['Tenants', (s) => s.tenants.join(', ') || '—'],
];

/** Two versions side by side: what changed in the configuration and prices (the
 * server's structured diff and a line diff), and how each has performed. */
export function VersionCompare({ modelName, a, b }: { modelName: string; a: string; b: string }) {
  const q = useVersionDiff(modelName, a, b);
  if (q.isError) return <ErrorBanner title="The versions could not be compared" error={q.error} onRetry={() => void q.refetch()} />;
  if (!q.data)
    return (
      <p role="status">
        Comparing {a} and {b}…
      </p>
    );
  const d = q.data;
  return (
    <section className="card compare" aria-labelledby="compare-title">
      <h3 id="compare-title">
        {d.from_version} → {d.to_version}
      </h3>
      <p>
        {d.identical
          ? 'The configurations are identical.'
          : `${d.changed} changed, ${d.added} added, ${d.removed} removed setting${d.changed + d.added + d.removed === 1 ? '' : 's'}.`}
        {d.stage_changed ? ' The stage differs too.' : ''}
      </p>
      <EntriesTable title="Configuration changes" entries={d.entries} />
      <EntriesTable title="Price changes" entries={d.pricing} />
      <ConfigTextDiff
        before={d.from_config}
        after={d.to_config}
        label={`Configuration of ${d.from_version} against ${d.to_version}, line by line`}
      />
      <table className="table">
        <caption>Figures over the last {Math.round(d.metrics.window_s / 3600)} h</caption>
        <thead>
          <tr>
            <th scope="col">Figure</th>
            <th scope="col">{d.from_version}</th>
            <th scope="col">{d.to_version}</th>
          </tr>
        </thead>
        <tbody>
          {METRIC_ROWS.map(([label, fmt]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td className="num">{fmt(d.metrics.from)}</td>
              <td className="num">{fmt(d.metrics.to)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
