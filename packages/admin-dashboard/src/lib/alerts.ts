import type { Alert } from '@frostbyte/contracts';

/**
 * Alerts arrive two ways — a list fetched from `GET /v1/alerts` (or with the pipeline
 * status) and `alert` frames on the live stream — and in any order. The latest state
 * of each alert wins (by `updated_at`, so a late list never brings back an alert a
 * frame already resolved); resolved ones leave. Unresolved first, newest first.
 */
export function mergeAlerts(...sources: readonly (readonly Alert[])[]): Alert[] {
  return latestAlerts(...sources)
    .filter((a) => a.state !== 'resolved')
    .sort((a, b) => rank(a) - rank(b) || Date.parse(b.opened_at) - Date.parse(a.opened_at));
}

/** The latest state of each alert, resolved ones included (a live buffer keeps them so
 * an older list cannot resurrect them). */
export function latestAlerts(...sources: readonly (readonly Alert[])[]): Alert[] {
  const byId = new Map<string, Alert>();
  for (const list of sources)
    for (const a of list) {
      const prev = byId.get(a.id);
      if (!prev || Date.parse(a.updated_at) >= Date.parse(prev.updated_at)) byId.set(a.id, a);
    }
  return [...byId.values()];
}

const rank = (a: Alert) => (a.state === 'open' ? 0 : 1);

export const SEVERITY_GLYPH: Record<Alert['severity'], string> = { critical: '✕', warning: '⚠', info: 'ℹ' };
