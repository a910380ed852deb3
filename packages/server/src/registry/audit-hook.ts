import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { RequestContext } from '../plugins/context.ts';

/** What the audit plugin (owned by the security work) is expected to decorate. */
export interface AuditRecorder {
  record(entry: {
    actor: string;
    action: string;
    target: string;
    details: Record<string, unknown>;
    tenant: string | null;
  }): Promise<unknown> | unknown;
}

export interface RegistryChange {
  /** `registry.model.register`, `registry.deploy`, `alerts.ack`, … */
  action: string;
  /** What changed: `model:frostbyte-docparse@1.1.0`, `experiment:<id>`, `alert:<id>`. */
  target: string;
  details: Record<string, unknown>;
  /** Tenants the change applies to; null = every tenant (one entry, tenant null). */
  tenants: readonly string[] | null;
}

export type Actor = RequestContext['principal'];

/** The actor's name as stored in the deployment history and audit rows. */
export const actorName = (p: Actor) => (p.kind === 'anonymous' || p.kind === 'system' ? p.kind : p.name || `${p.kind}:${p.id}`);

export const SYSTEM_ACTOR: Actor = { kind: 'system', id: 'system', name: 'system' };

/**
 * Sends every registry change to the audit log. A no-op until the audit plugin has
 * decorated `app.audit` (it is built in parallel), so the registry runs with or
 * without it. The change is already committed when this runs: a failure to audit is
 * logged as an error and does not undo it.
 */
export function auditHook(app: FastifyInstance, log: FastifyBaseLogger) {
  return async (actor: Actor, change: RegistryChange) => {
    const audit = (app as unknown as { audit?: AuditRecorder }).audit;
    if (!audit || typeof audit.record !== 'function') return;
    const base = {
      actor: actorName(actor),
      action: change.action,
      target: change.target,
      details: { ...change.details, actor_kind: actor.kind, actor_id: actor.id },
    };
    try {
      for (const tenant of change.tenants ?? [null]) await audit.record({ ...base, tenant });
    } catch (err) {
      log.error({ err, action: change.action, target: change.target }, 'audit: could not record a registry change');
    }
  };
}

export type AuditFn = ReturnType<typeof auditHook>;
