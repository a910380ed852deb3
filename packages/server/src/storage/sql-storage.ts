import { type EventFilter, type ModelEvent, newId } from '@frostbyte/contracts';
import { type BusRecord, withSeq } from '../kernel/event-record.ts';
import type { SqlClient } from './sql-client.ts';
import { EVENT_COLUMN_LIST, EVENT_PARAMS, eventArrays, eventUnnest, toEvent, traceArrays, traceInsert } from './event-columns.ts';
import { ensurePartitions } from './open-database.ts';
import { scoped } from './scoped.ts';
import { Where } from './sql-builder.ts';
import { isoOrNull, numOrNull } from './sql-values.ts';
import type { EventPageQuery, ModelPricing, Storage, StoredTrace } from './storage.ts';
import type { TenantScope } from '../kernel/tenant-scope.ts';
import { STALE_HORIZON_MS } from './storage.ts';

const b64 = (v: unknown): string | null => (v == null ? null : Buffer.from(v as Uint8Array).toString('base64'));

/** The storage over any PostgreSQL driver. PGlite and PostgreSQL run the same SQL. */
export class SqlStorage implements Storage {
  constructor(
    readonly db: SqlClient,
    private readonly opts: {
      /** Runs inside the writer's transaction with the events that were new, so a batch
       * and its audit digest commit together (the composition root passes the audit log's). */
      afterInsert?: (tx: SqlClient, inserted: ModelEvent[]) => Promise<void>;
    } = {},
  ) {}

  /** `fn` in one transaction seeing only `scope` (storage/scoped.ts). */
  scoped<T>(scope: TenantScope, fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return scoped(this.db, scope, fn);
  }

  get kind() {
    return this.db.kind;
  }

  async insertRecords(records: readonly BusRecord[]): Promise<{ inserted: number }> {
    if (records.length === 0) return { inserted: 0 };
    // One array-literal parameter per column of the batch (storage/event-columns.ts).
    const params = [...eventArrays(records), ...traceArrays(records)];
    // One statement: insert the new events, their traces, the hourly rollups and the
    // in-flight set (migrations/0013) of exactly the rows that were new, so replays
    // change nothing anywhere.
    const sql = `
      WITH ins AS (
        INSERT INTO model_events (${EVENT_COLUMN_LIST})
        SELECT * FROM ${eventUnnest(1)}
        ON CONFLICT DO NOTHING
        RETURNING id, invocation_id, tenant_id, "timestamp", stage, model_name, model_version, status, input_tokens,
          output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_usd, duration_ms
      ), traces AS (
        ${traceInsert(EVENT_PARAMS + 1)}
      ), rollup AS (
        INSERT INTO cost_metrics AS m (tenant_id, hour, stage, model_name, model_version, calls, errors,
          input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_usd,
          duration_ms_sum, duration_ms_max)
        SELECT tenant_id, date_trunc('hour', "timestamp"), stage, model_name, model_version, count(*),
          count(*) FILTER (WHERE status = 'failed'), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0),
          coalesce(sum(cached_input_tokens), 0), coalesce(sum(cache_write_tokens), 0), coalesce(sum(reasoning_tokens), 0),
          coalesce(sum(cost_usd), 0), coalesce(sum(duration_ms), 0), coalesce(max(duration_ms), 0)
        FROM ins WHERE status IN ('completed', 'failed')
        GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT (tenant_id, hour, stage, model_name, model_version) DO UPDATE SET
          calls = m.calls + excluded.calls, errors = m.errors + excluded.errors,
          input_tokens = m.input_tokens + excluded.input_tokens, output_tokens = m.output_tokens + excluded.output_tokens,
          cached_input_tokens = m.cached_input_tokens + excluded.cached_input_tokens,
          cache_write_tokens = m.cache_write_tokens + excluded.cache_write_tokens,
          reasoning_tokens = m.reasoning_tokens + excluded.reasoning_tokens,
          cost_usd = m.cost_usd + excluded.cost_usd, duration_ms_sum = m.duration_ms_sum + excluded.duration_ms_sum,
          duration_ms_max = greatest(m.duration_ms_max, excluded.duration_ms_max)
      ), inv AS (
        -- What this batch brought per invocation; one row per key, so no INSERT below
        -- touches a row twice. A start and its end in one batch need no row at all.
        -- The two array_aggs read the same rows in the same order: [1] is one start.
        SELECT invocation_id, tenant_id, bool_or(status = 'started') AS has_start, bool_or(status <> 'started') AS has_end,
          min(stage) AS stage, min(model_name) AS model_name, min(model_version) AS model_version,
          (array_agg(id) FILTER (WHERE status = 'started'))[1] AS started_event_id,
          (array_agg("timestamp") FILTER (WHERE status = 'started'))[1] AS started_at
        FROM ins GROUP BY invocation_id, tenant_id
      ), closed AS (
        -- An end whose start is stored: the invocation is done, its row goes.
        DELETE FROM open_invocations o USING inv
        WHERE inv.has_end AND NOT inv.has_start AND o.invocation_id = inv.invocation_id AND o.tenant_id = inv.tenant_id
          AND o.started_at IS NOT NULL
        RETURNING o.invocation_id, o.tenant_id
      ), opened AS (
        -- A start opens its row, unless its end came first (a tombstone: ended stays
        -- true). An end whose start is not stored yet leaves that tombstone. ON CONFLICT
        -- waits for a concurrent batch's row, so the order of commits does not matter.
        INSERT INTO open_invocations AS o (invocation_id, tenant_id, stage, model_name, model_version, started_event_id,
          started_at, ended)
        SELECT invocation_id, tenant_id, stage, model_name, model_version, started_event_id, started_at, has_end
        FROM inv
        WHERE has_start <> has_end
          AND NOT EXISTS (SELECT 1 FROM closed c WHERE c.invocation_id = inv.invocation_id AND c.tenant_id = inv.tenant_id)
        ORDER BY invocation_id, tenant_id
        ON CONFLICT (invocation_id, tenant_id) DO UPDATE SET
          started_event_id = coalesce(o.started_event_id, excluded.started_event_id),
          started_at = coalesce(o.started_at, excluded.started_at),
          ended = o.ended OR excluded.ended, updated_at = now()
      )
      SELECT id FROM ins`;
    // One transaction per batch (never per row): the rows, their rollups and, when the
    // audit log is attached, the batch's audit entries commit or fail together.
    return this.scoped('*', async (tx) => {
      const { rows } = await tx.query<{ id: string }>(sql, params);
      if (this.opts.afterInsert && rows.length) {
        const fresh = new Set(rows.map((r) => r.id));
        const inserted = records.filter((r) => fresh.has(r.record.event.id)).map(withSeq);
        await this.opts.afterInsert(tx, inserted);
      }
      return { inserted: rows.length };
    });
  }

