import type { TenantScope } from '../kernel/tenant-scope.ts';

export { iso, isoOrNull, numOrNull } from './sql-values.ts';

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
