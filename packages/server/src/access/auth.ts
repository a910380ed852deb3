import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { readOrCreateSecretFile } from '../crypto/secret-file.ts';
import type { Actor } from '../kernel/actor.ts';
import { badRequest, HttpError, unauthorized } from '../kernel/errors.ts';
import type { TenantScope } from '../kernel/tenant-scope.ts';
import type { ApiKeyInfo, IdentityRepository, User } from './identity.ts';
import { canSeePayloads, INGEST_KEY_PERMISSIONS, isRole, type Permission, permissionsOf, type Role } from './permissions.ts';

/** Who is asking, and what they may see. Set once per request by the auth plugin;
 * handlers read it, never the raw headers. */
export interface RequestContext {
  principal: Actor;
  /** An ingest key has no role of its own; it reports 'viewer' here but holds only `permissions`. */
  role: Role;
  permissions: readonly Permission[];
  /** Tenants readable by this request. */
  scope: TenantScope;
  /** The tenant an ingest key writes as (null: the events name their tenant). */
  tenant: string | null;
  /** May this request see decision-trace payloads (inputs, outputs, rationale)? */
  canSeePayloads: boolean;
  /** When the credential expires (ms since the epoch; user tokens only). */
  expiresAt?: number;
}

/** The server acting on its own behalf (writer, schedules, CLI without a server). */
export const SYSTEM_CONTEXT: RequestContext = {
  principal: { kind: 'system', id: 'system', name: 'system' },
  role: 'admin',
  permissions: permissionsOf('admin'),
  scope: '*',
  tenant: null,
  canSeePayloads: true,
};

/** Longer than any token this server issues (a JWT with 100 tenants is ~3 KB). */
export const MAX_TOKEN_CHARS = 8192;
const ISSUER = 'frostbyte-observatory';
const AUDIENCE = 'fmo';
/** Credentials looked up in the database are cached this long; local revocations clear
 * the cache at once, another process's within this window. */
const CACHE_MS = 5000;

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/**
 * Turns a bearer token into a RequestContext. Three kinds of credential:
 * - `fmo_ik_…` ingest API keys (one tenant, `events:write` only), looked up by hash;
 * - user tokens: HS256 JWTs (sub, role, tenants, exp), whose user must still exist and
 *   not be disabled, and whose role and tenants are re-read from the user row, so a
 *   demotion takes effect without waiting for expiry;
 * - admin tokens: FMO_ADMIN_TOKEN, and the per-process token the server writes 0600
 *   into the data dir for the CLI.
 * Every failure is an HttpError (400 malformed / 401 otherwise), never a 500.
 */
export class Authenticator {
  private readonly cache = new Map<string, { ctx: RequestContext; until: number }>();
  private readonly adminTokens: string[];
  private readonly loginCodes = new Map<string, number>();
  private readonly invalidated = new Set<() => void>();

  private constructor(
    private readonly identity: IdentityRepository,
    private readonly secret: Uint8Array,
    adminTokens: (string | null)[],
    private readonly ttlS: number,
  ) {
    this.adminTokens = adminTokens.filter((t): t is string => !!t);
  }

  /** The JWT secret: FMO_JWT_SECRET or a 0600 file `jwt.secret` in the data dir. */
  static async create(opts: {
    identity: IdentityRepository;
    jwtSecret: string | null;
    dataDir: string;
    adminTokens: (string | null)[];
    ttlS: number;
  }): Promise<Authenticator> {
    let secret: Uint8Array;
    if (opts.jwtSecret) {
      if (opts.jwtSecret.length < 32) throw new Error('FMO_JWT_SECRET must be at least 32 characters');
      secret = new TextEncoder().encode(opts.jwtSecret);
    } else {
      const file = await readOrCreateSecretFile(path.join(opts.dataDir, 'jwt.secret'), () =>
        Buffer.from(randomBytes(32).toString('base64url')),
      );
      secret = new Uint8Array(file.data);
    }
    return new Authenticator(opts.identity, secret, opts.adminTokens, opts.ttlS);
  }

  /** A bearer token's context. Throws HttpError 400/401. */
  async authenticate(token: string): Promise<RequestContext> {
    if (token.length > MAX_TOKEN_CHARS) throw badRequest(`token is longer than ${MAX_TOKEN_CHARS} characters`);
    if (!/^[\x21-\x7e]+$/.test(token)) throw unauthorized('token is malformed');
    for (const t of this.adminTokens) if (sameSecret(t, token)) return adminContext('admin_token', 'admin-token', 'admin token');
    const cached = this.cache.get(token);
    if (cached && cached.until > Date.now()) return cached.ctx;
    return this.lookUp(token);
  }

