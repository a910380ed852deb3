/*
 * Which tenants a registry record concerns and what a caller's tenant scope may see or
 * change. Every job module that reads or changes what runs for tenants uses these, so
 * they all apply one rule: a tenant's users never learn which other tenants exist or
 * what those tenants run, and a change that affects every tenant needs a caller who may
 * act for every tenant.
 */
import type { TenantScope } from '../kernel/tenant-scope.ts';
import { forbidden } from '../kernel/errors.ts';
import type { ActiveRow } from './registry-repository.ts';

/** The tenant id of an active row or `from_by_tenant` key that stands for every tenant. */
export const ALL = '*';

/** Whether two tenant selections (null = all) share a tenant. */
export const overlaps = (a: readonly string[] | null, b: readonly string[] | null) =>
  a === null || b === null || a.some((t) => b.includes(t));

/** A deploy for every tenant needs a caller who may act for every tenant; otherwise the
 * tenants must be named and be the caller's own. */
export function checkTenantScope(scope: TenantScope, tenants: readonly string[] | null) {
  if (scope === '*') return;
  if (tenants === null) throw forbidden('you may only change what runs for your own tenants: name them in `tenants`');
  const outside = tenants.filter((t) => !scope.includes(t));
  if (outside.length) throw forbidden(`no access to tenant(s) ${outside.join(', ')}`);
}

/** The catalogue (models and their versions) is shared by every tenant: a version
 * registered by one tenant's engineer is offered to every tenant's deploys, so a change
 * to it needs a caller who may act for every tenant (403 otherwise). */
export function checkEveryTenant(scope: TenantScope, what: string) {
  if (scope !== '*')
    throw forbidden(`${what} is shared by every tenant: it needs a credential for every tenant (yours covers ${scope.join(', ')})`);
}

/** Whether `scope` may see a tenant of a registry record ('*' = every tenant: all may). */
export const seesTenant = (scope: TenantScope, tenant: string) => tenant === ALL || scope === '*' || scope.includes(tenant);

/**
 * A record aimed at some tenants, as `scope` may see it: with only its own tenants named
 * (and only theirs in `from_by_tenant`), or null when it concerns none of them. Records
 * for every tenant (`tenants` null) concern everyone. Tenant names are data too: a
 * tenant's users never learn which other tenants exist or what they run.
 */
export function narrowToScope<T extends { tenants: readonly string[] | null; from_by_tenant?: Record<string, string | null> }>(
  scope: TenantScope,
  r: T,
): T | null {
  if (scope === '*') return r;
  const out = { ...r };
  if (r.from_by_tenant) out.from_by_tenant = Object.fromEntries(Object.entries(r.from_by_tenant).filter(([t]) => seesTenant(scope, t)));
  if (r.tenants === null) return out;
  const mine = r.tenants.filter((t) => scope.includes(t));
  return mine.length ? { ...out, tenants: mine } : null;
}

/** The records narrowToScope left (drops the nulls). */
export const visible = <T>(items: (T | null)[]): T[] => items.filter((x): x is T => x !== null);

/** The version a tenant runs: its own deployment, else the all-tenants one. */
export function effective(active: readonly ActiveRow[], tenant: string): ActiveRow | undefined {
  return active.find((a) => a.tenant_id === tenant) ?? active.find((a) => a.tenant_id === ALL);
}
