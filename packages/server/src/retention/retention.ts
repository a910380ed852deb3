import type { AuditLog } from '../audit/audit-log.ts';
import { merkleRoot } from '../audit/merkle.ts';
import { READ_ACTION } from '../audit/read-audit.ts';
import { heldDocuments } from '../documents/document-service.ts';
import { asOwner } from '../storage/scoped.ts';
import type { SqlClient } from '../storage/sql-client.ts';

export interface RetentionReport {
  trace_cutoff: string;
  audit_cutoff: string;
  /** Days whose partitions were dropped (or whose default-partition rows were deleted). */
  dropped_days: string[];
  summaries_written: number;
  /** Per tenant: audit entries ≤ this seq were pruned behind a signed epoch checkpoint. */
  audit_pruned: Record<string, number>;
  summaries_pruned: number;
  /** Documents under legal hold at this run (their events and traces are kept past the window). */
  held_documents: { tenant_id: string; document_id: string }[];
  /** Batches of held documents' events whose leaf hashes were stored at this run, so
   * the held events stay provable once the batch's other events are dropped. */
  held_batches_pinned: number;
  /** Per tenant with held documents: its audit prune stopped before this seq, the
   * oldest entry a held document still needs (its batch, hold, erasure or read entries). */
  audit_held_from: Record<string, number>;
  /** Days past the window kept in part because held documents have events in them. */
  held_days: string[];
  /** Events past the window kept for held documents (traces kept with them). */
  held_events_kept: number;
  /** GenAI content sent as OTLP logs (POST /v1/logs) past the window, deleted; a held
   * document's span keeps its logs. */
  otlp_logs_deleted: number;
}

const DAY_MS = 86_400_000;

/**
 * Per tenant with held documents, the oldest audit entry a held document still needs:
 * the `events.batch` entries its stored events are proven by, and its own
 * `document.*` and `trace.read` entries. The chain is pruned as a prefix, so nothing
 * from there on goes while the hold lasts.
 */
async function heldAuditFloors(tx: SqlClient, held: readonly { tenant_id: string; document_id: string }[]): Promise<Map<string, number>> {
  if (!held.length) return new Map();
  const { rows } = await tx.query<{ tenant_id: string; seq: string }>(
    `SELECT h.tenant_id, min(x.seq)::text AS seq FROM unnest($1::text[], $2::text[]) AS h(tenant_id, document_id)
       CROSS JOIN LATERAL (
         SELECT b.seq FROM model_events e
           JOIN audit_batches b ON b.tenant_id = e.tenant_id AND b.first_event_seq <= e.seq AND b.last_event_seq >= e.seq AND e.id = ANY(b.event_ids)
          WHERE e.tenant_id = h.tenant_id AND e.document_id = h.document_id
         UNION ALL
         SELECT l.seq FROM audit_log l
          WHERE l.tenant_id = h.tenant_id AND l.action = ANY($3::text[])
            AND (l.target = 'document:' || h.document_id OR l.details->>'document_id' = h.document_id)
       ) x
     GROUP BY 1`,
    [held.map((h) => h.tenant_id), held.map((h) => h.document_id), ['document.hold', 'document.release', 'document.erase', READ_ACTION]],
  );
  return new Map(rows.filter((r) => r.seq !== null).map((r) => [r.tenant_id, Number(r.seq)]));
}
const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Retention (DESIGN §5): full traces for `traceDays` (day partitions of model_events
 * and decision_traces are dropped whole), audit entries and daily audit summaries for
 * `auditDays`. Before a day's traces go, its summary is written (per tenant and model
 * version: calls, errors, tokens, cost, and the Merkle root over that day's batch
 * roots) and its digest appended to the tenant's chain. Before audit entries go, a
 * checkpoint carrying the pruning epoch is signed, so `audit verify` keeps passing.
 *
 * Runs as the connection's own role (the owner): dropping partitions and the audit
 * trigger's prune exception are not available to the application role.
 */
export class Retention {
  constructor(
    private readonly db: SqlClient,
    private readonly audit: AuditLog,
    private readonly opts: { traceDays: number; auditDays: number },
  ) {}

