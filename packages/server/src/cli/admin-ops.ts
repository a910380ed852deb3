import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuditVerifyReport } from '@frostbyte/contracts';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { actorOf, type RequestContext, SYSTEM_CONTEXT } from '../access/auth.ts';
import { TENANT_RE } from '../access/identity.ts';
import { buildBundle } from '../audit/bundle.ts';
import { composeAdmin } from '../compose/core.ts';
import { loadConfig } from '../config.ts';
import { DocumentService } from '../documents/document-service.ts';
import { CLI_FILE } from '../plugins/context.ts';
import { directRecognizers, httpRecognizers, type RecognizerOp } from './recognizer-commands.ts';

/**
 * What the CLI does, whichever way it reaches the data: a running server's admin API
 * (`http`), or the same services the server runs, over the database itself (`direct`).
 * One method per operation, so a command is written once.
 */
export interface AdminOps {
  readonly where: string;
  createKey(tenant: string, name?: string): Promise<{ key: string; id: string; tenant_id: string }>;
  revokeKey(id: string): Promise<unknown>;
  rotateKey(tenant: string): Promise<unknown>;
  eraseTenant(tenant: string): Promise<unknown>;
  createUser(u: { name: string; role: string; tenants: string[] }): Promise<unknown>;
  listUsers(): Promise<unknown>;
  disableUser(idOrName: string): Promise<unknown>;
  issueToken(idOrName: string, ttlS?: number): Promise<{ token: string }>;
  runRetention(): Promise<unknown>;
  /** `events`: rehash the stored events against their batch roots too. */
  verifyAudit(tenant: string | undefined, opts: { events: boolean }): Promise<AuditVerifyReport>;
  exportAudit(tenant?: string): Promise<unknown>;
  /** The offline audit bundle of one tenant (audit/bundle.ts). */
  exportBundle(tenant: string): Promise<unknown>;
  documentErase(tenant: string, document: string): Promise<unknown>;
  documentHold(tenant: string, document: string, reason: string): Promise<unknown>;
  documentRelease(tenant: string, document: string): Promise<unknown>;
  documentStatus(tenant: string, document: string): Promise<unknown>;
  /** `recognizers …` (recognizer-commands.ts). */
  recognizers(op: RecognizerOp): Promise<unknown>;
  close(): Promise<void>;
}

export type { AuditVerifyReport } from '@frostbyte/contracts';

/** A running server's admin API. */
export function httpOps(url: string, token: string): AdminOps {
  const call = async <T>(method: 'GET' | 'POST' | 'DELETE', p: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const out = (await res.json().catch(() => ({}))) as { message?: string };
    if (!res.ok) throw new Error(`${res.status}: ${out.message ?? res.statusText}`);
    return out as T;
  };
  const enc = encodeURIComponent;
  const tenantQuery = (t?: string) => (t ? `?tenant_id=${enc(t)}` : '');
  return {
    where: url,
    createKey: (tenant, name) => call('POST', '/v1/admin/keys', { tenant, ...(name ? { name } : {}) }),
    revokeKey: (id) => call('POST', `/v1/admin/keys/${enc(id)}/revoke`),
    rotateKey: (tenant) => call('POST', `/v1/admin/tenants/${enc(tenant)}/rotate-key`),
    eraseTenant: (tenant) => call('POST', `/v1/admin/tenants/${enc(tenant)}/erase`),
    createUser: (u) => call('POST', '/v1/admin/users', u),
    listUsers: () => call('GET', '/v1/admin/users'),
    disableUser: (u) => call('POST', `/v1/admin/users/${enc(u)}/disable`),
    issueToken: (u, ttlS) => call('POST', `/v1/admin/users/${enc(u)}/token`, ttlS === undefined ? {} : { ttl_s: ttlS }),
    runRetention: () => call('POST', '/v1/admin/retention/run', {}),
    verifyAudit: (t, o) => call('GET', `/v1/audit/verify?${new URLSearchParams({ ...(t ? { tenant_id: t } : {}), events: String(o.events) })}`),
    exportAudit: (t) => call('GET', `/v1/audit/export${tenantQuery(t)}`),
    exportBundle: (t) => call('GET', `/v1/audit/bundle${tenantQuery(t)}`),
    documentErase: (t, d) => call('POST', `/v1/documents/${enc(d)}/erase`, { tenant_id: t, confirm: true }),
    documentHold: (t, d, reason) => call('POST', `/v1/documents/${enc(d)}/hold`, { tenant_id: t, reason }),
    documentRelease: (t, d) => call('POST', `/v1/documents/${enc(d)}/release`, { tenant_id: t }),
    documentStatus: (t, d) => call('GET', `/v1/documents/${enc(d)}${tenantQuery(t)}`),
    recognizers: httpRecognizers(call),
    close: async () => {},
  };
}

