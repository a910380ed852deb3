/** Row values as both drivers return them (PGlite: Date / bigint / number; pg: Date /
 * string) turned into the API's shapes. One place, so every repository reads alike. */
export const iso = (v: unknown): string => new Date(v as string).toISOString();
export const isoOrNull = (v: unknown): string | null => (v == null ? null : iso(v));
export const numOrNull = (v: unknown): number | null => (v == null ? null : Number(v));
