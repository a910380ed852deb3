import type { EventFilter } from '@frostbyte/contracts';
import type { TenantScope } from '../kernel/tenant-scope.ts';

export { iso, isoOrNull, numOrNull } from './sql-values.ts';

/**
 * The one SQL builder: positional parameters for hand-written SQL. `p.add(value)`
 * returns `$n`, so a value never becomes SQL text; `where()` collects AND-ed clauses
 * over the same numbering (several WHEREs of one statement can share it).
 */
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
  where(): Where {
    return new Where(this);
  }
}

/** AND-ed clauses whose values are parameters of `p`. */
export class Where {
  private readonly parts: string[] = [];
  constructor(readonly p: Params = new Params()) {}
  get params(): unknown[] {
    return this.p.values;
  }
  /** `sql` with one `?` standing for `value`. */
  add(sql: string, value: unknown): this {
    this.parts.push(sql.replace('?', this.p.add(value)));
    return this;
  }
  raw(sql: string): this {
    this.parts.push(sql);
    return this;
  }
  scope(scope: TenantScope, col = 'tenant_id'): this {
    return scope === '*' ? this : this.raw(this.p.scope(scope, col));
  }
  /** The event filters every event read shares (exact matches and a document prefix). */
  filter(f: EventFilter): this {
    if (f.tenant_id) this.add('tenant_id = ?', f.tenant_id);
    if (f.model_name) this.add('model_name = ?', f.model_name);
    if (f.model_version) this.add('model_version = ?', f.model_version);
    if (f.document_id) this.add('document_id = ?', f.document_id);
    if (f.document_prefix) this.add(`document_id LIKE ? ESCAPE '\\'`, `${f.document_prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (f.operation) this.add('operation = ?', f.operation);
    if (f.stage) this.add('stage = ?', f.stage);
    if (f.status) this.add('status = ?', f.status);
    return this;
  }
  /** `WHERE a AND b`, or '' when there is no clause. */
  get sql(): string {
    return this.parts.length ? `WHERE ${this.parts.join(' AND ')}` : '';
  }
}