  async run(now = new Date(), actor = 'system:retention'): Promise<RetentionReport> {
    const traceCutoff = dayOf(new Date(now.getTime() - this.opts.traceDays * DAY_MS));
    const auditCutoff = new Date(now.getTime() - this.opts.auditDays * DAY_MS);
    const report: RetentionReport = {
      trace_cutoff: `${traceCutoff}T00:00:00.000Z`,
      audit_cutoff: auditCutoff.toISOString(),
      dropped_days: [],
      summaries_written: 0,
      audit_pruned: {},
      summaries_pruned: 0,
      held_documents: await this.owner(heldDocuments),
      held_batches_pinned: 0,
      audit_held_from: {},
      held_days: [],
      held_events_kept: 0,
      otlp_logs_deleted: 0,
    };
    const held = report.held_documents;
    // Before any of a batch's other events go, its leaf hashes are kept for the held ones.
    report.held_batches_pinned = await this.owner((tx) => this.audit.pinHeldBatches(tx, held));
    const days = await this.owner(async (tx) => {
      const { rows } = await tx.query<{ day: string }>(
        `SELECT DISTINCT to_char(d, 'YYYY-MM-DD') AS day FROM (
           SELECT to_date(substring(c.relname from '_p(\\d{8})$'), 'YYYYMMDD') AS d
           FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
           WHERE p.relname IN ('model_events', 'decision_traces') AND c.relname ~ '_p\\d{8}$'
           UNION SELECT date_trunc('day', "timestamp" AT TIME ZONE 'UTC')::date FROM model_events_default WHERE "timestamp" < $1::date
         ) x WHERE d < $1::date ORDER BY 1`,
        [traceCutoff],
      );
      return rows.map((r) => r.day);
    });
    for (const day of days) {
      // A day kept earlier for a held document was summarised then: not twice.
      if (!(await this.summarised(day))) report.summaries_written += await this.summarise(day, actor);
      const kept = await this.owner(async (tx) => {
        // An identifier cannot be a bound parameter: the partition name is built from a
        // date PostgreSQL returned, and checked to be eight digits before it is used.
        const p = day.replaceAll('-', '');
        if (!/^\d{8}$/.test(p)) throw new Error(`retention: unexpected partition day ${JSON.stringify(day)}`);
        const next = dayOf(new Date(Date.parse(day) + DAY_MS));
        const heldRows = held.length ? await this.heldEvents(tx, day, next, held) : 0;
        if (heldRows === 0) {
          await tx.exec(`DROP TABLE IF EXISTS model_events_p${p}; DROP TABLE IF EXISTS decision_traces_p${p}`);
          await tx.query(`DELETE FROM model_events_default WHERE "timestamp" >= $1::date AND "timestamp" < $2::date`, [day, next]);
          await tx.query(`DELETE FROM decision_traces_default WHERE "timestamp" >= $1::date AND "timestamp" < $2::date`, [day, next]);
          return 0;
        }
        // Legal hold: the day's partitions stay, holding only the held documents' rows.
        // Traces first (they are found through their events' document ids).
        await tx.query(
          `DELETE FROM decision_traces t WHERE t."timestamp" >= $1::date AND t."timestamp" < $2::date
             AND NOT EXISTS (SELECT 1 FROM model_events e JOIN unnest($3::text[], $4::text[]) AS h(tenant_id, document_id)
                               ON h.tenant_id = e.tenant_id AND h.document_id = e.document_id
                             WHERE e.id = t.event_id AND e.tenant_id = t.tenant_id AND e."timestamp" = t."timestamp")`,
          [day, next, held.map((h) => h.tenant_id), held.map((h) => h.document_id)],
        );
        await tx.query(
          `DELETE FROM model_events e WHERE e."timestamp" >= $1::date AND e."timestamp" < $2::date
             AND NOT EXISTS (SELECT 1 FROM unnest($3::text[], $4::text[]) AS h(tenant_id, document_id)
                             WHERE h.tenant_id = e.tenant_id AND h.document_id = e.document_id)`,
          [day, next, held.map((h) => h.tenant_id), held.map((h) => h.document_id)],
        );
        return heldRows;
      });
      if (kept) {
        report.held_days.push(day);
        report.held_events_kept += kept;
      } else report.dropped_days.push(day);
    }
    // The in-flight set (migrations/0013) keeps nothing that points at dropped days.
    await this.owner((tx) => tx.query('DELETE FROM open_invocations WHERE coalesce(started_at, updated_at) < $1::date', [traceCutoff]));
    // Batch leaf orders go with their traces, except those a held event is proven by.
    await this.owner((tx) =>
      tx.query(
        `DELETE FROM audit_batches b WHERE b.created_at < $1::date
           AND NOT EXISTS (SELECT 1 FROM model_events e JOIN unnest($2::text[], $3::text[]) AS h(tenant_id, document_id)
                             ON h.tenant_id = e.tenant_id AND h.document_id = e.document_id
                           WHERE e.tenant_id = b.tenant_id AND e.id = ANY(b.event_ids))`,
        [traceCutoff, held.map((h) => h.tenant_id), held.map((h) => h.document_id)],
      ),
    );
    // OTLP log content lives beside the traces (it is joined to its span's event on
    // read), so it ages with them — except a held document's, found through its events.
    report.otlp_logs_deleted = await this.owner(async (tx) => {
      const { rows } = await tx.query(
        `DELETE FROM otlp_log_contents l WHERE l."time" < $1::date
            AND NOT EXISTS (
              SELECT 1 FROM model_events e
               WHERE e.tenant_id = l.tenant_id AND e.metadata->>'trace_id' = l.trace_id AND e.metadata->>'span_id' = l.span_id
                 AND (e.tenant_id, e.document_id) IN (SELECT * FROM unnest($2::text[], $3::text[])))
        RETURNING 1`,
        [traceCutoff, held.map((h) => h.tenant_id), held.map((h) => h.document_id)],
      );
      return rows.length;
    });
    const floors = await this.owner((tx) => heldAuditFloors(tx, held));
    for (const [tenant, seq] of floors) report.audit_held_from[tenant] = seq;
    for (const [tenant, seq] of await this.pruneAudit(auditCutoff, actor, floors)) report.audit_pruned[tenant] = seq;
    report.summaries_pruned = await this.owner(async (tx) => {
      const { rows } = await tx.query('DELETE FROM audit_summaries WHERE day < $1::date RETURNING 1', [dayOf(auditCutoff)]);
      return rows.length;
    });
    await this.audit.record({ actor, action: 'retention.run', target: 'retention', details: { ...report } });
    return report;
  }

