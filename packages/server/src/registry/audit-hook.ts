import type { FastifyBaseLogger } from 'fastify';
import { type Actor, actorName } from '../kernel/actor.ts';

/** The part of the audit log (audit/audit-log.ts) the registry and alerts write to. */
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

/**
 * Sends every registry change to the audit log, one entry per tenant it applies to.
 * The change is already committed when this runs: a failure to audit is logged as an
 * error and does not undo it.
 */
export function auditHook(audit: AuditRecorder, log: FastifyBaseLogger) {
  return async (actor: Actor, change: RegistryChange) => {
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
