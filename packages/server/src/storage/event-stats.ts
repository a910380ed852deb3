import type { EventFilter, MetricsRow, TimeseriesSeries, VersionStats } from '@frostbyte/contracts';
import type { TenantScope } from '../kernel/tenant-scope.ts';
import { isoOrNull, numOrNull, Params, Where } from './sql-builder.ts';
export type { ScopedRunner } from './scoped.ts';
import type { CostGroup, CostRow, StageWindowStats, VariantStats } from './event-stat-rows.ts';
export type { CostGroup, CostRow, StageWindowStats, VariantStats } from './event-stat-rows.ts';
import type { ScopedRunner } from './scoped.ts';

/** Final events: a call that ended (or was given up on). Latency is read from the
 * completed ones only, so a fast failure does not flatter a version. */
const FINAL = `status IN ('completed', 'failed', 'abandoned')`;
const ERROR = `status IN ('failed', 'abandoned')`;

/** With `perTenant`: a row per tenant and, from the same scan, one for all of them
 * (tenant_id NULL; tenant_id is never NULL in the tables, so NULL means the total). */
function tenantGrouping(perTenant: boolean | undefined, keys: string) {
  return perTenant
    ? {
        select: 'CASE WHEN GROUPING(tenant_id) = 0 THEN tenant_id END AS tenant_id',
        group: `GROUPING SETS ((tenant_id, ${keys}), (${keys}))`,
      }
    : { select: 'NULL AS tenant_id', group: keys };
}

/**
 * Read-only aggregates over `model_events` for the registry (rollback preview, A/B
 * results) and the pipeline status / alert evaluator. Every read takes the caller's
 * tenant scope, like the storage's own reads.
 */
export class EventStats {
  /** `run` executes reads as the caller's tenant scope: the storage's `scoped`, which
   * also sets the row-level-security role and tenants (migrations/0006). */
  constructor(private readonly run: ScopedRunner) {}

  async versionStats(
    scope: TenantScope,
    q: { model_name: string; version: string; from: Date; to: Date; tenants: readonly string[] | null; rateFrom?: Date },
  ): Promise<VersionStats> {
    const p = new Params();
    const { rows } = await this.run(scope, (db) =>
      db.query(
        `SELECT count(*) FILTER (WHERE ${FINAL}) AS calls,
         count(*) FILTER (WHERE ${ERROR}) AS errors,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) FILTER (WHERE status = 'completed') AS p50,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) FILTER (WHERE status = 'completed') AS p95,
         avg(duration_ms) FILTER (WHERE status = 'completed') AS mean,
         coalesce(sum(cost_usd), 0) AS cost,
         avg(input_tokens) FILTER (WHERE ${FINAL}) AS avg_in,
         avg(output_tokens) FILTER (WHERE ${FINAL}) AS avg_out,
         count(DISTINCT document_id) FILTER (WHERE ${FINAL}) AS documents,
         coalesce(array_agg(DISTINCT tenant_id), '{}') AS tenants
       FROM model_events
       WHERE model_name = ${p.add(q.model_name)} AND model_version = ${p.add(q.version)}
         AND "timestamp" >= ${p.add(q.from.toISOString())} AND "timestamp" < ${p.add(q.to.toISOString())}
         AND ${p.scope(scope)} AND ${p.tenants(q.tenants)}`,
        p.values,
      ),
    );
    const r = rows[0] ?? {};
    const calls = Number(r.calls ?? 0);
    const cost = Number(r.cost ?? 0);
    const rateFrom = q.rateFrom && q.rateFrom > q.from ? q.rateFrom : q.from;
    const hours = Math.max(60_000, q.to.getTime() - rateFrom.getTime()) / 3600_000;
    return {
      model_name: q.model_name,
      version: q.version,
      from: q.from.toISOString(),
      to: q.to.toISOString(),
      calls,
      errors: Number(r.errors ?? 0),
      error_rate: calls ? Number(r.errors) / calls : 0,
      p50_ms: numOrNull(r.p50),
      p95_ms: numOrNull(r.p95),
      mean_ms: numOrNull(r.mean),
      cost_usd: cost,
      cost_per_call_usd: calls ? cost / calls : null,
      calls_per_hour: calls / hours,
      avg_input_tokens: numOrNull(r.avg_in),
      avg_output_tokens: numOrNull(r.avg_out),
      documents: Number(r.documents ?? 0),
      tenants: ((r.tenants as string[] | null) ?? []).filter((t) => t !== null).sort(),
    };
  }

