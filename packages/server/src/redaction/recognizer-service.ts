import { createHash } from 'node:crypto';
import { newId } from '@frostbyte/contracts';
import { compileRules, NO_RULES, RecognizerError, type RecognizerSpec, type RedactionRules, validateRecognizer } from '@frostbyte/redact';
import type { FastifyBaseLogger } from 'fastify';
import type { Actor } from '../kernel/actor.ts';
import { badRequest, conflict, forbidden, notFound } from '../kernel/errors.ts';
import { inScope, type TenantScope } from '../kernel/tenant-scope.ts';
import type { RegistryChange } from '../registry/audit-hook.ts';
import type { ScopedRunner } from '../storage/scoped.ts';
import { iso } from '../storage/sql-builder.ts';

/**
 * Users' redaction rules (migrations/0024): recognizers and allow-list terms, per
 * tenant or deployment-wide (tenant null).
 *
 * Stage by stage: a change is validated by @frostbyte/redact's compileRules (a bad
 * pattern is a 400 naming the field), stored in the caller's scope (row-level
 * security is the second wall), audited (`recognizer.create`, `recognizer.delete`,
 * `redaction.allow.create`, `redaction.allow.delete`), then the in-memory rules are
 * reloaded. Ingest asks `rulesFor(tenant)` synchronously on every event, so the
 * compiled rules are cached per tenant; other processes see a change at their next
 * reload (every few seconds, see compose/server.ts).
 */

export interface RecognizerRow extends RecognizerSpec {
  id: string;
  tenant_id: string | null;
  created_at: string;
  created_by: string;
}
export interface AllowRow {
  id: string;
  tenant_id: string | null;
  term: string;
  created_at: string;
  created_by: string;
}
/** What the SDK fetches: the rules that apply to one tenant. */
export interface RedactionConfig {
  tenant: string | null;
  revision: string;
  recognizers: RecognizerSpec[];
  allow: string[];
}

type Audit = (actor: Actor, change: RegistryChange) => Promise<void>;

const specOf = (r: RecognizerRow): RecognizerSpec => {
  const { id: _i, tenant_id: _t, created_at: _c, created_by: _b, ...spec } = r;
  return spec;
};

export class RecognizerService {
  #recognizers: RecognizerRow[] = [];
  #allow: AllowRow[] = [];
  readonly #compiled = new Map<string, RedactionRules>();

