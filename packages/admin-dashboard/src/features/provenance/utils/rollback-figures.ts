import type { RollbackPreview, VersionStats } from '@frostbyte/contracts';
import { formatCost, formatCount, formatMs, formatPercent } from '../../../lib/format.ts';

/**
 * The rollback impact preview as rows of words and numbers: the current version's
 * figures against the target's own history, and what changes if you confirm.
 * `direction` says whether the target is better, worse or the same on that row
 * (lower is better for every figure here), so the view can mark it with a word.
 */
export type Direction = 'better' | 'worse' | 'same' | 'unknown';

export interface FigureRow {
  label: string;
  current: string;
  target: string;
  change: string;
  direction: Direction;
}

function signed(n: number, fmt: (v: number) => string): string {
  if (n === 0) return '±0';
  return `${n > 0 ? '+' : '−'}${fmt(Math.abs(n))}`;
}

export function direction(current: number | null, target: number | null): Direction {
  if (current === null || target === null) return 'unknown';
  if (Math.abs(target - current) < 1e-12) return 'same';
  return target < current ? 'better' : 'worse';
}

function row(
  label: string,
  c: number | null,
  t: number | null,
  fmt: (v: number | null) => string,
  deltaFmt: (v: number) => string,
): FigureRow {
  const dir = direction(c, t);
  return { label, current: fmt(c), target: fmt(t), change: c === null || t === null ? '—' : signed(t - c, deltaFmt), direction: dir };
}

export const pointsText = (v: number) => `${(v * 100).toFixed(v < 0.001 ? 2 : 1)} pts`;

export function comparisonRows(current: VersionStats, target: VersionStats): FigureRow[] {
  return [
    { label: 'Invocations', current: formatCount(current.calls), target: formatCount(target.calls), change: '—', direction: 'unknown' },
    row('Error rate', current.calls ? current.error_rate : null, target.calls ? target.error_rate : null, formatPercent, pointsText),
    row('p95 latency', current.p95_ms, target.p95_ms, formatMs, (v) => formatMs(v)),
    row('Cost per call', current.cost_per_call_usd, target.cost_per_call_usd, formatCost, (v) => formatCost(v)),
    {
      label: 'Cost in window',
      current: formatCost(current.cost_usd),
      target: formatCost(target.cost_usd),
      change: '—',
      direction: 'unknown',
    },
  ];
}

const SOURCE_TEXT: Record<RollbackPreview['expected_cost_change']['target_cost_source'], string> = {
  history: "from the target's own history",
  pricing: "the target's prices applied to the current usage (it has no history)",
  unknown: 'not enough data to say',
};

/** "Expected cost change: +$0.12 per day (+$0.0050 per hour) — from the target's own history". */
export function costChangeText(p: RollbackPreview): string {
  const c = p.expected_cost_change;
  if (c.per_day_usd === null || c.per_hour_usd === null) return `Expected cost change: unknown — ${SOURCE_TEXT[c.target_cost_source]}.`;
  const word = c.per_day_usd === 0 ? 'no change' : c.per_day_usd < 0 ? 'saves' : 'costs';
  return `Expected cost change: ${signed(c.per_day_usd, formatCost)} per day (${signed(c.per_hour_usd, formatCost)} per hour at ${c.current_calls_per_hour.toFixed(c.current_calls_per_hour < 10 ? 1 : 0)} calls/h; ${word}) — ${SOURCE_TEXT[c.target_cost_source]}.`;
}

/** "3 invocations in flight will finish on 1.1.0 (acme 2, globex 1)." */
export function inFlightText(p: RollbackPreview): string {
  const n = p.in_flight.count;
  if (n === 0) return `No invocation is in flight on ${p.current_version}: nothing has to finish on it.`;
  const parts = Object.entries(p.in_flight.by_tenant)
    .sort((a, b) => b[1] - a[1])
    .map(([t, c]) => `${t} ${c}`);
  return `${n} invocation${n === 1 ? '' : 's'} in flight will finish on ${p.current_version}${parts.length ? ` (${parts.join(', ')})` : ''}.`;
}

/** Where the current version runs: "parse · every tenant", "parse · acme". */
export function runningText(p: RollbackPreview): string[] {
  if (!p.running.length) return [`${p.current_version} is not active anywhere right now.`];
  return p.running.map((r) => `${r.stage} · ${r.tenant === '*' ? 'every tenant' : r.tenant} · ${r.version}`);
}