  /** Invocations started on this version with no end yet (and not yet old enough to
   * be marked abandoned): they finish on the version they started on. Read from the
   * in-flight set the writer keeps (migrations/0013), not by anti-joining the events. */
  async inFlight(scope: TenantScope, q: { model_name: string; version: string; since: Date; tenants: readonly string[] | null }) {
    const p = new Params();
    const { rows } = await this.run(scope, (db) =>
      db.query<{ invocation_id: string; tenant_id: string }>(
        `SELECT invocation_id, tenant_id FROM open_invocations
       WHERE NOT ended AND model_name = ${p.add(q.model_name)} AND model_version = ${p.add(q.version)}
         AND started_at >= ${p.add(q.since.toISOString())} AND ${p.scope(scope)} AND ${p.tenants(q.tenants)}
       ORDER BY started_at LIMIT 10000`,
        p.values,
      ),
    );
    return rows;
  }

  /** Per stage (per tenant and stage too with `perTenant`) over [from, to): calls, errors,
   * latency, cost; `recent` counts the last `recentS` seconds (for live status). */
  async stageWindow(
    scope: TenantScope,
    q: { from: Date; to: Date; tenant: string | null; recentS: number; perTenant?: boolean },
  ): Promise<StageWindowStats[]> {
    const p = new Params();
    const recent = p.add(new Date(q.to.getTime() - q.recentS * 1000).toISOString());
    const g = tenantGrouping(q.perTenant, 'stage');
    const { rows } = await this.run(scope, (db) =>
      db.query(
        `SELECT ${g.select}, stage,
         count(*) FILTER (WHERE ${FINAL}) AS calls,
         count(*) FILTER (WHERE ${ERROR}) AS errors,
         count(*) FILTER (WHERE ${FINAL} AND "timestamp" >= ${recent}) AS recent_calls,
         count(*) FILTER (WHERE ${ERROR} AND "timestamp" >= ${recent}) AS recent_errors,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) FILTER (WHERE status = 'completed') AS p50,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) FILTER (WHERE status = 'completed') AS p95,
         avg(duration_ms) FILTER (WHERE status = 'completed') AS mean,
         coalesce(sum(cost_usd), 0) AS cost,
         max(received_at) AS last_seen
       FROM model_events
       WHERE "timestamp" >= ${p.add(q.from.toISOString())} AND "timestamp" < ${p.add(q.to.toISOString())}
         AND ${p.scope(scope)} ${q.tenant ? `AND tenant_id = ${p.add(q.tenant)}` : ''}
       GROUP BY ${g.group}`,
        p.values,
      ),
    );
    return rows.map((r) => ({
      tenant_id: (r.tenant_id as string | null) ?? null,
      stage: r.stage as string,
      calls: Number(r.calls),
      errors: Number(r.errors),
      recent_calls: Number(r.recent_calls),
      recent_errors: Number(r.recent_errors),
      p50_ms: numOrNull(r.p50),
      p95_ms: numOrNull(r.p95),
      mean_ms: numOrNull(r.mean),
      cost_usd: Number(r.cost),
      last_seen: isoOrNull(r.last_seen),
    }));
  }

