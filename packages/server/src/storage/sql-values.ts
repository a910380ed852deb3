/** Row values as both drivers return them (PGlite: Date / bigint / number; pg: Date /
 * string) turned into the API's shapes. One place, so every repository reads alike. */
export const iso = (v: unknown): string => new Date(v as string).toISOString();
export const isoOrNull = (v: unknown): string | null => (v == null ? null : iso(v));
export const numOrNull = (v: unknown): number | null => (v == null ? null : Number(v));

/**
 * A PostgreSQL array literal, built here rather than by the driver: the writer sends
 * each column of a batch as one array parameter, and most columns (uuids, numbers,
 * ISO timestamps, booleans, base64) need no quoting at all. `quote` columns (free
 * text, JSON) are quoted and escaped. Both drivers pass the string through as text
 * and the `$n::type[]` cast parses it.
 */
export function pgArray(values: readonly (string | number | boolean | null | undefined)[], quote = false): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else if (!quote) out += v;
    else {
      const s = String(v);
      out += `"${s.includes('\\') || s.includes('"') ? s.replace(/[\\"]/g, '\\$&') : s}"`;
    }
  }
  return `${out}}`;
}
