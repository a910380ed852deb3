import type { DocumentStatus } from '@frostbyte/contracts';
import type { RequestContext } from '../access/auth.ts';
import { actorOf } from '../access/auth.ts';
import { TENANT_RE } from '../access/identity.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { badRequest, conflict, forbidden, notFound } from '../kernel/errors.ts';
import { inScope, type TenantScope } from '../kernel/tenant-scope.ts';
import { scoped } from '../storage/scoped.ts';
import type { SqlClient } from '../storage/sql-client.ts';
import { iso } from '../storage/sql-values.ts';

/**
 * Per-document controls (issue 15, items 2 and 3): erasure and legal hold of one
 * document's traces inside a tenant. Design record: docs/adr/0005-read-audit-document-erasure.md.
 *
 * Erasure destroys the sealed payload bytes of every trace of the document (the
 * `payload` column and the three pre-0015 columns set to NULL, in one transaction
 * under row-level security) and records the document as erased, so a trace of it is
 * never opened again, including traces that arrive after the erasure. The events keep
 * their metadata (what the Merkle leaves hash), so `audit verify` and every inclusion
 * proof still pass. A held document refuses erasure (409) until released.
 *
 * Every change is appended to the tenant's audit chain: `document.erase`,
 * `document.hold`, `document.release`.
 */