  /** In flight per stage (per tenant and stage too with `perTenant`): started since `since`
   * with no end (the in-flight set, so the cost follows what is in flight, not the event rate). */
  async stageInFlight(
    scope: TenantScope,
    q: { since: Date; tenant: string | null; perTenant?: boolean },
  ): Promise<{ tenant_id: string | null; stage: string; n: number }[]> {
    const p = new Params();
    const g = tenantGrouping(q.perTenant, 'stage');
    const { rows } = await this.run(scope, (db) =>
      db.query(
        `SELECT ${g.select}, stage, count(*) AS n FROM open_invocations
       WHERE NOT ended AND started_at >= ${p.add(q.since.toISOString())} AND ${p.scope(scope)}
         ${q.tenant ? `AND tenant_id = ${p.add(q.tenant)}` : ''}
       GROUP BY ${g.group}`,
        p.values,
      ),
    );
    return rows.map((r) => ({ tenant_id: (r.tenant_id as string | null) ?? null, stage: r.stage as string, n: Number(r.n) }));
  }

  /** Which model versions each stage actually ran in a window (newest first). */
  async observedModels(scope: TenantScope, q: { from: Date; tenant: string | null }) {
    const p = new Params();
    const { rows } = await this.run(scope, (db) =>
      db.query<{ stage: string; model_name: string; model_version: string }>(
        `SELECT stage, model_name, model_version FROM model_events
       WHERE "timestamp" >= ${p.add(q.from.toISOString())} AND ${p.scope(scope)} ${q.tenant ? `AND tenant_id = ${p.add(q.tenant)}` : ''}
       GROUP BY stage, model_name, model_version ORDER BY max("timestamp") DESC`,
        p.values,
      ),
    );
    return rows;
  }

  /** Cost per model version (per tenant and model version too with `perTenant`) in [from, to). */
  async costByModel(scope: TenantScope, from: Date, to: Date, perTenant = false) {
    const p = new Params();
    const g = tenantGrouping(perTenant, 'stage, model_name, model_version');
    const { rows } = await this.run(scope, (db) =>
      db.query(
        `SELECT ${g.select}, stage, model_name, model_version,
           coalesce(sum(cost_usd), 0) AS cost, count(*) FILTER (WHERE ${FINAL}) AS calls
       FROM model_events WHERE "timestamp" >= ${p.add(from.toISOString())} AND "timestamp" < ${p.add(to.toISOString())} AND ${p.scope(scope)}
       GROUP BY ${g.group}`,
        p.values,
      ),
    );
    return rows.map((r) => ({
      tenant_id: (r.tenant_id as string | null) ?? null,
      stage: r.stage as string,
      model_name: r.model_name as string,
      model_version: r.model_version as string,
      cost_usd: Number(r.cost),
      calls: Number(r.calls),
    }));
  }

