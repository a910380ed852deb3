import { createHash, randomBytes } from 'node:crypto';
import { newId } from '@frostbyte/contracts';
import type { SqlClient } from '../storage/sql-client.ts';
import { scoped } from '../storage/scoped.ts';
import { badRequest, conflict, HttpError } from '../kernel/errors.ts';
import type { TenantScope } from '../kernel/tenant-scope.ts';
import { isRole, type Role } from './permissions.ts';
import { isoOrNull } from '../storage/sql-values.ts';

/** Ingest keys are recognisable on sight (and by secret scanners): `fmo_ik_` + 32 random bytes. */
export const INGEST_KEY_PREFIX = 'fmo_ik_';
const KEY_RE = /^fmo_ik_[A-Za-z0-9_-]{43}$/;
export const TENANT_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export interface User {
  id: string;
  name: string;
  role: Role;
  /** Tenant slugs, or '*' for all. */
  tenants: TenantScope;
  created_at: string;
  disabled_at: string | null;
}

export interface ApiKeyInfo {
  id: string;
  tenant_id: string;
  name: string;
  prefix: string;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

function toUser(r: Record<string, unknown>): User {
  const tenants = r.tenants as string[];
  return {
    id: r.id as string,
    name: r.name as string,
    role: r.role as Role,
    tenants: tenants.includes('*') ? '*' : tenants,
    created_at: isoOrNull(r.created_at) as string,
    disabled_at: isoOrNull(r.disabled_at),
  };
}

function toKey(r: Record<string, unknown>): ApiKeyInfo {
  return {
    id: r.id as string,
    tenant_id: r.tenant_id as string,
    name: r.name as string,
    prefix: r.prefix as string,
    created_by: r.created_by as string,
    created_at: isoOrNull(r.created_at) as string,
    revoked_at: isoOrNull(r.revoked_at),
  };
}

/** Parses `a,b` / `*` into a scope, refusing anything that is not a tenant slug. */
export function parseTenants(input: string | readonly string[]): TenantScope {
  const list = (typeof input === 'string' ? input.split(',') : [...input]).map((t) => t.trim()).filter(Boolean);
  if (list.includes('*')) return '*';
  if (list.length === 0) throw badRequest('tenants: give at least one tenant id, or * for all');
  for (const t of list)
    if (!TENANT_RE.test(t))
      throw badRequest(`tenant '${t.slice(0, 64)}' is not a tenant id (lowercase letters, digits, - and _)`);
  return [...new Set(list)];
}

/**
 * Users and ingest API keys (migrations/0004). The plain key exists only in the
 * return value of `createKey`; the table holds its SHA-256, so a database dump
 * authenticates nobody. Queries run as the application role under RLS, scope '*'
 * (this is the system looking up a credential, not a tenant reading data).
 */
export class IdentityRepository {
  constructor(private readonly db: SqlClient) {}

  async createUser(u: { name: string; role: string; tenants: string | readonly string[]; createdBy: string }): Promise<User> {
    if (!isRole(u.role))
      throw badRequest(`role must be one of admin, ml_engineer, compliance_officer, operator, viewer; got '${String(u.role).slice(0, 40)}'`,
      );
    if (!/^[\w .@-]{1,64}$/u.test(u.name)) throw badRequest('name: 1–64 letters, digits, space, . @ _ -');
    const tenants = parseTenants(u.tenants);
    try {
      const { rows } = await scoped(this.db, '*', (db) =>
        db.query(
          `INSERT INTO users (id, name, role, tenants, created_by) VALUES ($1, $2, $3, $4, $5)
           RETURNING id, name, role, tenants, created_at, disabled_at`,
          [newId(), u.name, u.role, tenants === '*' ? ['*'] : tenants, u.createdBy],
        ),
      );
      return toUser(rows[0] as Record<string, unknown>);
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw conflict(`a user named '${u.name}' exists`);
      throw e;
    }
  }

  /** The user by id, or by name (the CLI takes either). */
  async user(idOrName: string): Promise<User | null> {
    const byId = /^[0-9a-f-]{36}$/i.test(idOrName);
    const { rows } = await scoped(this.db, '*', (db) =>
      db.query(`SELECT id, name, role, tenants, created_at, disabled_at FROM users WHERE ${byId ? 'id = $1::uuid' : 'name = $1'}`, [
        idOrName,
      ]),
    );
    return rows[0] ? toUser(rows[0]) : null;
  }

