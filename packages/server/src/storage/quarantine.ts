import { newId } from '@frostbyte/contracts';
import { badRequest } from '../kernel/errors.ts';
import type { BusRecord } from '../kernel/event-record.ts';
import type { TenantScope } from '../kernel/tenant-scope.ts';
import { scoped } from './scoped.ts';
import { Where } from './sql-builder.ts';
import type { SqlClient } from './sql-client.ts';
import { iso } from './sql-values.ts';

/** One record the writer could not store (migrations/0019). */
export interface QuarantinedRecord {
  id: string;
  tenant_id: string | null;
  event_id: string | null;
  seq: string;
  sqlstate: string | null;
  error: string;
  /** The bus record as safe JSON text (see `pgSafeJson`). */
  record: string;
  attempts: number;
  first_seen: string;
  last_seen: string;
}

/** Why a record was refused: PostgreSQL's SQLSTATE (null when our own code threw) and
 * the message, never the statement's parameters. */
export interface RefusalReason {
  sqlstate: string | null;
  message: string;
}

const TENANT_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const MAX_ERROR = 2000;

/** Text PostgreSQL always takes: NUL (refused in text) and lone surrogates (not
 * encodable in UTF-8) written as the `\uXXXX` escapes JSON would use. */
export function pgSafeText(s: string): string {
  return s.replace(UNSTORABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what must go
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** JSON text of anything the bus may hold that a text column always takes: non-finite
 * numbers and bigints as strings (JSON.stringify would write null and throw), NUL and
 * lone surrogates escaped (JSON.stringify already escapes both; pgSafeText is the
 * guarantee). Never throws: a cycle or a throwing getter gives a placeholder. */
export function pgSafeJson(value: unknown): string {
  try {
    const text = JSON.stringify(value, (_k, v) =>
      typeof v === 'number' && !Number.isFinite(v) ? String(v) : typeof v === 'bigint' ? String(v) : v,
    );
    return pgSafeText(text ?? 'null');
  } catch (e) {
    return JSON.stringify({ unserialisable: pgSafeText(String((e as Error)?.message ?? e)) });
  }
}

/**
 * The writer's quarantine: records it could not store, each with why, visible to its
 * tenant (row-level security as on every tenant table) and counted in `/metrics`.
 * Written as the system ('*'); read in the caller's scope.
 */
export class QuarantineRepository {
  constructor(private readonly db: SqlClient) {}

  /** Stores a refused record, or counts one more attempt of a record already here (a
   * replay of the same bus entry). Every value goes through pgSafe*, so this insert
   * cannot fail for the reason the record did. */
  async put(r: BusRecord, why: RefusalReason): Promise<void> {
    const event = (r.record as { event?: { id?: unknown; tenant_id?: unknown } } | undefined)?.event;
    const tenant = typeof event?.tenant_id === 'string' && TENANT_RE.test(event.tenant_id) ? event.tenant_id : null;
    const eventId = typeof event?.id === 'string' ? pgSafeText(event.id.slice(0, 200)) : null;
    const seq = pgSafeText(String(r.seq).slice(0, 64));
    await scoped(this.db, '*', (tx) =>
      tx.query(
        `INSERT INTO writer_quarantine (id, record_key, tenant_id, event_id, seq, sqlstate, error, record)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (record_key) DO UPDATE SET attempts = writer_quarantine.attempts + 1, last_seen = date_trunc('milliseconds', clock_timestamp()),
           sqlstate = excluded.sqlstate, error = excluded.error`,
        [
          newId(),
          `${seq}|${eventId ?? ''}`,
          tenant,
          eventId,
          seq,
          why.sqlstate === null ? null : pgSafeText(why.sqlstate.slice(0, 5)),
          pgSafeText(why.message.slice(0, MAX_ERROR)),
          pgSafeJson(r),
        ],
      ),
    );
  }

  /** Newest first, keyset-paginated (`cursor` is the last row's `next_cursor`). */
  async list(
    scope: TenantScope,
    q: { tenant_id?: string; cursor?: string; limit: number },
  ): Promise<{ records: QuarantinedRecord[]; next_cursor: string | null }> {
    return scoped(this.db, scope, async (tx) => {
      const w = new Where().scope(scope);
      if (q.tenant_id) w.add('tenant_id = ?', q.tenant_id);
      const after = q.cursor ? decodeCursor(q.cursor) : null;
      if (after) w.raw(`(first_seen, id) < (${w.p.add(after.first_seen)}::timestamptz, ${w.p.add(after.id)}::uuid)`);
      const lim = w.p.add(q.limit + 1);
      const { rows } = await tx.query<Record<string, unknown>>(
        `SELECT * FROM writer_quarantine ${w.sql} ORDER BY first_seen DESC, id DESC LIMIT ${lim}`,
        w.params,
      );
      const records = rows.slice(0, q.limit).map(toRecord);
      const last = records[records.length - 1];
      return { records, next_cursor: rows.length > q.limit && last ? encodeCursor(last) : null };
    });
  }

  async get(scope: TenantScope, id: string): Promise<QuarantinedRecord | null> {
    return scoped(this.db, scope, async (tx) => {
      const w = new Where().scope(scope).add('id = ?::uuid', id);
      const { rows } = await tx.query<Record<string, unknown>>(`SELECT * FROM writer_quarantine ${w.sql}`, w.params);
      return rows[0] ? toRecord(rows[0]) : null;
    });
  }

  /** Rows in quarantine (the `/metrics` gauge). */
  async count(): Promise<number> {
    return scoped(this.db, '*', async (tx) =>
      Number((await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM writer_quarantine')).rows[0]?.n ?? 0),
    );
  }

  /** Per tenant (null: none known), the records quarantined since `since` (the alert rule). */
  async recentByTenant(since: Date): Promise<{ tenant_id: string | null; count: number; last_seen: string }[]> {
    return scoped(this.db, '*', async (tx) => {
      const { rows } = await tx.query<{ tenant_id: string | null; n: number; last_seen: unknown }>(
        'SELECT tenant_id, count(*)::int AS n, max(last_seen) AS last_seen FROM writer_quarantine WHERE last_seen >= $1 GROUP BY tenant_id ORDER BY tenant_id',
        [since.toISOString()],
      );
      return rows.map((r) => ({ tenant_id: r.tenant_id, count: Number(r.n), last_seen: iso(r.last_seen) }));
    });
  }
}

function toRecord(r: Record<string, unknown>): QuarantinedRecord {
  return {
    id: String(r.id),
    tenant_id: (r.tenant_id as string | null) ?? null,
    event_id: (r.event_id as string | null) ?? null,
    seq: String(r.seq),
    sqlstate: (r.sqlstate as string | null) ?? null,
    error: String(r.error),
    record: String(r.record),
    attempts: Number(r.attempts),
    first_seen: iso(r.first_seen),
    last_seen: iso(r.last_seen),
  };
}

const encodeCursor = (r: QuarantinedRecord) => Buffer.from(`${r.first_seen}|${r.id}`).toString('base64url');

/** A cursor this repository wrote; anything else is a 400 naming the field. */
function decodeCursor(c: string): { first_seen: string; id: string } {
  const [t, id] = Buffer.from(c, 'base64url').toString('utf8').split('|');
  if (!t || !id || Number.isNaN(Date.parse(t)) || !/^[0-9a-f-]{36}$/i.test(id))
    throw badRequest('cursor: not a next_cursor this API returned');
  return { first_seen: t, id };
}