  constructor(
    private readonly run: ScopedRunner,
    private readonly audit: Audit,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Reads every rule (as '*') and drops the compiled cache. */
  async load(): Promise<void> {
    const [rec, allow] = await this.run('*', async (db) => [
      await db.query('SELECT id, tenant_id, spec, created_at, created_by FROM redaction_recognizers ORDER BY created_at, id'),
      await db.query('SELECT id, tenant_id, term, created_at, created_by FROM redaction_allow ORDER BY created_at, id'),
    ]);
    this.#recognizers = rec.rows.map((r) => ({
      ...(r.spec as RecognizerSpec),
      id: r.id as string,
      tenant_id: (r.tenant_id as string | null) ?? null,
      created_at: iso(r.created_at),
      created_by: r.created_by as string,
    }));
    this.#allow = allow.rows.map((r) => ({
      id: r.id as string,
      tenant_id: (r.tenant_id as string | null) ?? null,
      term: r.term as string,
      created_at: iso(r.created_at),
      created_by: r.created_by as string,
    }));
    this.#compiled.clear();
  }

  /** The compiled rules for one tenant's ingest (deployment-wide + the tenant's). */
  rulesFor = (tenant: string): RedactionRules => {
    let rules = this.#compiled.get(tenant);
    if (rules !== undefined) return rules;
    const c = this.configFor(tenant);
    if (c.recognizers.length === 0 && c.allow.length === 0) rules = NO_RULES;
    else {
      try {
        rules = compileRules({ recognizers: c.recognizers, allow: c.allow });
      } catch (err) {
        // Stored rules were validated on the way in; a library upgrade that refuses
        // one must not stop ingest. The built-in detectors still run.
        this.log.error({ err, tenant }, 'redaction: stored rules do not compile; using the built-in detectors only');
        rules = NO_RULES;
      }
    }
    this.#compiled.set(tenant, rules);
    return rules;
  };

  configFor(tenant: string | null): RedactionConfig {
    const applies = (t: string | null) => t === null || t === tenant;
    const recognizers = this.#recognizers.filter((r) => applies(r.tenant_id)).map(specOf);
    const allow = this.#allow.filter((a) => applies(a.tenant_id)).map((a) => a.term);
    const revision = createHash('sha256')
      .update(JSON.stringify([recognizers, allow]))
      .digest('base64url')
      .slice(0, 16);
    return { tenant, revision, recognizers, allow };
  }

  /** The rows the caller's scope may see (its tenants' and the deployment-wide ones). */
  async list(scope: TenantScope, tenant: string | null): Promise<{ recognizers: RecognizerRow[]; allow: AllowRow[] }> {
    if (tenant !== null && !inScope(scope, tenant)) throw forbidden('no access to that tenant');
    const [rec, allow] = await this.run(scope, async (db) => [
      await db.query('SELECT id, tenant_id, spec, created_at, created_by FROM redaction_recognizers ORDER BY created_at, id'),
      await db.query('SELECT id, tenant_id, term, created_at, created_by FROM redaction_allow ORDER BY created_at, id'),
    ]);
    const keep = (t: unknown) => tenant === null || t === null || t === tenant;
    return {
      recognizers: rec.rows
        .filter((r) => keep(r.tenant_id))
        .map((r) => ({
          ...(r.spec as RecognizerSpec),
          id: r.id as string,
          tenant_id: (r.tenant_id as string | null) ?? null,
          created_at: iso(r.created_at),
          created_by: r.created_by as string,
        })),
      allow: allow.rows
        .filter((r) => keep(r.tenant_id))
        .map((r) => ({
          id: r.id as string,
          tenant_id: (r.tenant_id as string | null) ?? null,
          term: r.term as string,
          created_at: iso(r.created_at),
          created_by: r.created_by as string,
        })),
    };
  }

  async createRecognizer(actor: Actor, scope: TenantScope, tenant: string | null, spec: RecognizerSpec): Promise<RecognizerRow> {
    this.mayWrite(scope, tenant);
    try {
      validateRecognizer(spec);
    } catch (e) {
      if (e instanceof RecognizerError) throw badRequest(`${e.field}: ${e.message}`.replace(/^recognizer\./, 'body/'));
      throw e;
    }
    const id = newId();
    const by = actor.name || `${actor.kind}:${actor.id}`;
    const clean: RecognizerSpec = {
      name: spec.name,
      pattern: spec.pattern,
      entity: spec.entity ?? 'CUSTOM',
      context: spec.context ?? [],
      context_window: spec.context_window ?? 40,
      checksum: spec.checksum ?? 'none',
      case_insensitive: spec.case_insensitive ?? false,
    };
    const inserted = await this.run(scope, (db) =>
      db.query(
        `INSERT INTO redaction_recognizers (id, tenant_id, name, spec, created_by) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING RETURNING created_at`,
        [id, tenant, clean.name, JSON.stringify(clean), by],
      ),
    );
    const row = inserted.rows[0];
    if (row === undefined)
      throw conflict(
        `a recognizer named ${JSON.stringify(clean.name)} already exists ${tenant === null ? 'deployment-wide' : `for ${tenant}`}`,
      );
    await this.audit(actor, {
      action: 'recognizer.create',
      target: `recognizer:${id}`,
      details: { ...clean },
      tenants: tenant === null ? null : [tenant],
    });
    await this.load();
    return { ...clean, id, tenant_id: tenant, created_at: iso(row.created_at), created_by: by };
  }

  async createAllow(actor: Actor, scope: TenantScope, tenant: string | null, term: string): Promise<AllowRow> {
    this.mayWrite(scope, tenant);
    const clean = term.trim();
    if (clean.length === 0 || clean.length > 200) throw badRequest('body/term: an allow-list term is 1-200 characters');
    const id = newId();
    const by = actor.name || `${actor.kind}:${actor.id}`;
    const inserted = await this.run(scope, (db) =>
      db.query(
        'INSERT INTO redaction_allow (id, tenant_id, term, created_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING created_at',
        [id, tenant, clean, by],
      ),
    );
    const row = inserted.rows[0];
    if (row === undefined)
      throw conflict(`${JSON.stringify(clean)} is already allow-listed ${tenant === null ? 'deployment-wide' : `for ${tenant}`}`);
    // The term itself is what a compliance officer must be able to review.
    await this.audit(actor, {
      action: 'redaction.allow.create',
      target: `allow:${id}`,
      details: { term: clean },
      tenants: tenant === null ? null : [tenant],
    });
    await this.load();
    return { id, tenant_id: tenant, term: clean, created_at: iso(row.created_at), created_by: by };
  }

  async remove(actor: Actor, scope: TenantScope, kind: 'recognizer' | 'allow', id: string): Promise<void> {
    const table = kind === 'recognizer' ? 'redaction_recognizers' : 'redaction_allow';
    // RLS decides which rows this scope may delete (a tenant scope: only its tenants').
    const { rows } = await this.run(scope, (db) => db.query(`DELETE FROM ${table} WHERE id = $1 RETURNING tenant_id`, [id]));
    const row = rows[0];
    if (row === undefined) throw notFound(`no ${kind === 'recognizer' ? 'recognizer' : 'allow-list term'} ${id} in your scope`);
    const tenant = (row.tenant_id as string | null) ?? null;
    await this.audit(actor, {
      action: kind === 'recognizer' ? 'recognizer.delete' : 'redaction.allow.delete',
      target: `${kind}:${id}`,
      details: {},
      tenants: tenant === null ? null : [tenant],
    });
    await this.load();
  }

  private mayWrite(scope: TenantScope, tenant: string | null): void {
    if (tenant === null && scope !== '*') throw forbidden('deployment-wide rules need access to every tenant; name tenant_id');
    if (tenant !== null && !inScope(scope, tenant)) throw forbidden('no access to that tenant');
  }
}