  async listEvents(scope: TenantScope, q: EventPageQuery): Promise<ModelEvent[]> {
    return this.scoped(scope, async (db) => {
      const w = new Where().scope(scope).filter(q);
      if (q.from) w.add('"timestamp" >= ?', q.from);
      if (q.to) w.add('"timestamp" < ?', q.to);
      if (q.beforeSeq !== undefined) w.add('seq < ?', q.beforeSeq.toString());
      const lim = w.p.add(q.limit);
      const { rows } = await db.query(
        `SELECT ${EVENT_COLUMN_LIST} FROM model_events ${w.sql} ORDER BY seq DESC LIMIT ${lim}`,
        w.params,
      );
      return rows.map(toEvent);
    });
  }

  async getEvent(scope: TenantScope, id: string) {
    return this.scoped(scope, async (db) => {
      const w = new Where().scope(scope).add('id = ?', id);
      const { rows } = await db.query(`SELECT ${EVENT_COLUMN_LIST} FROM model_events ${w.sql} LIMIT 1`, w.params);
      if (!rows[0]) return null;
      const event = toEvent(rows[0]);
      let trace: StoredTrace | null = null;
      if (event.has_trace) {
        const t = (
          await db.query(
            `SELECT event_id, tenant_id, "timestamp", payload, input, output, decision_rationale, confidence_score, redactions, key_version
             FROM decision_traces WHERE event_id = $1 AND tenant_id = $2 AND "timestamp" = $3`,
            [id, event.tenant_id, event.timestamp],
          )
        ).rows[0];
        if (t)
          trace = {
            event_id: t.event_id as string,
            tenant_id: t.tenant_id as string,
            timestamp: isoOrNull(t.timestamp) as string,
            payload: b64(t.payload),
            input: b64(t.input),
            output: b64(t.output),
            decision_rationale: b64(t.decision_rationale),
            confidence_score: numOrNull(t.confidence_score),
            redactions: (t.redactions as Record<string, number>) ?? {},
            key_version: numOrNull(t.key_version),
          };
      }
      return { event, trace };
    });
  }

  async invocationEvents(scope: TenantScope, invocationId: string) {
    return this.scoped(scope, async (db) => {
      const w = new Where().scope(scope).add('invocation_id = ?', invocationId);
      const { rows } = await db.query(`SELECT ${EVENT_COLUMN_LIST} FROM model_events ${w.sql} ORDER BY seq`, w.params);
      return rows.map(toEvent);
    });
  }

  async documentEvents(scope: TenantScope, documentId: string, limit: number) {
    return this.scoped(scope, async (db) => {
      const w = new Where().scope(scope).add('document_id = ?', documentId);
      const lim = w.p.add(limit);
      const { rows } = await db.query(
        `SELECT ${EVENT_COLUMN_LIST} FROM model_events ${w.sql} ORDER BY seq LIMIT ${lim}`,
        w.params,
      );
      return rows.map(toEvent);
    });
  }