  /** Events of held documents on one day. */
  private async heldEvents(tx: SqlClient, day: string, next: string, held: { tenant_id: string; document_id: string }[]): Promise<number> {
    const { rows } = await tx.query<{ n: string }>(
      `SELECT count(*) AS n FROM model_events e JOIN unnest($3::text[], $4::text[]) AS h(tenant_id, document_id)
         ON h.tenant_id = e.tenant_id AND h.document_id = e.document_id
       WHERE e."timestamp" >= $1::date AND e."timestamp" < $2::date`,
      [day, next, held.map((h) => h.tenant_id), held.map((h) => h.document_id)],
    );
    return Number(rows[0]?.n ?? 0);
  }

  private async summarised(day: string): Promise<boolean> {
    return this.owner(async (tx) => (await tx.query('SELECT 1 FROM audit_summaries WHERE day = $1::date LIMIT 1', [day])).rows.length > 0);
  }

  /** Writes a day's summaries and appends their digest to each tenant's chain. */
  private async summarise(day: string, actor: string): Promise<number> {
    const next = dayOf(new Date(Date.parse(day) + DAY_MS));
    const perTenant = await this.owner(async (tx) => {
      // Batches of the day, per tenant, in chain order: the root over their roots.
      const { rows: batches } = await tx.query<{ tenant_id: string; batch_root: string }>(
        `SELECT tenant_id, batch_root FROM audit_log WHERE action = 'events.batch' AND ts >= $1::date AND ts < $2::date
         ORDER BY tenant_id, seq`,
        [day, next],
      );
      const roots = new Map<string, string[]>();
      for (const b of batches) roots.set(b.tenant_id, [...(roots.get(b.tenant_id) ?? []), b.batch_root]);
      const { rows } = await tx.query<{
        tenant_id: string;
        model_name: string;
        model_version: string;
        calls: string;
        errors: string;
        input_tokens: string;
        output_tokens: string;
        cost_usd: string;
      }>(
        `SELECT tenant_id, model_name, model_version,
           count(*) FILTER (WHERE status IN ('completed', 'failed')) AS calls,
           count(*) FILTER (WHERE status IN ('failed', 'abandoned')) AS errors,
           coalesce(sum(input_tokens), 0) AS input_tokens, coalesce(sum(output_tokens), 0) AS output_tokens,
           coalesce(sum(cost_usd), 0) AS cost_usd
         FROM model_events WHERE "timestamp" >= $1::date AND "timestamp" < $2::date
         GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
        [day, next],
      );
      const out = new Map<string, { models: number; calls: number; root: string | null; batches: number }>();
      for (const r of rows) {
        const rs = roots.get(r.tenant_id) ?? [];
        const root = rs.length ? merkleRoot(rs.map((h) => Buffer.from(h, 'hex'))) : null;
        await tx.query(
          `INSERT INTO audit_summaries (day, tenant_id, model_name, model_version, calls, errors, input_tokens, output_tokens, cost_usd, batches, batches_root)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
          [
            day,
            r.tenant_id,
            r.model_name,
            r.model_version,
            r.calls,
            r.errors,
            r.input_tokens,
            r.output_tokens,
            r.cost_usd,
            rs.length,
            root,
          ],
        );
        const t = out.get(r.tenant_id) ?? { models: 0, calls: 0, root, batches: rs.length };
        t.models++;
        t.calls += Number(r.calls);
        out.set(r.tenant_id, t);
      }
      return out;
    });
    for (const [tenant, s] of perTenant) {
      await this.audit.record({
        tenant,
        actor,
        action: 'retention.summarised',
        target: `day:${day}`,
        details: { day, models: s.models, calls: s.calls, batches: s.batches, batches_root: s.root },
      });
    }
    return [...perTenant.values()].reduce((n, s) => n + s.models, 0);
  }

  /**
   * Per tenant, entries older than the cutoff go, but never the newest one. First a
   * `retention.prune` entry is appended, then a checkpoint at that new head carrying
   * `epoch <last pruned seq> <its hash>` is signed, and only then are the rows deleted.
   */
  private async pruneAudit(cutoff: Date, actor: string, floors: ReadonlyMap<string, number>): Promise<Map<string, number>> {
    const done = new Map<string, number>();
    // A tenant with held documents prunes only below the oldest entry they need.
    const tenants = [...floors.keys()];
    const candidates = await this.owner(async (tx) => {
      const { rows } = await tx.query<{ tenant_id: string; seq: string; hash: string }>(
        `SELECT DISTINCT ON (l.tenant_id) l.tenant_id, l.seq, l.hash FROM audit_log l
           LEFT JOIN unnest($2::text[], $3::bigint[]) AS f(tenant_id, seq) ON f.tenant_id = l.tenant_id
         WHERE l.ts < $1 AND l.seq < (SELECT max(seq) FROM audit_log h WHERE h.tenant_id = l.tenant_id)
           AND (f.seq IS NULL OR l.seq < f.seq)
         ORDER BY l.tenant_id, l.seq DESC`,
        [cutoff.toISOString(), tenants, tenants.map((t) => floors.get(t))],
      );
      return rows;
    });
    for (const c of candidates) {
      const epoch = { seq: Number(c.seq), hash: c.hash };
      const marker = await this.audit.record({
        tenant: c.tenant_id,
        actor,
        action: 'retention.prune',
        target: `audit:1..${epoch.seq}`,
        details: { pruned_through: epoch.seq, epoch_hash: epoch.hash },
      });
      await this.owner(async (tx) => {
        await this.audit.writeCheckpoint(tx, c.tenant_id, { seq: marker.seq, hash: marker.hash }, epoch);
        // The trigger lets this one DELETE through: owner role, prune flag set, after the epoch is signed.
        await tx.query(`SELECT set_config('fmo.audit_prune', 'on', true)`);
        await tx.query('DELETE FROM audit_log WHERE tenant_id = $1 AND seq <= $2', [c.tenant_id, epoch.seq]);
      });
      done.set(c.tenant_id, epoch.seq);
    }
    return done;
  }

  /** A transaction as the connection's role (owner), seeing every tenant. */
  private owner<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return asOwner(this.db, fn);
  }
}