  async variantStats(
    scope: TenantScope,
    q: { stage: string; model_name: string; version: string; from: Date; to: Date; tenants: readonly string[] | null },
  ): Promise<VariantStats> {
    const p = new Params();
    const where = `stage = ${p.add(q.stage)} AND model_name = ${p.add(q.model_name)} AND model_version = ${p.add(q.version)}
      AND "timestamp" >= ${p.add(q.from.toISOString())} AND "timestamp" < ${p.add(q.to.toISOString())}
      AND ${p.scope(scope)} AND ${p.tenants(q.tenants)}`;
    const { rows } = await this.run(scope, (db) =>
      db.query(
        `WITH e AS (SELECT status, duration_ms, document_id, cost_usd, confidence_score FROM model_events WHERE ${where})
       SELECT (SELECT count(*) FROM e WHERE ${FINAL}) AS calls,
         (SELECT count(*) FROM e WHERE ${ERROR}) AS errors,
         (SELECT count(*) FROM e WHERE status = 'completed' AND duration_ms IS NOT NULL) AS completed,
         (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) FROM e WHERE status = 'completed') AS p50,
         (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) FROM e WHERE status = 'completed') AS p95,
         (SELECT avg(duration_ms) FROM e WHERE status = 'completed') AS mean,
         (SELECT var_samp(duration_ms) FROM e WHERE status = 'completed') AS var,
         (SELECT count(DISTINCT document_id) FROM e WHERE ${FINAL}) AS documents,
         (SELECT coalesce(sum(cost_usd), 0) FROM e) AS cost,
         (SELECT count(confidence_score) FROM e WHERE ${FINAL}) AS conf_n,
         (SELECT avg(confidence_score) FROM e WHERE ${FINAL}) AS conf_mean,
         (SELECT coalesce(json_agg(json_build_array(b, n)), '[]') FROM (
            SELECT least(floor(confidence_score * 10)::int, 9) AS b, count(*) AS n FROM e
            WHERE ${FINAL} AND confidence_score IS NOT NULL GROUP BY 1) h) AS hist`,
        p.values,
      ),
    );
    const r = rows[0] ?? {};
    const buckets = Array.from({ length: 10 }, () => 0);
    const hist = (typeof r.hist === 'string' ? JSON.parse(r.hist) : r.hist) as [number, number][];
    for (const [b, n] of hist ?? []) buckets[Math.max(0, Math.min(9, Number(b)))] = Number(n);
    return {
      calls: Number(r.calls ?? 0),
      errors: Number(r.errors ?? 0),
      completed: Number(r.completed ?? 0),
      p50_ms: numOrNull(r.p50),
      p95_ms: numOrNull(r.p95),
      mean_ms: numOrNull(r.mean),
      var_ms: numOrNull(r.var),
      documents: Number(r.documents ?? 0),
      cost_usd: Number(r.cost ?? 0),
      confidence_count: Number(r.conf_n ?? 0),
      confidence_mean: numOrNull(r.conf_mean),
      buckets,
    };
  }

  /** Documents that got a decision (`metadata.decision`) from both variants: the
   * latest decision of each, compared as JSON (key order does not matter). */
  async decisionAgreement(
    scope: TenantScope,
    q: {
      stage: string;
      control: { model_name: string; version: string };
      treatment: { model_name: string; version: string };
      from: Date;
      to: Date;
      tenants: readonly string[] | null;
    },
  ) {
    const p = new Params();
    const cm = p.add(q.control.model_name);
    const cv = p.add(q.control.version);
    const tm = p.add(q.treatment.model_name);
    const tv = p.add(q.treatment.version);
    const { rows } = await this.run(scope, (db) =>
      db.query(
        `WITH d AS (
         SELECT DISTINCT ON (tenant_id, document_id, variant) tenant_id, document_id, variant, decision FROM (
           SELECT tenant_id, document_id, seq, metadata -> 'decision' AS decision,
             CASE WHEN model_name = ${cm} AND model_version = ${cv} THEN 'control' ELSE 'treatment' END AS variant
           FROM model_events
           WHERE stage = ${p.add(q.stage)} AND status = 'completed' AND document_id IS NOT NULL AND metadata ? 'decision'
             AND ((model_name = ${cm} AND model_version = ${cv}) OR (model_name = ${tm} AND model_version = ${tv}))
             AND "timestamp" >= ${p.add(q.from.toISOString())} AND "timestamp" < ${p.add(q.to.toISOString())}
             AND ${p.scope(scope)} AND ${p.tenants(q.tenants)}) x
         ORDER BY tenant_id, document_id, variant, seq DESC)
       SELECT c.document_id, c.decision AS control, t.decision AS treatment, (c.decision = t.decision) AS agree
       FROM d c JOIN d t ON t.tenant_id = c.tenant_id AND t.document_id = c.document_id AND t.variant = 'treatment'
       WHERE c.variant = 'control'
       ORDER BY c.document_id LIMIT 100000`,
        p.values,
      ),
    );
    return rows.map((r) => ({ document_id: r.document_id as string, control: r.control, treatment: r.treatment, agree: Boolean(r.agree) }));
  }

