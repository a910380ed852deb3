import type { AuditQuery } from '../api/get-audit-log.ts';

/**
 * The Audit page's filters live in the URL under the API's parameter names
 * (`tenant_id`, `actor`, `action`, `from`, `to`), like the monitor's: a shared link
 * shows the same log. The tenant is the app-wide `tenant_id` the header also writes.
 * Values the server would refuse are dropped rather than sent.
 */
export const FILTER_KEYS = ['tenant_id', 'actor', 'action', 'from', 'to'] as const;
const TENANT_RE = /^(_system|[a-z0-9][a-z0-9_-]{0,62})$/;

export function parseAuditFilters(search: string): AuditQuery {
  const q = new URLSearchParams(search);
  const f: AuditQuery = {};
  const tenant = q.get('tenant_id')?.trim();
  if (tenant && TENANT_RE.test(tenant)) f.tenant_id = tenant;
  const actor = q.get('actor')?.trim();
  if (actor && actor.length <= 128) f.actor = actor;
  const action = q.get('action')?.trim();
  if (action && action.length <= 64) f.action = action;
  for (const k of ['from', 'to'] as const) {
    const v = q.get(k);
    if (v && !Number.isNaN(Date.parse(v))) f[k] = new Date(v).toISOString();
  }
  return f;
}

/** The search string for `f`, keeping parameters the page does not own. */
export function auditFiltersToSearch(f: AuditQuery, current = ''): string {
  const q = new URLSearchParams(current);
  for (const k of FILTER_KEYS) {
    const v = f[k]?.trim();
    if (v) q.set(k, v);
    else q.delete(k);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

const pad = (n: number) => String(n).padStart(2, '0');

/** ISO time → the value of an `<input type="datetime-local">` (the user's local time). */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** `datetime-local` value (local time) → ISO, or undefined when empty or unreadable. */
export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The filter form's problems: a `from` after `to` would be a 400 from the access report. */
export function filterProblem(f: AuditQuery): string | null {
  if (f.from && f.to && Date.parse(f.from) > Date.parse(f.to)) return '"From" must not be after "to".';
  return null;
}

/** The actions the log knows, offered as suggestions (any other can be typed). */
export const KNOWN_ACTIONS = [
  'trace.read',
  'trace.export',
  'document.erase',
  'document.hold',
  'document.release',
  'audit.export',
  'events.batch',
  'registry.version.register',
  'registry.deploy',
  'registry.rollback',
  'experiments.start',
  'alerts.rules.update',
  'retention.run',
  'tenant.erase',
  'key.rotate',
] as const;
