import { type Alert, PIPELINE_STAGES, type PipelineStatus } from '@frostbyte/contracts';
import type { EventStats, StageWindowStats } from '../storage/event-stats.ts';
import type { RegistryService } from '../registry/registry-service.ts';
import type { TenantScope } from '../kernel/tenant-scope.ts';
import { detectBottleneck } from './bottleneck.ts';
import type { AlertRules } from './thresholds.ts';
import type { ModelCost, PipelineSnapshot, StageSnapshot } from './snapshot.ts';
import { modelLabel } from './words.ts';

/** Seconds that count as "now" for the live status (calls ended this recently mean
 * the stage is processing even when nothing is in flight at this instant). */
const LIVE_S = 10;

/**
 * Reads the pipeline's state from the events: per stage over a recent window and
 * the baseline before it, in flight, cost per hour. The alert evaluator and
 * `GET /v1/pipeline` read the same snapshot, so the schematic and the alerts agree.
 */
export class PipelineMonitor {
  constructor(
    private readonly stats: EventStats,
    private readonly registry: RegistryService,
    private readonly opts: { abandonAfterMs: number; slowFiguresMs: number },
  ) {}

  async snapshot(
    scope: TenantScope,
    q: { tenant: string | null; window_s: number; baseline_s: number; costs?: boolean },
  ): Promise<PipelineSnapshot> {
    return assemble(await this.figures(scope, { ...q, perTenant: false }), q);
  }

  /**
   * The whole pipeline's snapshot and one per tenant seen in the window, its baseline or
   * in flight, from the same scans (GROUPING SETS): the alert evaluator reads each event
   * once per evaluation however many tenants there are.
   */
  async snapshotsAll(q: { window_s: number; baseline_s: number; costs?: boolean }): Promise<{
    pipeline: PipelineSnapshot;
    tenants: Map<string, PipelineSnapshot>;
  }> {
    const all = await this.figures('*', { ...q, tenant: null, perTenant: true });
    const tenants = new Set<string>();
    for (const rows of [all.recent, all.base, all.inflight, all.costs.last]) {
      for (const r of rows) if (r.tenant_id !== null) tenants.add(r.tenant_id);
    }
    const of = <T extends { tenant_id: string | null }>(rows: T[], t: string | null) => rows.filter((r) => r.tenant_id === t);
    const part = (t: string | null): PipelineSnapshot =>
      assemble(
        {
          at: all.at,
          recent: of(all.recent, t),
          base: of(all.base, t),
          inflight: of(all.inflight, t),
          costs: { last: of(all.costs.last, t), prev: of(all.costs.prev, t) },
        },
        q,
      );
    return { pipeline: part(null), tenants: new Map([...tenants].sort().map((t) => [t, part(t)])) };
  }