  async metricsSummary(scope: TenantScope, filter: EventFilter, windowS: number): Promise<MetricsRow[]> {
    return this.run(scope, async (db) => {
      const w = new Where().scope(scope).filter(filter);
      // The window is a bound parameter, never text in the SQL.
      const since = `now() - make_interval(secs => ${w.p.add(windowS)}::float8)`;
      w.raw(`"timestamp" >= ${since}`);
      // In flight: started within the window and still open (migrations/0013), so the
      // filters apply to the start event itself. An open row's tenant is its start's, so
      // only the tenants asked for are read from the set. Status: error when the last
      // minute had failures, processing when something is in flight, else idle.
      const open = new Where(w.p).scope(scope).raw('NOT ended').raw(`started_at >= ${since}`);
      if (filter.tenant_id) open.add('tenant_id = ?', filter.tenant_id);
      // Grouped by hash, each group keeping its completed durations; the percentiles then
      // sort only those, per group. percentile_cont() in the grouping query itself made
      // PostgreSQL 15 sort every row of the window by the group key first (no hash
      // grouping with ordered-set aggregates): for the busiest tenant over 24 h at 10 M
      // events, 124 k wide rows, on disk at the default work_mem. Same percentiles.
      const { rows } = await db.query(
        `WITH agg AS (
           SELECT stage, model_name, model_version,
             count(*) FILTER (WHERE status IN ('completed', 'failed')) AS calls,
             count(*) FILTER (WHERE status = 'started'
               AND (invocation_id, tenant_id) IN (SELECT invocation_id, tenant_id FROM open_invocations ${open.sql})) AS in_flight,
             count(*) FILTER (WHERE status IN ('failed', 'abandoned')) AS errors,
             count(*) FILTER (WHERE status IN ('failed', 'abandoned') AND "timestamp" >= now() - interval '60 seconds') AS recent_errors,
             array_agg(duration_ms) FILTER (WHERE status = 'completed') AS durations,
             coalesce(sum(input_tokens), 0) AS input_tokens, coalesce(sum(output_tokens), 0) AS output_tokens,
             coalesce(sum(cost_usd), 0) AS cost_usd, max(received_at) AS last_seen
           FROM model_events ${w.sql} GROUP BY stage, model_name, model_version)
         SELECT stage, model_name, model_version, calls, in_flight, errors, recent_errors, p[1] AS p50, p[2] AS p95, p[3] AS p99,
           input_tokens, output_tokens, cost_usd, last_seen
         FROM agg, LATERAL (SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY d) AS p FROM unnest(durations) d) pct
         ORDER BY stage, model_name, model_version`,
        w.params,
      );
      return rows.map((r) => {
        const calls = Number(r.calls);
        const errors = Number(r.errors);
        const inFlight = Number(r.in_flight);
        return {
          stage: r.stage as string,
          model_name: r.model_name as string,
          model_version: r.model_version as string,
          calls,
          in_flight: inFlight,
          errors,
          error_rate: calls ? errors / calls : 0,
          p50_ms: numOrNull(r.p50),
          p95_ms: numOrNull(r.p95),
          p99_ms: numOrNull(r.p99),
          throughput_per_s: calls / windowS,
          input_tokens: Number(r.input_tokens),
          output_tokens: Number(r.output_tokens),
          cost_usd: Number(r.cost_usd),
          last_seen: isoOrNull(r.last_seen),
          status: Number(r.recent_errors) > 0 ? 'error' : inFlight > 0 ? 'processing' : 'idle',
        };
      });
    });
  }

