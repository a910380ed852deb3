import type { AccessReport } from '@frostbyte/contracts';
import type { TenantScope } from '../kernel/tenant-scope.ts';
import { scoped } from '../storage/scoped.ts';
import type { SqlClient } from '../storage/sql-client.ts';
import type { AuditLog, AuditRecord } from './audit-log.ts';

/**
 * The read audit (issue 15, item 1): every time a person's request decrypts a trace
 * payload, who read which event of which document, for what purpose, from where.
 *
 * Reads are counted in memory and written as one chained, signed entry per
 * (tenant, actor, event, purpose, client address) and flush, with `reads` (how many
 * times in that window) and the first and last time: a reader paging through a trace
 * costs the request path one Map update, and the log one row per second per thing
 * read, not one per request. Flushed every `flushMs` (1 s) and when the server stops
 * (`close`), and before the access report is answered (`flush`), so the report is
 * never behind its own reads.
 *
 * What is lost: reads counted in the second before a crash (kill -9). The entry does
 * not name what was in the payload, only where it lives.
 */

export const READ_ACTION = 'trace.read';
export const EXPORT_ACTION = 'trace.export';
/** `X-Access-Purpose`: bounded and printable, since it is stored forever. */
export const MAX_PURPOSE_CHARS = 200;
const PRINTABLE = /^[^\p{Cc}\p{Cs}\p{Co}\p{Cn}\u2028\u2029]*$/u;

export interface ReadRecord {
  tenant: string;
  actor: string;
  event_id: string | null;
  document_id: string | null;
  purpose: string | null;
  client: string | null;
  action?: typeof READ_ACTION | typeof EXPORT_ACTION;
}

/** Why a purpose header is refused (a 400), or null when it is fine. */
export function purposeProblem(p: string): string | null {
  if (p.length > MAX_PURPOSE_CHARS) return `X-Access-Purpose must be at most ${MAX_PURPOSE_CHARS} characters`;
  if (!PRINTABLE.test(p)) return 'X-Access-Purpose must be printable text (no control characters)';
  return null;
}

interface Pending extends ReadRecord {
  reads: number;
  first_at: string;
  last_at: string;
}

export class ReadAudit {
  readonly #pending = new Map<string, Pending>();
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> = Promise.resolve();
  /** Entries written since start (tests and /metrics-like checks). */
  written = 0;

  constructor(
    private readonly audit: AuditLog,
    private readonly opts: { flushMs?: number; onError?: (e: unknown) => void } = {},
  ) {}

  /** Counts one read; written at the next flush. */
  note(r: ReadRecord): void {
    const action = r.action ?? READ_ACTION;
    const key = JSON.stringify([action, r.tenant, r.actor, r.event_id, r.document_id, r.purpose, r.client]);
    const now = new Date().toISOString();
    const p = this.#pending.get(key);
    if (p) {
      p.reads++;
      p.last_at = now;
    } else this.#pending.set(key, { ...r, action, reads: 1, first_at: now, last_at: now });
    if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.flush().catch((e) => this.opts.onError?.(e));
      }, this.opts.flushMs ?? 1000);
      this.#timer.unref();
    }
  }

  /** Writes everything counted so far (one transaction). A failed write keeps the counts. */
  flush(): Promise<void> {
    const run = this.#flushing.then(() => this.#write());
    this.#flushing = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.flush();
  }

  async #write(): Promise<void> {
    if (!this.#pending.size) return;
    const batch = [...this.#pending.values()];
    this.#pending.clear();
    const records: AuditRecord[] = batch.map((p) => ({
      tenant: p.tenant,
      actor: p.actor,
      action: p.action ?? READ_ACTION,
      target: p.event_id ? `event:${p.event_id}` : `document:${p.document_id ?? '?'}`,
      details: {
        event_id: p.event_id,
        document_id: p.document_id,
        purpose: p.purpose,
        client: p.client,
        reads: p.reads,
        first_at: p.first_at,
        last_at: p.last_at,
      },
    }));
    try {
      await this.audit.recordMany(records);
      this.written += records.length;
    } catch (e) {
      // Put the counts back (merged with what arrived meanwhile) for the next flush.
      for (const p of batch) {
        const key = JSON.stringify([p.action, p.tenant, p.actor, p.event_id, p.document_id, p.purpose, p.client]);
        const q = this.#pending.get(key);
        if (q) {
          q.reads += p.reads;
          q.first_at = p.first_at;
        } else this.#pending.set(key, p);
      }
      throw e;
    }
  }
}

/** One ReadAudit per audit log, shared by the routes that decrypt and the report. */
const perLog = new WeakMap<AuditLog, ReadAudit>();
export function readAuditOf(audit: AuditLog, opts?: ConstructorParameters<typeof ReadAudit>[1]): ReadAudit {
  let r = perLog.get(audit);
  if (!r) perLog.set(audit, (r = new ReadAudit(audit, opts)));
  return r;
}

/**
 * Who read what, how often, in [from, to): from the `trace.read` / `trace.export`
 * entries themselves (the chained log is the only source, so the report cannot say
 * something the verified log does not). Row-level security scopes it.
 */
export async function accessReport(
  db: SqlClient,
  scope: TenantScope,
  q: { tenant_id?: string; from: string; to: string; limit?: number },
): Promise<AccessReport> {
  return scoped(db, scope, async (tx) => {
    const params: unknown[] = [[READ_ACTION, EXPORT_ACTION], q.from, q.to];
    let where = `action = ANY($1::text[]) AND ts >= $2::timestamptz AND ts < $3::timestamptz`;
    if (scope !== '*') {
      params.push([...scope]);
      where += ` AND tenant_id = ANY($${params.length}::text[])`;
    }
    if (q.tenant_id) {
      params.push(q.tenant_id);
      where += ` AND tenant_id = $${params.length}`;
    }
    params.push(q.limit ?? 1000);
    const { rows } = await tx.query<Record<string, unknown>>(
      `SELECT actor, tenant_id, details->>'event_id' AS event_id, details->>'document_id' AS document_id,
              details->>'purpose' AS purpose, sum((details->>'reads')::bigint) AS reads,
              min(details->>'first_at') AS first_at, max(details->>'last_at') AS last_at
       FROM audit_log WHERE ${where}
       GROUP BY 1, 2, 3, 4, 5 ORDER BY reads DESC, last_at DESC, 1, 2, 3 LIMIT $${params.length}`,
      params,
    );
    const { rows: days } = await tx.query<Record<string, unknown>>(
      `SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, actor, sum((details->>'reads')::bigint) AS reads
       FROM audit_log WHERE ${where} GROUP BY 1, 2 ORDER BY 1, 2`,
      params.slice(0, -1),
    );
    return {
      rows: rows.map((r) => ({
        actor: r.actor as string,
        tenant_id: r.tenant_id as string,
        event_id: (r.event_id as string | null) ?? null,
        document_id: (r.document_id as string | null) ?? null,
        purpose: (r.purpose as string | null) ?? null,
        reads: Number(r.reads),
        first_at: r.first_at as string,
        last_at: r.last_at as string,
      })),
      by_day: days.map((d) => ({ day: d.day as string, actor: d.actor as string, reads: Number(d.reads) })),
    };
  });
}
