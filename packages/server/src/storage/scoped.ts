import type { TenantScope } from '../kernel/tenant-scope.ts';
import type { SqlClient } from './sql-client.ts';

/** Runs `fn` in one transaction seeing only `scope` (see `scoped`). */
export type ScopedRunner = <T>(scope: TenantScope, fn: (db: SqlClient) => Promise<T>) => Promise<T>;

const TENANT_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** `fmo.tenants` for a scope: '*' or 'a,b'. Tenant ids are slugs (contracts' TENANT_PATTERN)
 * or '_system' (the audit chain of tenant-less actions); anything else is refused. */
export function tenantSetting(scope: TenantScope): string {
  if (scope === '*') return '*';
  for (const t of scope) if (!TENANT_RE.test(t) && t !== '_system') throw new Error(`invalid tenant id in scope: ${JSON.stringify(t).slice(0, 80)}`);
  return scope.join(',');
}

/**
 * Runs `fn` in one transaction as the application role `fmo_app`, which row-level
 * security limits to `scope` (migrations/0006). Every repository's reads and writes go
 * through here; their WHERE clauses also name the scope (for the indexes), and RLS is
 * the second wall should one ever forget. The system itself (writer, key loading)
 * passes '*'.
 */
export function scoped<T>(db: SqlClient, scope: TenantScope, fn: (tx: SqlClient) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    // One round trip; the tenant list is validated, so the literal cannot break out.
    await tx.exec(`SET LOCAL ROLE fmo_app; SELECT set_config('fmo.tenants', '${tenantSetting(scope)}', true)`);
    return fn(tx);
  });
}

/** `scoped` bound to one client. */
export const scopedRunner =
  (db: SqlClient): ScopedRunner =>
  (scope, fn) =>
    scoped(db, scope, fn);

/** A transaction as the connection's own role (the owner), seeing every tenant: what
 * retention needs to drop partitions and prune the audit log. */
export function asOwner<T>(db: SqlClient, fn: (tx: SqlClient) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT set_config('fmo.tenants', '*', true)`);
    return fn(tx);
  });
}
