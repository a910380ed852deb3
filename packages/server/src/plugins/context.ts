import fp from 'fastify-plugin';
import type { TenantScope } from '../storage/storage.ts';

export type Role = 'admin' | 'ml_engineer' | 'compliance_officer' | 'operator' | 'viewer';

/** Who is asking, and what they may see. Set once per request by the auth plugin;
 * handlers read it, never the raw headers. */
export interface RequestContext {
  principal: { kind: 'anonymous' | 'user' | 'api_key' | 'admin_token' | 'system'; id: string; name: string };
  role: Role;
  /** Tenants readable by this request. */
  scope: TenantScope;
  /** The tenant an ingest key writes as (null: the events name their tenant). */
  tenant: string | null;
  /** May this request see decision-trace payloads (inputs, outputs, rationale)? */
  canSeePayloads: boolean;
}

export const ANONYMOUS_ADMIN: RequestContext = {
  principal: { kind: 'anonymous', id: 'anonymous', name: 'anonymous' },
  role: 'admin',
  scope: '*',
  tenant: null,
  canSeePayloads: true,
};

/** Until authentication is configured, every request runs as an anonymous admin. The
 * auth plugin replaces this context per request. */
export const contextPlugin = fp(
  async (app) => {
    app.decorateRequest('ctx', null as unknown as RequestContext);
    app.addHook('onRequest', async (req) => {
      req.ctx = ANONYMOUS_ADMIN;
    });
  },
  { name: 'context' },
);