  /** Disables a user (by id or name): its tokens stop working at the next request that
   * is not served from a credential cache. Idempotent; null when there is no such user. */
  async disableUser(idOrName: string): Promise<User | null> {
    const byId = /^[0-9a-f-]{36}$/i.test(idOrName);
    const { rows } = await scoped(this.db, '*', (db) =>
      db.query(
        `UPDATE users SET disabled_at = coalesce(disabled_at, now()) WHERE ${byId ? 'id = $1::uuid' : 'name = $1'}
         RETURNING id, name, role, tenants, created_at, disabled_at`,
        [idOrName],
      ),
    );
    return rows[0] ? toUser(rows[0]) : null;
  }

  async users(): Promise<User[]> {
    const { rows } = await scoped(this.db, '*', (db) =>
      db.query('SELECT id, name, role, tenants, created_at, disabled_at FROM users ORDER BY name'),
    );
    return rows.map(toUser);
  }

  /** The built-in administrator that the one-time login link signs in as. */
  async ensureLocalAdmin(): Promise<User> {
    const existing = await this.user('local-admin');
    if (existing) return existing;
    try {
      return await this.createUser({ name: 'local-admin', role: 'admin', tenants: '*', createdBy: 'system' });
    } catch (e) {
      if (e instanceof HttpError && e.statusCode === 409) return (await this.user('local-admin')) as User;
      throw e;
    }
  }

  async createKey(k: { tenant: string; name?: string; createdBy: string }): Promise<{ key: string; info: ApiKeyInfo }> {
    if (!TENANT_RE.test(k.tenant))
      throw badRequest(`tenant '${k.tenant.slice(0, 64)}' is not a tenant id (lowercase letters, digits, - and _)`);
    const key = `${INGEST_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const { rows } = await scoped(this.db, '*', (db) =>
      db.query(
        `INSERT INTO api_keys (id, tenant_id, name, prefix, key_hash, created_by) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id, tenant_id, name, prefix, created_by, created_at, revoked_at`,
        [newId(), k.tenant, k.name ?? `ingest ${k.tenant}`, key.slice(0, 12), sha256(key), k.createdBy],
      ),
    );
    return { key, info: toKey(rows[0] as Record<string, unknown>) };
  }

  /** The key with this id (revoked or not), or null. */
  async key(id: string): Promise<ApiKeyInfo | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw badRequest('key id must be the uuid printed by `keys create`');
    const { rows } = await scoped(this.db, '*', (db) =>
      db.query('SELECT id, tenant_id, name, prefix, created_by, created_at, revoked_at FROM api_keys WHERE id = $1', [id]),
    );
    return rows[0] ? toKey(rows[0]) : null;
  }

  /** Revokes a key; returns it, or null when no such key exists. */
  async revokeKey(id: string): Promise<ApiKeyInfo | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw badRequest('key id must be the uuid printed by `keys create`');
    const { rows } = await scoped(this.db, '*', (db) =>
      db.query(
        `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1
         RETURNING id, tenant_id, name, prefix, created_by, created_at, revoked_at`,
        [id],
      ),
    );
    return rows[0] ? toKey(rows[0]) : null;
  }

  async keys(scope: TenantScope): Promise<ApiKeyInfo[]> {
    const { rows } = await scoped(this.db, scope, (db) =>
      db.query('SELECT id, tenant_id, name, prefix, created_by, created_at, revoked_at FROM api_keys ORDER BY tenant_id, created_at'),
    );
    return rows.map(toKey);
  }

  /** The live key with this secret, or null (unknown or revoked). */
  async keyBySecret(secret: string): Promise<ApiKeyInfo | null> {
    if (!KEY_RE.test(secret)) return null;
    const { rows } = await scoped(this.db, '*', (db) =>
      db.query(
        'SELECT id, tenant_id, name, prefix, created_by, created_at, revoked_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
        [sha256(secret)],
      ),
    );
    return rows[0] ? toKey(rows[0]) : null;
  }
}
