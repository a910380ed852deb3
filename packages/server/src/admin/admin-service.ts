import type { AuditVerifyReport } from '@frostbyte/contracts';
import { type Authenticator, actorOf, type RequestContext } from '../access/auth.ts';
import { type IdentityRepository, parseTenants, TENANT_RE } from '../access/identity.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { TraceCrypto } from '../crypto/trace-crypto.ts';
import { badRequest, conflict, forbidden, notFound } from '../kernel/errors.ts';
import type { TenantScope } from '../kernel/tenant-scope.ts';
import type { Retention } from '../retention/retention.ts';

/** The actor name stored in audit rows: never a secret, never PII beyond a user name. */

const tenantOrThrow = (t: string) => {
  if (!TENANT_RE.test(t)) throw badRequest(`tenant '${t.slice(0, 64)}' is not a tenant id (lowercase letters, digits, - and _)`);
  return t;
};

/** Whether `caller` covers every tenant of `target` ('*' is covered only by '*'). */
export const covers = (caller: TenantScope, target: TenantScope) =>
  caller === '*' || (target !== '*' && target.every((t) => caller.includes(t)));

/** The tenants of `target` outside `caller` ('*' when the target is every tenant). */
const outside = (caller: TenantScope, target: TenantScope): string[] =>
  caller === '*' ? [] : target === '*' ? ['*'] : target.filter((t) => !caller.includes(t));

/** 403 unless the caller may act for `tenant` (a tenant the caller named itself, so
 * naming it back confirms nothing). */
function mustCover(ctx: RequestContext, tenant: string) {
  if (!covers(ctx.scope, [tenant])) throw forbidden(`no access to tenant ${tenant}: your credential covers ${scopeWords(ctx.scope)}`);
}

const scopeWords = (s: TenantScope) => (s === '*' ? 'every tenant' : `tenant(s) ${s.join(', ')}`);

/** Whole-installation actions (retention over every tenant) need a credential for every tenant. */
function mustCoverAll(ctx: RequestContext, what: string) {
  if (ctx.scope !== '*')
    throw forbidden(`${what} affects every tenant: it needs a credential for every tenant (yours covers ${scopeWords(ctx.scope)})`);
}

/**
 * Every administrative action, each one appended to the audit log after it took
 * effect. The admin routes and the CLI (when no server is running) both call this,
 * so an action is the same — and audited the same — whichever way it is made.
 *
 * Tenant scope (issue 12): every action checks the caller's tenants (`ctx.scope`)
 * against the tenants it affects, here and not only in the routes, so the CLI's
 * direct mode (SYSTEM_CONTEXT, scope '*') and the API apply one rule:
 * - an action on a tenant the caller names (create a key, rotate its data key, erase
 *   it, create a user for it) outside the caller's scope is a 403 naming the tenant(s);
 * - an object found by id or name (an API key, a user: revoke, disable, issue a token)
 *   that lies outside the caller's scope is a 404, word for word the one for an object
 *   that does not exist, so a tenant's administrator cannot probe another's ids;
 * - a user is inside the scope when all of its tenants are; a user with '*' (such as
 *   `local-admin`) is inside only a '*' scope. So a token is never issued with a wider
 *   scope than its issuer's, and users are listed only when inside the caller's scope;
 * - retention runs over every tenant: it needs a '*' credential (403 otherwise; it is
 *   not narrowed to the caller's tenants, since pruning and the signed epoch are per
 *   installation).
 */
export class AdminService {
  constructor(
    private readonly deps: {
      identity: IdentityRepository;
      auth: Authenticator;
      audit: AuditLog;
      crypto: TraceCrypto;
      retention: Retention;
    },
  ) {}

  async createKey(ctx: RequestContext, tenant: string, name?: string) {
    mustCover(ctx, tenantOrThrow(tenant));
    const { key, info } = await this.deps.identity.createKey({ tenant: tenantOrThrow(tenant), name, createdBy: actorOf(ctx) });
    await this.deps.audit.record({
      tenant,
      actor: actorOf(ctx),
      action: 'key.create',
      target: `api_key:${info.id}`,
      details: { prefix: info.prefix, name: info.name },
    });
    return { ...info, key };
  }

  async revokeKey(ctx: RequestContext, id: string) {
    const found = await this.deps.identity.key(id);
    if (!found || !covers(ctx.scope, [found.tenant_id])) throw notFound(`no API key ${id}`);
    const info = await this.deps.identity.revokeKey(id);
    if (!info) throw notFound(`no API key ${id}`);
    this.deps.auth.invalidate();
    await this.deps.audit.record({
      tenant: info.tenant_id,
      actor: actorOf(ctx),
      action: 'key.revoke',
      target: `api_key:${info.id}`,
      details: { prefix: info.prefix },
    });
    return info;
  }

  async rotateKey(ctx: RequestContext, tenant: string) {
    mustCover(ctx, tenantOrThrow(tenant));
    const version = await this.deps.crypto.rotate(tenantOrThrow(tenant));
    await this.deps.audit.record({ tenant, actor: actorOf(ctx), action: 'key.rotate', target: `data_key:${tenant}`, details: { version } });
    return { tenant_id: tenant, version };
  }