  /**
   * The credential behind `ctx` re-read from the database now, never from the cache:
   * what open live sessions re-check with, so a disable or revocation made by another
   * process ends them within the re-check period rather than the cache's. Re-derived
   * from the principal (user or key id), so no session has to keep its token. Throws
   * HttpError 401 for a credential that is no longer valid (user gone or disabled, key
   * revoked, token expired); other errors (the database unreachable) are the caller's
   * to weigh.
   */
  async recheck(ctx: RequestContext): Promise<RequestContext> {
    if (ctx.expiresAt !== undefined && ctx.expiresAt <= Date.now()) throw unauthorized('token expired; get a new one');
    const { kind, id } = ctx.principal;
    if (kind === 'user') {
      const user = await this.identity.user(id);
      if (!user || user.disabled_at) throw unauthorized('the user of this token no longer exists or is disabled');
      return { ...userContext(user), expiresAt: ctx.expiresAt };
    }
    if (kind === 'api_key') {
      const key = await this.identity.key(id);
      if (!key || key.revoked_at) throw unauthorized('API key is unknown or revoked');
      return keyContext(key);
    }
    return ctx; // admin tokens live in the configuration, not the database
  }

  private async lookUp(token: string): Promise<RequestContext> {
    const ctx = token.startsWith('fmo_ik_') ? await this.fromKey(token) : await this.fromJwt(token);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(token, { ctx, until: Date.now() + CACHE_MS });
    return ctx;
  }

  /** Forget cached credentials (after a revocation or a user change in this process),
   * and tell the listeners (open live sessions re-check their credentials at once). */
  invalidate() {
    this.cache.clear();
    for (const l of this.invalidated) l();
  }

  /** Forget cached credentials without telling anyone: another process announced a
   * change, so this cache may hold a credential that is no longer valid. */
  forget() {
    this.cache.clear();
  }

  /** Called on every `invalidate()`; returns the unsubscribe. */
  onInvalidate(listener: () => void): () => void {
    this.invalidated.add(listener);
    return () => this.invalidated.delete(listener);
  }

  async issueUserToken(user: User, ttlS = this.ttlS): Promise<{ token: string; expires_at: string }> {
    const exp = Math.floor(Date.now() / 1000) + ttlS;
    const token = await new SignJWT({ role: user.role, tenants: user.tenants === '*' ? ['*'] : [...user.tenants], name: user.name })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setJti(randomBytes(12).toString('base64url'))
      .setExpirationTime(exp)
      .sign(this.secret);
    return { token, expires_at: new Date(exp * 1000).toISOString() };
  }

  /** A one-time login code (embedded mode's start-up link): single use, 15 minutes. */
  createLoginCode(ttlMs = 15 * 60_000): string {
    const code = randomBytes(24).toString('base64url');
    this.loginCodes.set(digest(code).toString('hex'), Date.now() + ttlMs);
    return code;
  }

  /** Spends a login code: a token for the local administrator, or HttpError 401. */
  async exchangeLoginCode(code: string): Promise<{ token: string; expires_at: string; user: User }> {
    const key = digest(code).toString('hex');
    const until = this.loginCodes.get(key);
    this.loginCodes.delete(key); // single use, even when expired
    if (until === undefined || until < Date.now())
      throw unauthorized('login code is unknown, used or expired; restart the server for a new link, or use `frostbyte token`');
    const user = await this.identity.ensureLocalAdmin();
    return { ...(await this.issueUserToken(user)), user };
  }

  private async fromKey(secret: string): Promise<RequestContext> {
    const key = await this.identity.keyBySecret(secret);
    if (!key) throw unauthorized('API key is unknown or revoked');
    return keyContext(key);
  }

  private async fromJwt(token: string): Promise<RequestContext> {
    let sub: string;
    let exp: number;
    try {
      const { payload } = await jwtVerify(token, this.secret, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['sub', 'exp'],
      });
      sub = payload.sub as string;
      exp = (payload.exp as number) * 1000;
      if (!isRole(payload.role) || !Array.isArray(payload.tenants)) throw unauthorized('token lacks role or tenants');
    } catch (e) {
      if (e instanceof HttpError) throw e;
      if (e instanceof joseErrors.JWTExpired) throw unauthorized('token expired; get a new one');
      if (e instanceof joseErrors.JOSEError) throw unauthorized('token is not valid');
      throw unauthorized('token is malformed');
    }
    const user = /^[0-9a-f-]{36}$/i.test(sub) ? await this.identity.user(sub) : null;
    if (!user || user.disabled_at) throw unauthorized('the user of this token no longer exists or is disabled');
    return { ...userContext(user), expiresAt: exp };
  }
}

/** A user's context: role and tenants from the user row, not from the token. */
function userContext(user: User): RequestContext {
  return {
    principal: { kind: 'user', id: user.id, name: user.name },
    role: user.role,
    permissions: permissionsOf(user.role),
    scope: user.tenants,
    tenant: null,
    canSeePayloads: canSeePayloads(user.role),
  };
}

function keyContext(key: ApiKeyInfo): RequestContext {
  return {
    principal: { kind: 'api_key', id: key.id, name: key.name },
    role: 'viewer',
    permissions: INGEST_KEY_PERMISSIONS,
    scope: [key.tenant_id],
    tenant: key.tenant_id,
    canSeePayloads: false,
  };
}

function adminContext(kind: RequestContext['principal']['kind'], id: string, name: string): RequestContext {
  return { ...SYSTEM_CONTEXT, principal: { kind, id, name } };
}

/** How an audit entry names who acted: `user:<name>`, `api_key:<id>`, `automation:<id>`. */
export const actorOf = (ctx: RequestContext): string =>
  ctx.principal.kind === 'user' ? `user:${ctx.principal.name}` : `${ctx.principal.kind}:${ctx.principal.id}`;