export const MAX_DOCUMENT_ID = 256;
export const MAX_HOLD_REASON = 500;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export class DocumentService {
  constructor(
    private readonly db: SqlClient,
    private readonly audit: AuditLog,
  ) {}

  async status(ctx: Pick<RequestContext, 'scope'>, tenant: string, document: string): Promise<DocumentStatus> {
    checkIds(ctx.scope, tenant, document);
    return scoped(this.db, [tenant], async (tx) => {
      const s = await this.#status(tx, tenant, document);
      if (!s.events && !s.held && !s.erased) throw notFound(`no document ${document} in tenant ${tenant}`);
      return s;
    });
  }

  /** Destroys the document's trace payloads. 409 while held; 404 for a document with no events. */
  async erase(ctx: RequestContext, tenant: string, document: string) {
    checkIds(ctx.scope, tenant, document);
    const actor = actorOf(ctx);
    const res = await scoped(this.db, [tenant], async (tx) => {
      // The control row is the lock: hold and erase of one document are serialised.
      await tx.query(`INSERT INTO document_controls (tenant_id, document_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [tenant, document]);
      const c = (
        await tx.query<{ held_at: unknown; hold_reason: string | null }>(
          'SELECT held_at, hold_reason FROM document_controls WHERE tenant_id = $1 AND document_id = $2 FOR UPDATE',
          [tenant, document],
        )
      ).rows[0];
      if (c?.held_at != null) {
        throw conflict(
          `document ${document} is under legal hold since ${iso(c.held_at)} (${c.hold_reason ?? 'no reason given'}): release the hold before erasing it`,
          { held_at: iso(c.held_at) },
        );
      }
      const events = Number(
        (
          await tx.query<{ n: string }>('SELECT count(*) AS n FROM model_events WHERE tenant_id = $1 AND document_id = $2', [
            tenant,
            document,
          ])
        ).rows[0]?.n ?? 0,
      );
      if (!events) throw notFound(`no document ${document} in tenant ${tenant}`);
      const { rows } = await tx.query(
        `UPDATE decision_traces t SET payload = NULL, input = NULL, output = NULL, decision_rationale = NULL
         FROM model_events e
         WHERE e.tenant_id = $1 AND e.document_id = $2 AND t.tenant_id = e.tenant_id AND t.event_id = e.id AND t."timestamp" = e."timestamp"
         RETURNING t.event_id`,
        [tenant, document],
      );
      // GenAI content its spans received as OTLP logs (joined to the trace on read).
      const logs = await tx.query(
        `DELETE FROM otlp_log_contents l USING model_events e
          WHERE e.tenant_id = $1 AND e.document_id = $2 AND l.tenant_id = e.tenant_id
            AND l.trace_id = e.metadata->>'trace_id' AND l.span_id = e.metadata->>'span_id'
        RETURNING l.id`,
        [tenant, document],
      );
      const at = (
        await tx.query<{ erased_at: unknown }>(
          `UPDATE document_controls SET erased_at = coalesce(erased_at, date_trunc('milliseconds', now())), erased_by = $3,
             erased_events = $4, updated_at = now()
           WHERE tenant_id = $1 AND document_id = $2 RETURNING erased_at`,
          [tenant, document, actor, events],
        )
      ).rows[0]?.erased_at;
      return { erased_events: events, erased_traces: rows.length, erased_logs: logs.rows.length, erased_at: iso(at) };
    });
    await this.audit.record({
      tenant,
      actor,
      action: 'document.erase',
      target: `document:${document}`,
      details: { document_id: document, events: res.erased_events, traces: res.erased_traces, logs: res.erased_logs },
    });
    return { tenant_id: tenant, document_id: document, ...res };
  }

  async hold(ctx: RequestContext, tenant: string, document: string, reason: string) {
    checkIds(ctx.scope, tenant, document);
    if (typeof reason !== 'string' || !reason.trim()) throw badRequest('reason: a legal hold needs a reason (1–500 characters)');
    if (reason.length > MAX_HOLD_REASON || CONTROL.test(reason)) {
      throw badRequest(`reason: at most ${MAX_HOLD_REASON} printable characters`);
    }
    const actor = actorOf(ctx);
    const s = await scoped(this.db, [tenant], async (tx) => {
      const events = await this.#count(tx, tenant, document);
      if (!events) throw notFound(`no document ${document} in tenant ${tenant}`);
      await tx.query(
        `INSERT INTO document_controls (tenant_id, document_id, held_at, held_by, hold_reason)
         VALUES ($1, $2, date_trunc('milliseconds', now()), $3, $4)
         ON CONFLICT (tenant_id, document_id) DO UPDATE
           SET held_at = coalesce(document_controls.held_at, excluded.held_at), held_by = excluded.held_by,
               hold_reason = excluded.hold_reason, updated_at = now()`,
        [tenant, document, actor, reason],
      );
      return this.#status(tx, tenant, document);
    });
    await this.audit.record({
      tenant,
      actor,
      action: 'document.hold',
      target: `document:${document}`,
      details: { document_id: document, reason, events: s.events },
    });
    return s;
  }

  async release(ctx: RequestContext, tenant: string, document: string) {
    checkIds(ctx.scope, tenant, document);
    const actor = actorOf(ctx);
    const s = await scoped(this.db, [tenant], async (tx) => {
      const { rows } = await tx.query(
        `UPDATE document_controls SET held_at = NULL, held_by = NULL, hold_reason = NULL, updated_at = now()
         WHERE tenant_id = $1 AND document_id = $2 AND held_at IS NOT NULL RETURNING 1`,
        [tenant, document],
      );
      if (!rows.length) throw conflict(`document ${document} of tenant ${tenant} is not under legal hold`);
      return this.#status(tx, tenant, document);
    });
    await this.audit.record({
      tenant,
      actor,
      action: 'document.release',
      target: `document:${document}`,
      details: { document_id: document },
    });
    return s;
  }

  /** Whether the document's traces were erased (the read path refuses to open them). */
  async isErased(scope: TenantScope, tenant: string, document: string): Promise<boolean> {
    return scoped(this.db, scope, async (tx) => {
      const { rows } = await tx.query(
        'SELECT 1 FROM document_controls WHERE tenant_id = $1 AND document_id = $2 AND erased_at IS NOT NULL',
        [tenant, document],
      );
      return rows.length > 0;
    });
  }

  async #count(tx: SqlClient, tenant: string, document: string): Promise<number> {
    const { rows } = await tx.query<{ n: string }>('SELECT count(*) AS n FROM model_events WHERE tenant_id = $1 AND document_id = $2', [
      tenant,
      document,
    ]);
    return Number(rows[0]?.n ?? 0);
  }

  async #status(tx: SqlClient, tenant: string, document: string): Promise<DocumentStatus> {
    const events = await this.#count(tx, tenant, document);
    const c = (
      await tx.query<Record<string, unknown>>(
        'SELECT held_at, hold_reason, erased_at FROM document_controls WHERE tenant_id = $1 AND document_id = $2',
        [tenant, document],
      )
    ).rows[0];
    return {
      tenant_id: tenant,
      document_id: document,
      events,
      held: c?.held_at != null,
      held_at: c?.held_at == null ? null : iso(c.held_at),
      hold_reason: c?.held_at == null ? null : ((c.hold_reason as string | null) ?? null),
      erased: c?.erased_at != null,
      erased_at: c?.erased_at == null ? null : iso(c.erased_at),
    };
  }
}

function checkIds(scope: TenantScope, tenant: string, document: string) {
  if (typeof tenant !== 'string' || !TENANT_RE.test(tenant)) {
    throw badRequest(`tenant_id: '${String(tenant).slice(0, 64)}' is not a tenant id (lowercase letters, digits, - and _)`);
  }
  if (!inScope(scope, tenant)) throw forbidden('no access to that tenant');
  if (typeof document !== 'string' || !document || document.length > MAX_DOCUMENT_ID || CONTROL.test(document)) {
    throw badRequest(`document_id: 1–${MAX_DOCUMENT_ID} printable characters`);
  }
}

/** Documents under legal hold, for retention (runs as the owner: every tenant). */
export async function heldDocuments(tx: SqlClient): Promise<{ tenant_id: string; document_id: string }[]> {
  const { rows } = await tx.query<{ tenant_id: string; document_id: string }>(
    'SELECT tenant_id, document_id FROM document_controls WHERE held_at IS NOT NULL ORDER BY 1, 2',
  );
  return rows;
}

/** One service per audit log (the routes and the read path share it). */
const perLog = new WeakMap<AuditLog, DocumentService>();
export function documentServiceOf(db: SqlClient, audit: AuditLog): DocumentService {
  let d = perLog.get(audit);
  if (!d) perLog.set(audit, (d = new DocumentService(db, audit)));
  return d;
}