  /** A user's tenants must lie inside the creator's ('*' only by a '*' creator). */
  async createUser(ctx: RequestContext, u: { name: string; role: string; tenants: string | readonly string[] }) {
    const wanted = parseTenants(u.tenants);
    const beyond = outside(ctx.scope, wanted);
    if (beyond.length)
      throw forbidden(
        `no access to tenant(s) ${beyond.join(', ')}: you may only create users for tenants your credential covers (${scopeWords(ctx.scope)})`,
      );
    const user = await this.deps.identity.createUser({ ...u, createdBy: actorOf(ctx) });
    await this.deps.audit.record({
      actor: actorOf(ctx),
      action: 'user.create',
      target: `user:${user.id}`,
      details: { role: user.role, tenants: user.tenants === '*' ? ['*'] : [...user.tenants] },
    });
    return user;
  }

  /** A token carries its user's tenants, so only users inside the issuer's scope get one. */
  async issueToken(ctx: RequestContext, idOrName: string, ttlS?: number) {
    const user = await this.deps.identity.user(idOrName);
    if (!user || user.disabled_at || !covers(ctx.scope, user.tenants)) throw notFound(`no active user ${idOrName.slice(0, 64)}`);
    const t = await this.deps.auth.issueUserToken(user, ttlS);
    await this.deps.audit.record({
      actor: actorOf(ctx),
      action: 'token.issue',
      target: `user:${user.id}`,
      details: { expires_at: t.expires_at },
    });
    return { ...t, user: { id: user.id, name: user.name, role: user.role } };
  }

  /** Disables a user: every token it holds is refused from now on (this process at once,
   * others within their credential cache's 5 s). Not undone by design: create a new user. */
  async disableUser(ctx: RequestContext, idOrName: string) {
    const target = await this.deps.identity.user(idOrName);
    if (!target || !covers(ctx.scope, target.tenants)) throw notFound(`no user ${idOrName.slice(0, 64)}`);
    if (ctx.principal.kind === 'user' && ctx.principal.id === target.id)
      throw conflict('you cannot disable yourself; ask another administrator');
    const user = (await this.deps.identity.disableUser(target.id)) ?? target;
    this.deps.auth.invalidate();
    await this.deps.audit.record({
      actor: actorOf(ctx),
      action: 'user.disable',
      target: `user:${user.id}`,
      details: { name: user.name, role: user.role, already_disabled: target.disabled_at !== null },
    });
    return user;
  }

  /** Crypto-shredding: the tenant's data keys are destroyed; its traces stay as unreadable ciphertext. */
  async eraseTenant(ctx: RequestContext, tenant: string) {
    mustCover(ctx, tenantOrThrow(tenant));
    const destroyed = await this.deps.crypto.erase(tenantOrThrow(tenant));
    await this.deps.audit.record({
      tenant,
      actor: actorOf(ctx),
      action: 'tenant.erase',
      target: `tenant:${tenant}`,
      details: { destroyed_keys: destroyed },
    });
    return { tenant_id: tenant, destroyed_keys: destroyed };
  }

  async runRetention(ctx: RequestContext) {
    mustCoverAll(ctx, 'retention');
    return this.deps.retention.run(new Date(), actorOf(ctx));
  }

  async exportAudit(ctx: RequestContext, tenant?: string) {
    if (tenant) mustCover(ctx, tenant);
    const out = await this.deps.audit.export(ctx.scope, tenant);
    await this.deps.audit.record({
      tenant: tenant ?? null,
      actor: actorOf(ctx),
      action: 'audit.export',
      target: tenant ? `audit:${tenant}` : 'audit:*',
      details: { chains: out.chains.length },
    });
    return out;
  }

  /** Users inside the caller's scope (all of their tenants covered; '*' users only for
   * '*' callers), with their tenants as a list ('*' as ['*']), as the API shows them. */
  async listUsers(ctx: RequestContext) {
    return (await this.deps.identity.users()).filter((u) => covers(ctx.scope, u.tenants)).map(userOut);
  }

  /** Rehashes every chain the caller may read (or one tenant's) and checks the
   * checkpoint signatures: per tenant, ok with its counts or the first bad entry.
   * With `events`, an intact chain's stored events are rehashed against its batch
   * roots too, so a model_events row edited by hand is named. */
  async verifyAudit(ctx: RequestContext, tenant?: string, opts: { events?: boolean } = {}): Promise<AuditVerifyReport> {
    if (tenant) mustCover(ctx, tenant);
    const results = await this.deps.audit.verify(ctx.scope, tenant);
    const tenants: AuditVerifyReport['tenants'] = [];
    for (const { tenant_id, result: r } of results) {
      if (!r.ok) {
        tenants.push({ tenant_id, ok: false, first_bad: r.firstBad });
        continue;
      }
      const counts = { entries: r.entries, checkpoints: r.checkpoints, unattested: r.unattested };
      if (!opts.events) {
        tenants.push({ tenant_id, ok: true, ...counts });
        continue;
      }
      const e = await this.deps.audit.verifyEvents(ctx.scope, tenant_id);
      const events = { events_checked: e.events, batches_checked: e.batches, events_missing: e.missing };
      tenants.push(e.firstBad ? { tenant_id, ok: false, ...counts, ...events, first_bad: e.firstBad } : { tenant_id, ok: true, ...counts, ...events });
    }
    return { ok: tenants.every((x) => x.ok), tenants };
  }
}

export const userOut = <U extends { tenants: readonly string[] | '*' }>(u: U) => ({
  ...u,
  tenants: u.tenants === '*' ? ['*'] : [...u.tenants],
});