  async eventsAfter(scope: TenantScope, filter: EventFilter, afterSeq: bigint, limit: number) {
    return this.scoped(scope, async (db) => {
      const w = new Where().scope(scope).filter(filter).add('seq > ?', afterSeq.toString());
      const lim = w.p.add(limit);
      const { rows } = await db.query(
        `SELECT ${EVENT_COLUMN_LIST} FROM model_events ${w.sql} ORDER BY seq LIMIT ${lim}`,
        w.params,
      );
      return rows.map(toEvent);
    });
  }

  async holdsSeq(seq: bigint) {
    return this.scoped('*', async (db) => {
      const { rows } = await db.query('SELECT 1 FROM model_events WHERE seq <= $1 LIMIT 1', [seq.toString()]);
      return rows.length > 0;
    });
  }

  async maxSeq() {
    return this.scoped('*', async (db) => {
      const { rows } = await db.query<{ m: string | null }>('SELECT max(seq)::text AS m FROM model_events');
      return rows[0]?.m ? BigInt(rows[0].m) : null;
    });
  }

  async staleInvocations(olderThan: Date, limit: number) {
    return this.scoped('*', async (db) => {
      // Candidates come from the in-flight set (migrations/0013); each start event is
      // read by its key, so one partition. A start that arrived after its end's
      // tombstone was pruned reopened its row: the old probe for an end, now for a few
      // candidates and only from the horizon on (a day of clock skew allowed; older
      // partitions pruned), closes those instead of abandoning them.
      const from = new Date(olderThan.getTime() - STALE_HORIZON_MS).toISOString();
      const { rows } = await db.query(
        `WITH c AS (
           SELECT invocation_id AS c_invocation, tenant_id AS c_tenant, started_event_id AS c_id, started_at AS c_at
           FROM open_invocations WHERE NOT ended AND started_at < $1 AND started_at > $2
           ORDER BY started_at LIMIT $3)
         SELECT c.c_invocation, c.c_tenant, s.seq IS NOT NULL AS found, ${EVENT_COLUMN_LIST},
           EXISTS (SELECT 1 FROM model_events f
             WHERE f.invocation_id = s.invocation_id AND f.tenant_id = s.tenant_id AND f.status <> 'started'
               AND f."timestamp" > $2::timestamptz - interval '1 day') AS has_end
         FROM c LEFT JOIN model_events s ON s.id = c.c_id AND s."timestamp" = c.c_at AND s."timestamp" < $1 AND s."timestamp" > $2
         ORDER BY s.seq`,
        [olderThan.toISOString(), from, limit],
      );
      // Ended after all, or a start no longer stored (retention): nothing to abandon.
      const done = rows.filter((r) => !r.found || r.has_end);
      if (done.length)
        await db.query(
          `DELETE FROM open_invocations WHERE (invocation_id, tenant_id) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))`,
          [done.map((r) => r.c_invocation), done.map((r) => r.c_tenant)],
        );
      return rows.filter((r) => r.found && !r.has_end).map(toEvent);
    });
  }

  async pruneInvocations(endedBefore: Date, startedBefore: Date) {
    return this.scoped('*', async (db) => {
      // Disjoint rows (ended or not), each delete served by its partial index.
      const { rows } = await db.query<{ n: number }>(
        `WITH tombstones AS (DELETE FROM open_invocations WHERE ended AND updated_at < $1 RETURNING 1),
           unreachable AS (DELETE FROM open_invocations WHERE NOT ended AND started_at < $2 RETURNING 1)
         SELECT (SELECT count(*) FROM tombstones)::int + (SELECT count(*) FROM unreachable)::int AS n`,
        [endedBefore.toISOString(), startedBefore.toISOString()],
      );
      return Number(rows[0]?.n ?? 0);
    });
  }

  async pricing(): Promise<ModelPricing[]> {
    const { rows } = await this.db.query<ModelPricing>('SELECT model_name, version, pricing FROM model_versions');
    return rows;
  }

  async upsertModelVersion(v: Parameters<Storage['upsertModelVersion']>[0]) {
    await this.db.query(
      `INSERT INTO model_versions (id, model_name, version, stage, config, pricing, created_by, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (model_name, version) DO NOTHING`,
      [newId(), v.model_name, v.version, v.stage ?? null, JSON.stringify(v.config ?? {}), JSON.stringify(v.pricing ?? {}),
        v.created_by ?? 'system', v.reason ?? null],
    );
  }

  ensurePartitions(now: Date, daysAhead: number) {
    return ensurePartitions(this.db, now, daysAhead);
  }

  async ping() {
    await this.db.query('SELECT 1');
  }

  close() {
    return this.db.close();
  }
}
