/** Which tenants a caller may read: a list, or every tenant ('*', admins and the
 * system itself). Every read takes one; no read is unscoped. */
export type TenantScope = readonly string[] | '*';

/** Whether a scope includes a tenant. */
export const inScope = (scope: TenantScope, tenant: string): boolean => scope === '*' || scope.includes(tenant);