/** The database itself, through the services the server uses (and the same auditing),
 * acting as the system on behalf of this OS user. */
export async function directOps(config: ReturnType<typeof loadConfig>, env: NodeJS.ProcessEnv): Promise<AdminOps> {
  // The CLI prints its own messages; the services' errors (a chain that does not verify) go to stderr.
  const log = pino({ level: 'error' }, pino.destination(2)) as unknown as FastifyBaseLogger;
  const s = await composeAdmin({ config, log, env, adminTokens: [] });
  const docs = new DocumentService(s.db, s.audit);
  const who = os.userInfo().username;
  const ctx: RequestContext = { ...SYSTEM_CONTEXT, principal: { kind: 'system', id: `cli:${who}`, name: `cli:${who}` } };
  return {
    where: config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded data dir ${config.dataDir}`,
    createKey: (tenant, name) => s.admin.createKey(ctx, tenant, name),
    revokeKey: (id) => s.admin.revokeKey(ctx, id),
    rotateKey: (tenant) => s.admin.rotateKey(ctx, tenant),
    eraseTenant: (tenant) => s.admin.eraseTenant(ctx, tenant),
    createUser: (u) => s.admin.createUser(ctx, u),
    listUsers: async () => ({ users: await s.admin.listUsers(ctx) }),
    disableUser: (u) => s.admin.disableUser(ctx, u),
    issueToken: (u, ttlS) => s.admin.issueToken(ctx, u, ttlS),
    runRetention: () => s.admin.runRetention(ctx),
    verifyAudit: (t, o) => s.admin.verifyAudit(ctx, t, o),
    exportAudit: (t) => s.admin.exportAudit(ctx, t),
    async exportBundle(t) {
      if (!TENANT_RE.test(t)) throw new UsageError(`'${t.slice(0, 64)}' is not a tenant id`);
      await s.audit.record({ tenant: t, actor: actorOf(ctx), action: 'audit.export', target: `audit:${t}`, details: { format: 'bundle' } });
      return buildBundle(s.db, s.audit, t);
    },
    documentErase: (t, d) => docs.erase(ctx, t, d),
    documentHold: (t, d, reason) => docs.hold(ctx, t, d, reason),
    documentRelease: (t, d) => docs.release(ctx, t, d),
    documentStatus: (t, d) => docs.status(ctx, t, d),
    recognizers: directRecognizers(s.db, s.audit, ctx, log),
    async close() {
      // Only what this command appended itself is signed here.
      await s.audit.checkpointAll().catch(() => undefined);
      await s.db.close();
    },
  };
}

/** A running embedded server announces itself (0600) in its data dir. */
async function runningServer(dataDir: string): Promise<{ url: string; token: string } | null> {
  const file = path.join(dataDir, CLI_FILE);
  let info: { url: string; token: string; pid: number };
  try {
    info = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  try {
    process.kill(info.pid, 0);
    const r = await fetch(`${info.url}/healthz`, { signal: AbortSignal.timeout(2000) });
    return r.ok ? info : null;
  } catch {
    return null;
  }
}

export class UsageError extends Error {}

/** --url (or FMO_URL) talks to that server; else a running embedded server found through
 * its data dir; else the database directly. */
export async function chooseOps(flags: { url?: string; token?: string }, env = process.env): Promise<AdminOps> {
  const config = loadConfig(env);
  const url = flags.url ?? env.FMO_URL;
  if (url) {
    const token = flags.token ?? env.FMO_TOKEN ?? env.FMO_ADMIN_TOKEN;
    if (!token) throw new UsageError('--url needs --token (or FMO_TOKEN / FMO_ADMIN_TOKEN)');
    return httpOps(url.replace(/\/$/, ''), token);
  }
  if (!config.databaseUrl) {
    // PGlite admits one process: while the server runs, go through it.
    const running = await runningServer(config.dataDir);
    if (running) return httpOps(running.url, running.token);
  }
  return directOps(config, env);
}
