import { createContext, type ReactNode, useContext } from 'react';

/**
 * What the signed-in user may do, as the server's permission names
 * (`registry:write`, `alerts:write`, …; `*` = everything). The app provides it from
 * the session so features can hide buttons the server would refuse anyway, without
 * importing the auth feature. The server stays the authority: a 403 is still shown.
 */
const PermissionsContext = createContext<{ permissions: readonly string[]; tenants: readonly string[] }>({ permissions: [], tenants: [] });

export function PermissionsProvider({
  permissions,
  tenants = [],
  children,
}: {
  permissions: readonly string[];
  /** The tenants the user may see (`*` = every tenant). */
  tenants?: readonly string[];
  children: ReactNode;
}) {
  return <PermissionsContext.Provider value={{ permissions, tenants }}>{children}</PermissionsContext.Provider>;
}

export function hasPermission(permissions: readonly string[], permission: string): boolean {
  return permissions.includes('*') || permissions.includes(permission);
}

export function usePermission(permission: string): boolean {
  return hasPermission(useContext(PermissionsContext).permissions, permission);
}

/** Whether the user sees every tenant (what the server asks of pipeline-wide changes). */
export function useSeesEveryTenant(): boolean {
  return useContext(PermissionsContext).tenants.includes('*');
}
