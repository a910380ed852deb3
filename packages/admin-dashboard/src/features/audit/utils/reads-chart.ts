import type { AccessReport } from '../api/get-access-report.ts';

export interface ReadsChartData {
  /** Every day from the first to the last with reads (days without reads count 0). */
  days: string[];
  /** Readers, most reads first; a reader's colour is its index. */
  actors: { actor: string; total: number }[];
  /** reads[dayIndex][actorIndex] */
  reads: number[][];
  max: number;
}

const DAY_MS = 86_400_000;

/** The access report's `by_day` as a grid of days × readers for the chart and its table.
 * Gaps longer than `maxDays` are not filled (the chart would be all zeros). */
export function readsChartData(byDay: AccessReport['by_day'], maxDays = 62): ReadsChartData {
  const totals = new Map<string, number>();
  const cell = new Map<string, number>();
  for (const r of byDay) {
    totals.set(r.actor, (totals.get(r.actor) ?? 0) + r.reads);
    const k = `${r.day}|${r.actor}`;
    cell.set(k, (cell.get(k) ?? 0) + r.reads);
  }
  const actors = [...totals]
    .map(([actor, total]) => ({ actor, total }))
    .sort((a, b) => b.total - a.total || a.actor.localeCompare(b.actor));
  const seen = [...new Set(byDay.map((r) => r.day))].sort();
  let days = seen;
  const first = seen[0];
  const last = seen[seen.length - 1];
  if (first && last) {
    const span = Math.round((Date.parse(`${last}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / DAY_MS) + 1;
    if (span <= maxDays)
      days = Array.from({ length: span }, (_, i) => new Date(Date.parse(`${first}T00:00:00Z`) + i * DAY_MS).toISOString().slice(0, 10));
  }
  const reads = days.map((d) => actors.map((a) => cell.get(`${d}|${a.actor}`) ?? 0));
  return { days, actors, reads, max: Math.max(0, ...reads.flat()) };
}
