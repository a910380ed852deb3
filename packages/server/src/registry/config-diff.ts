import type { DiffEntry } from '@frostbyte/contracts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 6901: `~` and `/` inside a key are escaped. */
const pointer = (base: string, key: string | number) => `${base}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;

/**
 * Structural diff of two JSON values: one entry per added, removed or changed leaf,
 * addressed by JSON Pointer. Objects are compared key by key (sorted, so the order of
 * keys never shows as a change); arrays index by index, with the extra items of the
 * longer one added or removed; anything else by value.
 *
 * @example
 * diffConfig({ a: 1, b: { c: 2 } }, { b: { c: 3 }, d: true })
 * // [{ path: '/a', op: 'removed', before: 1 }, { path: '/b/c', op: 'changed', before: 2, after: 3 },
 * //  { path: '/d', op: 'added', after: true }]
 */
export function diffConfig(before: unknown, after: unknown, base = ''): DiffEntry[] {
  if (isObject(before) && isObject(after)) {
    const out: DiffEntry[] = [];
    for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      const p = pointer(base, k);
      if (!(k in after)) out.push({ path: p, op: 'removed', before: before[k] });
      else if (!(k in before)) out.push({ path: p, op: 'added', after: after[k] });
      else out.push(...diffConfig(before[k], after[k], p));
    }
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: DiffEntry[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      const p = pointer(base, i);
      if (i >= after.length) out.push({ path: p, op: 'removed', before: before[i] });
      else if (i >= before.length) out.push({ path: p, op: 'added', after: after[i] });
      else out.push(...diffConfig(before[i], after[i], p));
    }
    return out;
  }
  return sameJson(before, after) ? [] : [{ path: base || '/', op: 'changed', before, after }];
}

/** Equality of JSON values regardless of key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && sameJson(a[k], b[k]));
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  return false;
}

export function diffCounts(entries: readonly DiffEntry[]) {
  return {
    added: entries.filter((e) => e.op === 'added').length,
    removed: entries.filter((e) => e.op === 'removed').length,
    changed: entries.filter((e) => e.op === 'changed').length,
  };
}
