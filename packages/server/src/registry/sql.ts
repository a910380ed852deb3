import type { TenantScope } from '../storage/storage.ts';

export const iso = (v: unknown): string => new Date(v as string).toISOString();
export const isoOrNull = (v: unknown): string | null => (v == null ? null : iso(v));
export const numOrNull = (v: unknown): number | null => (v == null ? null : Number(v));

/** Positional parameters for hand-written SQL: `p.add(value)` returns `$n`. */
export class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
  /** `tenant_id = ANY(...)` for a caller's scope, or TRUE for '*'. */
  scope(scope: TenantScope, col = 'tenant_id'): string {
    return scope === '*' ? 'TRUE' : `${col} = ANY(${this.add([...scope])}::text[])`;
  }
  /** Restricts to some tenants (null: all). */
  tenants(tenants: readonly string[] | null, col = 'tenant_id'): string {
    return tenants === null ? 'TRUE' : `${col} = ANY(${this.add([...tenants])}::text[])`;
  }
}
