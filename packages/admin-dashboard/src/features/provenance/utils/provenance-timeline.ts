import type { Experiment, TimelineItem } from '@frostbyte/contracts';

/**
 * The provenance timeline as the view shows it: the server's items (versions, config
 * changes, deploys, rollbacks, traffic splits, experiment starts/ends) merged with the
 * experiments list (an experiment may be newer than the last timeline fetch, and a
 * running one has no end item yet), newest first, grouped by day.
 *
 * Invariant: each item appears once (the server id `<kind>:<row id>` is the key), and
 * the order is total — by time, then by id — so a refresh never reshuffles equal times.
 */
export type TimelineKind = TimelineItem['kind'];

export const KIND_LABEL: Record<TimelineKind, string> = {
  version_registered: 'Version registered',
  config_change: 'Configuration changed',
  deploy: 'Deployed',
  rollback: 'Rolled back',
  traffic_split: 'Traffic split',
  experiment_started: 'Experiment started',
  experiment_stopped: 'Experiment stopped',
  experiment_promoted: 'Experiment promoted',
};

/** A glyph per kind: the kind is never told by colour alone. */
export const KIND_GLYPH: Record<TimelineKind, string> = {
  version_registered: '+',
  config_change: '✎',
  deploy: '▲',
  rollback: '↶',
  traffic_split: '⇄',
  experiment_started: '◇',
  experiment_stopped: '■',
  experiment_promoted: '★',
};

export interface TimelineEntry extends TimelineItem {
  label: string;
  glyph: string;
  /** e.g. "every tenant" or "acme, globex". */
  scope: string;
}

export interface TimelineDay {
  day: string;
  entries: TimelineEntry[];
}

export function scopeText(tenants: readonly string[] | null | undefined): string {
  if (!tenants || tenants.length === 0) return 'every tenant';
  if (tenants.length <= 3) return tenants.join(', ');
  return `${tenants.slice(0, 3).join(', ')} and ${tenants.length - 3} more`;
}

/** The items an experiment implies, for experiments the timeline does not have yet. */
export function experimentItems(e: Experiment, modelName: string): TimelineItem[] {
  const base = { model_name: modelName, tenants: e.tenants, details: { experiment_id: e.id, treatment_percent: e.treatment_percent } };
  const out: TimelineItem[] = [
    {
      ...base,
      id: `experiment_started:${e.id}`,
      at: e.started_at,
      kind: 'experiment_started',
      version: e.treatment.version,
      from_version: e.control.version,
      actor: e.created_by,
      reason: e.reason,
      summary: `A/B "${e.name}": ${e.treatment_percent}% of documents to ${e.treatment.version}, the rest on ${e.control.version}`,
    },
  ];
  if (e.ended_at && e.state !== 'running') {
    const promoted = e.state === 'promoted';
    const winner = e.winner === 'treatment' ? e.treatment.version : e.winner === 'control' ? e.control.version : null;
    out.push({
      ...base,
      id: `experiment_${promoted ? 'promoted' : 'stopped'}:${e.id}`,
      at: e.ended_at,
      kind: promoted ? 'experiment_promoted' : 'experiment_stopped',
      version: promoted ? winner : null,
      from_version: null,
      actor: e.ended_by ?? e.created_by,
      reason: e.end_reason,
      summary: promoted ? `A/B "${e.name}" ended: ${winner ?? 'the winner'} promoted` : `A/B "${e.name}" stopped`,
    });
  }
  return out;
}

const time = (iso: string) => new Date(iso).getTime();

/** Merge, dedupe (the server's item wins), sort newest first. */
export function mergeTimeline(items: readonly TimelineItem[], experiments: readonly Experiment[] = [], modelName = ''): TimelineEntry[] {
  const byId = new Map<string, TimelineItem>();
  for (const e of experiments) for (const it of experimentItems(e, modelName)) byId.set(it.id, it);
  // An experiment's end may be keyed by the server under either end kind; keep its own.
  for (const it of items) {
    byId.set(it.id, it);
    if (it.kind === 'experiment_stopped' || it.kind === 'experiment_promoted') {
      const exp = String(it.details.experiment_id ?? it.id.split(':')[1] ?? '');
      for (const k of ['experiment_stopped', 'experiment_promoted'] as const) if (`${k}:${exp}` !== it.id) byId.delete(`${k}:${exp}`);
    }
  }
  return [...byId.values()]
    .sort((a, b) => time(b.at) - time(a.at) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map((it) => ({ ...it, label: KIND_LABEL[it.kind] ?? it.kind, glyph: KIND_GLYPH[it.kind] ?? '•', scope: scopeText(it.tenants) }));
}

const dayFmt = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });

/** Consecutive entries of one local day share a heading. */
export function groupByDay(entries: readonly TimelineEntry[]): TimelineDay[] {
  const days: TimelineDay[] = [];
  for (const e of entries) {
    const day = dayFmt.format(new Date(e.at));
    const last = days[days.length - 1];
    if (last && last.day === day) last.entries.push(e);
    else days.push({ day, entries: [e] });
  }
  return days;
}

/** "1.0.0 → 1.1.0" for changes of version, the version alone otherwise. */
export function versionText(e: Pick<TimelineItem, 'version' | 'from_version'>): string {
  if (e.from_version && e.version && e.from_version !== e.version) return `${e.from_version} → ${e.version}`;
  return e.version ?? '';
}
