/**
 * The permission matrix: the one place that says which role may do what (DESIGN §5
 * "Roles"). Every route names one permission in `config.permission`; the auth plugin
 * allows the request when the caller's credential holds it, and refuses a route that
 * names none (fail closed). The README's table is `permissionTableMarkdown()`.
 *
 * Tenants are a second, independent axis: a permission never widens the tenants a
 * credential may see or change. Every write and administrative action checks the
 * tenants it affects in its service (admin/admin-service.ts, registry/scope.ts,
 * alerts/alert-service.ts): 403 naming a tenant the caller named outside its scope, 404
 * for another tenant's key, user, experiment or alert, and a '*' credential for what
 * every tenant shares (the model catalogue, alert rules, retention). The route walk in
 * test/security/route-walk.test.ts holds every write route to it.
 */

export const ROLES = ['admin', 'ml_engineer', 'compliance_officer', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Every permission, with what it allows (the README table's first column). */
export const PERMISSIONS = {
  'session:read': 'see who you are (`GET /v1/session`)',
  'events:write': 'ingest model events (`POST /v1/events`, OTLP)',
  'events:read': 'event history, invocations, documents, live stream (SSE, WebSocket)',
  'payloads:read': 'decision-trace inputs, outputs and rationales (decrypted)',
  'metrics:read': 'metrics, time series, costs',
  'registry:read': 'model registry, deployments, experiments',
  'pipeline:config': "what the pipeline must run for the caller's tenant (`GET /v1/pipeline/config`)",
  'registry:write': 'register versions, deploy, roll back, change config',
  'alerts:read': 'alerts',
  'alerts:write': 'acknowledge and resolve alerts, edit alert rules',
  'audit:read': 'audit log, inclusion proofs, checkpoints',
  'audit:verify': 'verify the audit chain and signatures',
  'audit:export': 'export the audit log with its checkpoints',
  'keys:manage': 'create and revoke ingest API keys, rotate data keys',
  'users:manage': 'create, list and disable users, and issue their tokens',
  'tenants:erase': 'crypto-shred a tenant (GDPR erasure)',
  'documents:erase': "destroy one document's trace payloads (per-document erasure)",
  'documents:hold': 'put a document under legal hold and release it',
  'retention:run': 'run retention now',
} as const;
export type Permission = keyof typeof PERMISSIONS;

/** Routes anyone may call without a credential: health checks, OpenAPI, the dashboard
 * shell, the login-code exchange. */
export const PUBLIC = 'public';

const READ: readonly Permission[] = ['session:read', 'events:read', 'metrics:read', 'registry:read', 'pipeline:config', 'alerts:read'];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: Object.keys(PERMISSIONS) as Permission[],
  ml_engineer: [...READ, 'payloads:read', 'registry:write', 'alerts:write', 'audit:read'],
  compliance_officer: [...READ, 'payloads:read', 'audit:read', 'audit:verify', 'audit:export', 'documents:erase', 'documents:hold'],
  operator: [...READ, 'alerts:write', 'retention:run'],
  viewer: READ,
};

/** An ingest API key is not a person and has no role: it writes its tenant's events and
 * reads what its tenant's pipeline must run (so a pipeline needs one credential, not a
 * user token, to obey the registry). */
export const INGEST_KEY_PERMISSIONS: readonly Permission[] = ['session:read', 'events:write', 'pipeline:config'];

export function isRole(r: unknown): r is Role {
  return typeof r === 'string' && (ROLES as readonly string[]).includes(r);
}

export function isPermission(p: unknown): p is Permission {
  return typeof p === 'string' && Object.hasOwn(PERMISSIONS, p);
}

export function permissionsOf(role: Role): readonly Permission[] {
  return ROLE_PERMISSIONS[role];
}

/** May a role see decrypted trace payloads? (viewer and operator: no.) */
export function canSeePayloads(role: Role): boolean {
  return ROLE_PERMISSIONS[role].includes('payloads:read');
}

/** The matrix as a Markdown table, for the README (`npm run frostbyte -- permissions`). */
export function permissionTableMarkdown(): string {
  const cols = [...ROLES, 'ingest key'];
  const head = `| permission | what it allows | ${cols.join(' | ')} |\n|---|---|${cols.map(() => ':-:').join('|')}|\n`;
  const rows = (Object.keys(PERMISSIONS) as Permission[]).map((p) => {
    const marks = [...ROLES.map((r) => ROLE_PERMISSIONS[r].includes(p)), INGEST_KEY_PERMISSIONS.includes(p)];
    return `| \`${p}\` | ${PERMISSIONS[p]} | ${marks.map((m) => (m ? '✓' : '')).join(' | ')} |`;
  });
  return `${head}${rows.join('\n')}\n`;
}
