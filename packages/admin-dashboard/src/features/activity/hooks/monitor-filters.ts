import type { EventFilter, EventListQuery } from '@frostbyte/contracts';

/**
 * The Model Activity Monitor's view, as it appears in the URL. Parameter names are
 * the API's own (`tenant_id`, `model_name`, `document_prefix`, …) so a shared link
 * reads like the request it makes. `window` is the chart window in seconds.
 *
 *   /activity?tenant_id=acme&stage=embed&status=failed&window=3600
 */
export type EventStatusFilter = NonNullable<EventFilter['status']>;

export interface MonitorFilters {
  tenant_id?: string;
  model_name?: string;
  model_version?: string;
  document_id?: string;
  /** Free text: document ids starting with this. */
  document_prefix?: string;
  operation?: string;
  stage?: string;
  status?: EventStatusFilter;
  /** ISO timestamps; with `to` set the view is a past range and the live stream is off. */
  from?: string;
  to?: string;
  window: number;
}

export const STATUSES: readonly EventStatusFilter[] = ['started', 'completed', 'failed', 'abandoned'];
export const WINDOWS: readonly { seconds: number; label: string }[] = [
  { seconds: 300, label: '5 minutes' },
  { seconds: 900, label: '15 minutes' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 21_600, label: '6 hours' },
  { seconds: 86_400, label: '24 hours' },
];
export const DEFAULT_WINDOW = 900;

const TEXT_KEYS = ['tenant_id', 'model_name', 'model_version', 'document_id', 'document_prefix', 'operation', 'stage'] as const;
type TextKey = (typeof TEXT_KEYS)[number];

/** Every key the monitor owns in the URL; others (if any) are left alone. */
export const FILTER_KEYS = [...TEXT_KEYS, 'status', 'from', 'to', 'window'] as const;

function isoOrUndefined(v: string | null): string | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function parseFilters(search: string): MonitorFilters {
  const q = new URLSearchParams(search);
  const f: MonitorFilters = { window: DEFAULT_WINDOW };
  for (const k of TEXT_KEYS) {
    const v = q.get(k)?.trim();
    if (v) f[k as TextKey] = v;
  }
  const status = q.get('status');
  if (status && (STATUSES as readonly string[]).includes(status)) f.status = status as EventStatusFilter;
  const from = isoOrUndefined(q.get('from'));
  const to = isoOrUndefined(q.get('to'));
  if (from) f.from = from;
  if (to) f.to = to;
  const w = Number(q.get('window'));
  if (WINDOWS.some((x) => x.seconds === w)) f.window = w;
  return f;
}

/** Serialises the filters onto `search`, keeping parameters the monitor does not own. */
export function filtersToSearch(f: MonitorFilters, search = ''): string {
  const q = new URLSearchParams(search);
  for (const k of FILTER_KEYS) q.delete(k);
  for (const k of TEXT_KEYS) {
    const v = f[k]?.trim();
    if (v) q.set(k, v);
  }
  if (f.status) q.set('status', f.status);
  if (f.from) q.set('from', f.from);
  if (f.to) q.set('to', f.to);
  if (f.window !== DEFAULT_WINDOW) q.set('window', String(f.window));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** What the server filters the live stream and the metrics by. */
export function toEventFilter(f: MonitorFilters): EventFilter {
  const out: EventFilter = {};
  for (const k of TEXT_KEYS) if (f[k]) out[k] = f[k];
  if (f.status) out.status = f.status;
  return out;
}

/** What the history request asks for: the same filters plus the time range. */
export function toHistoryQuery(f: MonitorFilters): Omit<EventListQuery, 'cursor' | 'limit'> {
  return { ...toEventFilter(f), ...(f.from ? { from: f.from } : {}), ...(f.to ? { to: f.to } : {}) };
}

/** A range that ends in the past shows history only. */
export const isLive = (f: MonitorFilters): boolean => !f.to || new Date(f.to).getTime() > Date.now();

export const filterCount = (f: MonitorFilters): number => Object.keys(toHistoryQuery(f)).filter((k) => k !== 'tenant_id').length;