  /**
   * Figures that move slowly are read at most once per `slowFiguresMs` (a minute) per
   * scope and question: the baseline (the hour before the window: a minute shifts it by
   * 1/60) and the cost of the last two hours. Each is a scan of an hour or two of events,
   * and the schematic polls every 2 s per open dashboard while the evaluator runs every
   * few seconds.
   */
  readonly #slow = new Map<string, { at: number; value: Promise<unknown> }>();
  #cached<T>(key: string, read: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.#slow.get(key);
    if (hit && now - hit.at < this.opts.slowFiguresMs) return hit.value as Promise<T>;
    const value = read();
    value.catch(() => {
      if (this.#slow.get(key)?.value === value) this.#slow.delete(key); // a failed read is not kept
    });
    if (this.#slow.size >= 256) for (const [k, v] of this.#slow) if (now - v.at >= this.opts.slowFiguresMs) this.#slow.delete(k);
    if (this.#slow.size >= 256) this.#slow.clear();
    this.#slow.set(key, { at: now, value });
    return value;
  }

  private async figures(
    scope: TenantScope,
    q: { tenant: string | null; window_s: number; baseline_s: number; costs?: boolean; perTenant: boolean },
  ): Promise<Figures> {
    const at = new Date();
    const windowFrom = new Date(at.getTime() - q.window_s * 1000);
    const hour = 3600_000;
    const { tenant, perTenant } = q;
    const key = JSON.stringify([scope, tenant, perTenant, q.window_s, q.baseline_s]);
    const [recent, base, inflight, costs] = await Promise.all([
      this.stats.stageWindow(scope, { from: windowFrom, to: new Date(at.getTime() + 1000), tenant, perTenant, recentS: LIVE_S }),
      this.#cached(`base${key}`, () =>
        this.stats.stageWindow(scope, { from: new Date(windowFrom.getTime() - q.baseline_s * 1000), to: windowFrom, tenant, perTenant, recentS: 0 }),
      ),
      this.stats.stageInFlight(scope, { since: new Date(at.getTime() - this.opts.abandonAfterMs), tenant, perTenant }),
      q.costs
        ? this.#cached(`costs${key}`, async () => {
            const [last, prev] = await Promise.all([
              this.stats.costByModel(scope, new Date(at.getTime() - hour), at, perTenant),
              this.stats.costByModel(scope, new Date(at.getTime() - 2 * hour), new Date(at.getTime() - hour), perTenant),
            ]);
            return { last, prev };
          })
        : Promise.resolve({ last: [], prev: [] }),
    ]);
    return { at, recent, base, inflight, costs };
  }

  async status(
    scope: TenantScope,
    q: { tenant: string | null; window_s: number; baseline_s: number },
    activeAlerts: Alert[],
    rules: AlertRules,
  ): Promise<PipelineStatus> {
    const snap = await this.snapshot(scope, q);
    const [config, observed] = await Promise.all([
      this.registry.pipelineConfig(q.tenant),
      this.stats.observedModels(scope, { from: new Date(snap.at.getTime() - q.window_s * 1000), tenant: q.tenant }),
    ]);
    const bottleneck = detectBottleneck(snap.stages, rules);
    const stages = snap.stages.map((s) => {
      const cfg = config.stages.find((c) => c.stage === s.stage);
      const models: PipelineStatus['stages'][number]['models'] = [];
      const add = (m: string, v: string, source: 'registry' | 'observed') => {
        if (!models.some((x) => x.model_name === m && x.version === v))
          models.push({ model_name: m, version: v, label: modelLabel(m, v), source });
      };
      for (const m of cfg?.models ?? []) add(m.model_name, m.version, 'registry');
      if (cfg?.experiment) {
        add(cfg.experiment.control.model_name, cfg.experiment.control.version, 'registry');
        add(cfg.experiment.treatment.model_name, cfg.experiment.treatment.version, 'registry');
      }
      for (const o of observed.filter((o) => o.stage === s.stage)) add(o.model_name, o.model_version, 'observed');
      const status: 'idle' | 'processing' | 'error' =
        s.recent_errors > 0 ? 'error' : s.in_flight > 0 || s.recent_calls > 0 ? 'processing' : 'idle';
      return {
        stage: s.stage,
        models,
        status,
        in_flight: s.in_flight,
        calls: s.calls,
        errors: s.errors,
        error_rate: s.error_rate,
        throughput_per_s: s.throughput_per_s,
        p50_ms: s.p50_ms,
        p95_ms: s.p95_ms,
        baseline_p95_ms: s.baseline_p95_ms,
        latency_share: s.latency_share,
        last_seen: s.last_seen,
        bottleneck: bottleneck?.stage === s.stage,
        open_alerts: activeAlerts.filter((a) => a.stage === s.stage).length,
      };
    });
    const order: string[] = [...PIPELINE_STAGES];
    const edges = order.slice(1).map((to, i) => {
      const from = order[i] as string;
      const t = stages.find((s) => s.stage === to);
      const f = stages.find((s) => s.stage === from);
      return { from, to, flow_per_s: t?.throughput_per_s || f?.throughput_per_s || 0 };
    });
    return {
      generated_at: snap.at.toISOString(),
      window_s: q.window_s,
      baseline_s: q.baseline_s,
      stages,
      edges,
      bottleneck,
      alerts: activeAlerts,
    };
  }
}

type CostRow = Awaited<ReturnType<EventStats['costByModel']>>[number];

/** What the stats queries return for one snapshot (of one scope, or of every tenant). */
interface Figures {
  at: Date;
  recent: StageWindowStats[];
  base: StageWindowStats[];
  inflight: { tenant_id: string | null; stage: string; n: number }[];
  costs: { last: CostRow[]; prev: CostRow[] };
}

function assemble(f: Figures, q: { window_s: number; baseline_s: number }): PipelineSnapshot {
  const { at, recent, base } = f;
  const inflight = new Map(f.inflight.map((r) => [r.stage, r.n]));
  const names = [...new Set([...PIPELINE_STAGES, ...recent.map((s) => s.stage), ...base.map((s) => s.stage), ...inflight.keys()])];
  const totalMean = recent.reduce((sum, s) => sum + (s.mean_ms ?? 0), 0);
  const stages: StageSnapshot[] = names.map((stage) => {
    const r = recent.find((s) => s.stage === stage);
    const b = base.find((s) => s.stage === stage);
    const calls = r?.calls ?? 0;
    return {
      stage,
      calls,
      errors: r?.errors ?? 0,
      error_rate: calls ? (r?.errors ?? 0) / calls : 0,
      recent_calls: r?.recent_calls ?? 0,
      recent_errors: r?.recent_errors ?? 0,
      p50_ms: r?.p50_ms ?? null,
      p95_ms: r?.p95_ms ?? null,
      mean_ms: r?.mean_ms ?? null,
      throughput_per_s: calls / q.window_s,
      in_flight: inflight.get(stage) ?? 0,
      last_seen: r?.last_seen ?? b?.last_seen ?? null,
      baseline_calls: b?.calls ?? 0,
      baseline_p95_ms: b?.p95_ms ?? null,
      baseline_mean_ms: b?.mean_ms ?? null,
      latency_share: r?.mean_ms != null && totalMean > 0 ? r.mean_ms / totalMean : null,
    };
  });
  const key = (r: CostRow) => `${r.stage}|${r.model_name}|${r.model_version}`;
  const prevBy = new Map(f.costs.prev.map((r) => [key(r), r]));
  const costs: ModelCost[] = f.costs.last.map((r) => ({
    stage: r.stage,
    model_name: r.model_name,
    model_version: r.model_version,
    last_hour_usd: r.cost_usd,
    last_hour_calls: r.calls,
    previous_hour_usd: prevBy.get(key(r))?.cost_usd ?? 0,
  }));
  return { at, window_s: q.window_s, baseline_s: q.baseline_s, stages, costs };
}
