/**
 * Query keys of the model registry, one tree so a mutation can invalidate exactly
 * what it changed: everything about one model (`model(name)`) or the model list.
 *
 *   ['registry', 'models']
 *   ['registry', 'model', name, 'versions' | 'timeline' | 'diff', …]
 *   ['registry', 'experiments', filter] · ['registry', 'experiment', id, 'results']
 */
export const registryKeys = {
  all: ['registry'] as const,
  models: () => ['registry', 'models'] as const,
  model: (name: string) => ['registry', 'model', name] as const,
  versions: (name: string) => ['registry', 'model', name, 'versions'] as const,
  timeline: (name: string) => ['registry', 'model', name, 'timeline'] as const,
  diff: (name: string, a: string, b: string) => ['registry', 'model', name, 'diff', a, b] as const,
  experiments: () => ['registry', 'experiments'] as const,
  experimentResults: (id: string) => ['registry', 'experiment', id, 'results'] as const,
};

/** A 4xx/409 answer is shown next to the form field it is about; these are the names. */
export type FieldErrors<K extends string> = Partial<Record<K, string>>;

/** The server's slug rule for model names, versions and stages (see contracts/registry.ts). */
export const SLUG = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$/;
/** `TENANT_PATTERN` of contracts/ids.ts (copied: the bundle imports contract types only). */
export const TENANT = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Comma- or space-separated tenants → list; empty → null (every tenant). */
export function parseTenants(text: string): string[] | null {
  const list = [...new Set(text.split(/[\s,]+/).filter(Boolean))];
  return list.length ? list : null;
}