  async timeseries(scope: TenantScope, filter: EventFilter, windowS: number, stepS: number): Promise<TimeseriesSeries[]> {
    return this.run(scope, async (db) => {
      const w = new Where().scope(scope).filter(filter);
      w.raw(`"timestamp" >= now() - make_interval(secs => ${w.p.add(windowS)}::float8)`).raw(`status IN ('completed', 'failed')`);
      const step = w.p.add(stepS);
      const { rows } = await db.query(
        `SELECT model_name, model_version,
           date_bin(make_interval(secs => ${step}::float8), "timestamp", TIMESTAMPTZ '2000-01-01') AS t,
           count(*) AS calls, count(*) FILTER (WHERE status = 'failed') AS errors,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95,
           percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms) AS p99,
           coalesce(sum(input_tokens), 0) AS input_tokens, coalesce(sum(output_tokens), 0) AS output_tokens,
           coalesce(sum(cost_usd), 0) AS cost_usd
         FROM model_events ${w.sql}
         GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
        w.params,
      );
      const series = new Map<string, TimeseriesSeries>();
      for (const r of rows) {
        const key = `${r.model_name}@${r.model_version}`;
        let s = series.get(key);
        if (!s) {
          s = { key, model_name: r.model_name as string, model_version: r.model_version as string, points: [] };
          series.set(key, s);
        }
        s.points.push({
          t: isoOrNull(r.t) as string,
          calls: Number(r.calls),
          errors: Number(r.errors),
          p50_ms: numOrNull(r.p50),
          p95_ms: numOrNull(r.p95),
          p99_ms: numOrNull(r.p99),
          input_tokens: Number(r.input_tokens),
          output_tokens: Number(r.output_tokens),
          cost_usd: Number(r.cost_usd),
        });
      }
      return [...series.values()];
    });
  }

  async costs(scope: TenantScope, groupBy: CostGroup, from: Date, to: Date): Promise<CostRow[]> {
    return this.run(scope, async (db) => {
      // Per document the rollups have no document column: read the events themselves.
      if (groupBy === 'document') {
        const w = new Where().scope(scope).add('"timestamp" >= ?', from.toISOString()).add('"timestamp" < ?', to.toISOString());
        const { rows } = await db.query(
          `SELECT coalesce(document_id, '(none)') AS key, count(*) AS calls, count(*) FILTER (WHERE status = 'failed') AS errors,
             coalesce(sum(input_tokens), 0) AS input_tokens, coalesce(sum(output_tokens), 0) AS output_tokens,
             ${TOKEN_PART_SUMS}, coalesce(sum(cost_usd), 0) AS cost_usd
           FROM model_events ${w.sql} AND status IN ('completed', 'failed') GROUP BY 1 ORDER BY cost_usd DESC LIMIT 1000`,
          w.params,
        );
        return rows.map(costRow);
      }
      const keyExpr = { model: `model_name || '@' || model_version`, tenant: 'tenant_id', stage: 'stage' }[groupBy];
      const w = new Where().scope(scope).add('hour >= ?', from.toISOString()).add('hour < ?', to.toISOString());
      const { rows } = await db.query(
        `SELECT ${keyExpr} AS key, sum(calls) AS calls, sum(errors) AS errors, sum(input_tokens) AS input_tokens,
           sum(output_tokens) AS output_tokens, ${TOKEN_PART_SUMS}, sum(cost_usd) AS cost_usd
         FROM cost_metrics ${w.sql} GROUP BY 1 ORDER BY cost_usd DESC`,
        w.params,
      );
      return rows.map(costRow);
    });
  }
}

/** The token parts of a cost row: the same column names on model_events and cost_metrics. */
const TOKEN_PART_SUMS = `coalesce(sum(cached_input_tokens), 0) AS cached_input_tokens,
  coalesce(sum(cache_write_tokens), 0) AS cache_write_tokens, coalesce(sum(reasoning_tokens), 0) AS reasoning_tokens`;

function costRow(r: Record<string, unknown>): CostRow {
  return {
    key: r.key as string,
    calls: Number(r.calls),
    errors: Number(r.errors),
    input_tokens: Number(r.input_tokens),
    output_tokens: Number(r.output_tokens),
    cached_input_tokens: Number(r.cached_input_tokens),
    cache_write_tokens: Number(r.cache_write_tokens),
    reasoning_tokens: Number(r.reasoning_tokens),
    cost_usd: Number(r.cost_usd),
  };
}
