import type { MetricsRow } from '@frostbyte/contracts';
import { StatusBadge } from '../../../components/StatusBadge.tsx';
import { formatAgo, formatCost, formatCount, formatMs, formatPercent } from '../../../lib/format.ts';
import { useNow } from '../../../lib/use-now.ts';

export interface ModelTile {
  key: string;
  model_name: string;
  model_version: string;
  stages: string[];
  status: MetricsRow['status'];
  in_flight: number;
  last_seen: string | null;
  calls: number;
  error_rate: number;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  throughput_per_s: number;
  tokens: number;
  cost_usd: number;
}

const RANK = { error: 2, processing: 1, idle: 0 } as const;
const later = (a: string | null, b: string | null) => (!a ? b : !b ? a : a > b ? a : b);

/** Summary rows are per stage + model + version; a tile is per model + version. A
 * model used in two stages shows its worst status and its combined counts. */
export function tilesFromRows(rows: readonly MetricsRow[]): ModelTile[] {
  const map = new Map<string, ModelTile>();
  for (const r of rows) {
    const key = `${r.model_name}@${r.model_version}`;
    const t = map.get(key);
    if (!t) {
      map.set(key, {
        key,
        model_name: r.model_name,
        model_version: r.model_version,
        stages: [r.stage],
        status: r.status,
        in_flight: r.in_flight,
        last_seen: r.last_seen,
        calls: r.calls,
        error_rate: r.error_rate,
        p50_ms: r.p50_ms,
        p95_ms: r.p95_ms,
        p99_ms: r.p99_ms,
        throughput_per_s: r.throughput_per_s,
        tokens: r.input_tokens + r.output_tokens,
        cost_usd: r.cost_usd,
      });
      continue;
    }
    if (!t.stages.includes(r.stage)) t.stages.push(r.stage);
    if (RANK[r.status] > RANK[t.status]) t.status = r.status;
    const errors = t.error_rate * t.calls + r.errors;
    t.calls += r.calls;
    t.error_rate = t.calls ? errors / t.calls : 0;
    t.in_flight += r.in_flight;
    t.last_seen = later(t.last_seen, r.last_seen);
    // Percentiles do not add up; the slower stage's figure is the honest upper bound.
    t.p50_ms = Math.max(t.p50_ms ?? 0, r.p50_ms ?? 0) || null;
    t.p95_ms = Math.max(t.p95_ms ?? 0, r.p95_ms ?? 0) || null;
    t.p99_ms = Math.max(t.p99_ms ?? 0, r.p99_ms ?? 0) || null;
    t.throughput_per_s += r.throughput_per_s;
    t.tokens += r.input_tokens + r.output_tokens;
    t.cost_usd += r.cost_usd;
  }
  return [...map.values()].sort((a, b) => a.key.localeCompare(b.key));
}

interface Props {
  tiles: readonly ModelTile[];
  selected?: string;
  onSelect: (tile: ModelTile) => void;
}

/** A tile per model and version: idle / processing / error, in flight, last seen. */
export function StatusTiles({ tiles, selected, onSelect }: Props) {
  const now = useNow(1000);
  if (tiles.length === 0) return <p className="muted">No model activity in this window yet.</p>;
  return (
    <ul className="tiles" aria-label="Model status">
      {tiles.map((t) => (
        <li key={t.key} className={`tile tile-${t.status}${selected === t.key ? ' tile-selected' : ''}`}>
          <button
            type="button"
            className="tile-button"
            aria-pressed={selected === t.key}
            aria-label={`${t.key}: ${t.status}, ${t.in_flight} in flight. Filter the feed by this model`}
            onClick={() => onSelect(t)}
          >
            <span className="tile-title mono">{t.model_name}</span>
            <span className="tile-version mono">v{t.model_version}</span>
          </button>
          <StatusBadge status={t.status} />
          <dl className="tile-facts">
            <div>
              <dt>In flight</dt>
              <dd>{t.in_flight}</dd>
            </div>
            <div>
              <dt>Last seen</dt>
              <dd>
                <time dateTime={t.last_seen ?? undefined}>{formatAgo(t.last_seen, now)}</time>
              </dd>
            </div>
            <div>
              <dt>Calls/s</dt>
              <dd>{t.throughput_per_s.toFixed(1)}</dd>
            </div>
            <div>
              <dt>Errors</dt>
              <dd>{formatPercent(t.error_rate)}</dd>
            </div>
            <div>
              <dt>p50 / p95 / p99</dt>
              <dd>
                {formatMs(t.p50_ms)} / {formatMs(t.p95_ms)} / {formatMs(t.p99_ms)}
              </dd>
            </div>
            <div>
              <dt>Tokens · cost</dt>
              <dd>
                {formatCount(t.tokens)} · {formatCost(t.cost_usd)}
              </dd>
            </div>
          </dl>
          <span className="tile-stages muted">{t.stages.join(' · ')}</span>
        </li>
      ))}
    </ul>
  );
}
