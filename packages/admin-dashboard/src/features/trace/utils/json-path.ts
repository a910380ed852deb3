/** Paths as JSONPath-like strings: `$.user.emails[1]`, `$["odd key"]`. */
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return IDENT.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

export type Container = Record<string, unknown> | unknown[];
export const isContainer = (v: unknown): v is Container => typeof v === 'object' && v !== null;

export function entriesOf(v: Container): [string | number, unknown][] {
  return Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
}

/**
 * Paths whose key or primitive value contains `term` (case-insensitive), and every
 * ancestor of those (to expand). Stops after `limit` nodes so a huge payload cannot
 * freeze the page; `truncated` says it did.
 */
export function searchTree(value: unknown, term: string, limit = 50_000): { matches: Set<string>; open: Set<string>; truncated: boolean } {
  const matches = new Set<string>();
  const open = new Set<string>();
  const t = term.toLowerCase();
  let visited = 0;
  let truncated = false;
  const walk = (v: unknown, path: string, key: string | number | null, ancestors: string[]): void => {
    if (++visited > limit) {
      truncated = true;
      return;
    }
    const keyHit = key !== null && String(key).toLowerCase().includes(t);
    const valueHit = !isContainer(v) && String(v).toLowerCase().includes(t);
    if (keyHit || valueHit) {
      matches.add(path);
      for (const a of ancestors) open.add(a);
    }
    if (isContainer(v)) {
      const next = [...ancestors, path];
      for (const [k, child] of entriesOf(v)) {
        walk(child, childPath(path, k), k, next);
        if (truncated) return;
      }
    }
  };
  if (t) walk(value, '$', null, []);
  return { matches, open, truncated };
}

/** Every container path down to `depth` (for "expand all", bounded). */
export function containerPaths(value: unknown, depth: number, limit = 5_000): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown, path: string, d: number) => {
    if (!isContainer(v) || d > depth || out.size >= limit) return;
    out.add(path);
    for (const [k, child] of entriesOf(v)) walk(child, childPath(path, k), d + 1);
  };
  walk(value, '$', 0);
  return out;
}
