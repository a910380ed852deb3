import type { AuditEntry } from '../api/get-audit-log.ts';

export type LinkState = 'linked' | 'broken' | 'unknown' | 'genesis';

/**
 * What the loaded page can say about each entry's place in its tenant's hash chain:
 * `linked` when the entry before it (same tenant, seq − 1) is loaded too and its hash
 * is this entry's `prev_hash`; `broken` when it is loaded and differs; `unknown` when
 * it is not loaded (a full check rehashes every entry: `audit verify`); `genesis` for
 * seq 1. This compares links only, it does not rehash content.
 */
export function chainLinks(entries: readonly AuditEntry[]): Map<string, LinkState> {
  const byKey = new Map(entries.map((e) => [`${e.tenant_id}:${e.seq}`, e]));
  const out = new Map<string, LinkState>();
  for (const e of entries) {
    const key = `${e.tenant_id}:${e.seq}`;
    if (e.seq <= 1) {
      out.set(key, 'genesis');
      continue;
    }
    const prev = byKey.get(`${e.tenant_id}:${e.seq - 1}`);
    out.set(key, prev ? (prev.hash === e.prev_hash ? 'linked' : 'broken') : 'unknown');
  }
  return out;
}

export const entryKey = (e: Pick<AuditEntry, 'tenant_id' | 'seq'>) => `${e.tenant_id}:${e.seq}`;

/** The first characters of a hash, enough to compare by eye. */
export const hashPrefix = (h: string, n = 12) => (h.length > n ? `${h.slice(0, n)}…` : h);

/** An entry's target as a link when it names an event (`event:<id>` → the tracer). */
export function targetHref(target: string, tenant: string): string | null {
  const m = /^event:([0-9a-fA-F-]{36})$/.exec(target);
  return m ? `/trace/${m[1]}?tenant_id=${encodeURIComponent(tenant)}` : null;
}
