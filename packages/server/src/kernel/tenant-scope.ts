import { forbidden } from './errors.ts';

/** Which tenants a caller may read: a list, or every tenant ('*', admins and the
 * system itself). Every read takes one; no read is unscoped. */
export type TenantScope = readonly string[] | '*';

/** Whether a scope includes a tenant. */
export const inScope = (scope: TenantScope, tenant: string): boolean => scope === '*' || scope.includes(tenant);

/** A route's tenant check: a 403 unless the scope includes the tenant asked for
 * (null or undefined: none asked, the scope itself narrows the read). The message
 * never names the tenant, so it cannot confirm that another tenant exists. */
export function requireInScope(scope: TenantScope, tenant: string | null | undefined): void {
  if (tenant != null && !inScope(scope, tenant)) throw forbidden('no access to that tenant');
}
