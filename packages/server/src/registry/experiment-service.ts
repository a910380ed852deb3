import {
  type CreateExperimentBody,
  type Deployment,
  type Experiment,
  type ExperimentResults,
  newId,
  type PromoteExperimentBody,
  type SignificanceTest,
  type VariantName,
  type VariantResult,
} from '@frostbyte/contracts';
import type { SqlClient } from '../storage/sql-client.ts';
import type { TenantScope } from '../kernel/tenant-scope.ts';
import { type Actor, actorName } from '../kernel/actor.ts';
import type { AuditFn } from './audit-hook.ts';
import { badRequest, conflict, notFound } from '../kernel/errors.ts';
import type { EventStats, VariantStats } from '../storage/event-stats.ts';
import { RegistryRepository } from './registry-repository.ts';
import type { RegistryService } from './registry-service.ts';
import { checkTenantScope, narrowToScope } from './scope.ts';
import { twoProportionZTest, welchTTest } from './stats-math.ts';

export const ALPHA = 0.05;
/** Below this many calls per variant no verdict is given, whatever the p-value. */
export const MIN_CALLS_FOR_VERDICT = 20;
/** Decisions made by the control before the experiment began still count for agreement
 * (the same document reprocessed under the treatment). */
const AGREEMENT_LOOKBACK_MS = 7 * 86_400_000;

/**
 * A/B experiments: two versions of one stage, documents split by a sticky hash (see
 * `experimentVariant` in the contracts; the pipeline applies it). Starting one records
 * a `traffic_split` deployment; promoting deploys the winner and ends it.
 */
export class ExperimentService {
  constructor(
    private readonly db: SqlClient,
    private readonly stats: EventStats,
    private readonly registry: RegistryService,
    private readonly audit: AuditFn,
  ) {}

  /** Experiments that concern `scope`'s tenants, naming only those (see narrowToScope). A
   * limited scope may get fewer than `limit`: the limit applies before the narrowing. */
  async list(scope: TenantScope, f: { state?: string; stage?: string; model?: string; limit?: number }) {
    const all = await new RegistryRepository(this.db).listExperiments({ ...f, limit: f.limit ?? 100 });
    return all.map((e) => narrowToScope(scope, e)).filter((e): e is Experiment => e !== null);
  }

  async get(scope: TenantScope, id: string): Promise<Experiment> {
    const e = await new RegistryRepository(this.db).getExperiment(id);
    const mine = e ? narrowToScope(scope, e) : null;
    if (!mine) throw notFound(`no experiment ${id}`);
    return mine;
  }

  async create(actor: Actor, scope: TenantScope, body: CreateExperimentBody): Promise<{ experiment: Experiment; deployment: Deployment }> {
    const tenants = body.tenants ?? null;
    checkTenantScope(scope, tenants);
    const result = await this.db.transaction(async (tx) => {
      const repo = new RegistryRepository(tx);
      await repo.lockStage(body.stage);
      const running = await repo.runningExperiment(body.stage);
      if (running) {
        throw conflict(`experiment '${running.name}' (${running.id}) is already running on stage ${body.stage}; stop or promote it first`, {
          experiment_id: running.id,
        });
      }
      let control = body.control ?? null;
      if (!control) {
        const primary =
          (await repo.allActive()).find((a) => a.stage === body.stage && a.tenant_id === (tenants?.[0] ?? '*')) ??
          (await repo.allActive()).find((a) => a.stage === body.stage && a.tenant_id === '*');
        if (!primary) throw conflict(`nothing is active on stage ${body.stage} to use as the control; name \`control\``);
        control = { model_name: primary.model_name, version: primary.version };
      }
      if (control.model_name === body.treatment.model_name && control.version === body.treatment.version) {
        throw badRequest('control and treatment are the same model version; pick two different ones');
      }
      for (const [label, ref] of [
        ['control', control],
        ['treatment', body.treatment],
      ] as const) {
        const model = await repo.getModel(ref.model_name);
        if (!model) throw notFound(`${label}: no model '${ref.model_name}' in the registry`);
        if (model.stage !== body.stage)
          throw conflict(`${label}: '${ref.model_name}' is a ${model.stage} model, not ${body.stage}; both variants must be of one stage`);
        if (!(await repo.getVersion(ref.model_name, ref.version))) {
          const known = (await repo.listVersions(ref.model_name)).map((v) => v.version);
          throw notFound(
            `${label}: model '${ref.model_name}' has no version '${ref.version}'; registered versions: ${known.join(', ') || '(none)'}`,
          );
        }
      }
      const experiment = await repo.insertExperiment({
        id: newId(),
        name: body.name,
        stage: body.stage,
        control,
        treatment: body.treatment,
        treatment_percent: body.treatment_percent,
        tenants: tenants ? [...tenants] : null,
        state: 'running',
        created_by: actorName(actor),
        reason: body.reason,
      });
      if (!experiment) throw conflict(`another experiment started on stage ${body.stage} at the same moment`);
      const active = await repo.activeOf(body.treatment.model_name);
      const star = active.find((a) => a.tenant_id === '*')?.version ?? null;
      const deployment = await repo.insertDeployment({
        id: newId(),
        model_name: body.treatment.model_name,
        stage: body.stage,
        from_version: star,
        to_version: body.treatment.version,
        from_by_tenant: { '*': star },
        tenants: experiment.tenants,
        kind: 'traffic_split',
        actor: actorName(actor),
        reason: `${body.treatment_percent}% of documents to ${body.treatment.model_name} ${body.treatment.version} (experiment '${body.name}'): ${body.reason}`,
        experiment_id: experiment.id,
      });
      return { experiment, deployment };
    });
    await this.audit(actor, {
      action: 'experiments.start',
      target: `experiment:${result.experiment.id}`,
      details: {
        name: body.name,
        stage: body.stage,
        control: result.experiment.control,
        treatment: body.treatment,
        treatment_percent: body.treatment_percent,
        reason: body.reason,
      },
      tenants: result.experiment.tenants,
    });
    this.registry.onChange();
    return result;
  }

  /**
   * The experiment, whole, for a change by `scope`: 404 when the caller sees none of its
   * tenants (as for an id that does not exist), 403 when it also concerns tenants the
   * caller does not cover (or every tenant: then it needs a '*' credential).
   */
  private async forChange(scope: TenantScope, id: string): Promise<Experiment> {
    const e = await new RegistryRepository(this.db).getExperiment(id);
    if (!e || !narrowToScope(scope, e)) throw notFound(`no experiment ${id}`);
    checkTenantScope(scope, e.tenants);
    return e;
  }

  async stop(actor: Actor, scope: TenantScope, id: string, reason: string): Promise<Experiment> {
    const e = await this.forChange(scope, id);
    const ended = await this.db.transaction(async (tx) => {
      const repo = new RegistryRepository(tx);
      await repo.lockStage(e.stage);
      const done = await repo.endExperiment(id, { state: 'stopped', ended_by: actorName(actor), end_reason: reason, winner: null });
      if (!done) throw conflict(`experiment ${id} is not running (it is ${(await repo.getExperiment(id))?.state})`);
      return done;
    });
    await this.audit(actor, { action: 'experiments.stop', target: `experiment:${id}`, details: { reason }, tenants: ended.tenants });
    this.registry.onChange();
    return ended;
  }

  /** Deploys the winner (the named variant, else the significant one) to the
   * experiment's tenants and ends the experiment, in one transaction. */
  async promote(
    actor: Actor,
    scope: TenantScope,
    id: string,
    body: PromoteExperimentBody,
  ): Promise<{ experiment: Experiment; deployment: Deployment | null }> {
    const e = await this.forChange(scope, id);
    if (e.state !== 'running') throw conflict(`experiment ${id} is not running (it is ${e.state})`);
    let variant = body.variant ?? null;
    if (!variant) {
      const r = await this.results(scope, id);
      variant = r.recommendation.winner;
      if (!variant) throw conflict(`no significant winner yet (${r.recommendation.reason}); name the \`variant\` to promote`);
    }
    const winner = e[variant];
    const reason = `promoted ${variant} of experiment '${e.name}': ${body.reason}`;
    const end = async (repo: RegistryRepository) => {
      const done = await repo.endExperiment(id, {
        state: 'promoted',
        ended_by: actorName(actor),
        end_reason: body.reason,
        winner: variant,
      });
      if (!done) throw conflict(`experiment ${id} ended meanwhile`);
      return done;
    };
    // The winner may already be what runs (typically the control): then only the
    // experiment ends; a deploy of the same version would be a no-op.
    const active = await new RegistryRepository(this.db).activeOf(winner.model_name);
    const runs = (t: string) =>
      (active.find((a) => a.tenant_id === t) ?? active.find((a) => a.tenant_id === '*'))?.version === winner.version;
    const alreadyActive =
      e.tenants === null
        ? active.find((a) => a.tenant_id === '*')?.version === winner.version && active.every((a) => a.version === winner.version)
        : e.tenants.every(runs);
    let deployment: Deployment | null = null;
    let experiment: Experiment | null = null;
    if (alreadyActive) {
      experiment = await this.db.transaction(async (tx) => {
        const repo = new RegistryRepository(tx);
        await repo.lockStage(e.stage);
        return end(repo);
      });
    } else {
      deployment = await this.registry.change(
        actor,
        winner.model_name,
        { version: winner.version, tenants: e.tenants, reason, kind: 'deploy', experiment_id: e.id },
        async (repo) => {
          experiment = await end(repo);
        },
      );
    }
    await this.audit(actor, {
      action: 'experiments.promote',
      target: `experiment:${id}`,
      details: { variant, winner, reason: body.reason, deployment_id: deployment?.id ?? null },
      tenants: e.tenants,
    });
    this.registry.onChange();
    return { experiment: experiment ?? (await this.get(scope, id)), deployment };
  }

  async results(scope: TenantScope, id: string): Promise<ExperimentResults> {
    const e = await this.get(scope, id);
    const from = new Date(e.started_at);
    const to = e.ended_at ? new Date(e.ended_at) : new Date(Date.now() + 60_000);
    const q = (v: VariantName) =>
      this.stats.variantStats(scope, { stage: e.stage, model_name: e[v].model_name, version: e[v].version, from, to, tenants: e.tenants });
    const [c, t, agreement] = await Promise.all([
      q('control'),
      q('treatment'),
      this.stats.decisionAgreement(scope, {
        stage: e.stage,
        control: e.control,
        treatment: e.treatment,
        from: new Date(from.getTime() - AGREEMENT_LOOKBACK_MS),
        to,
        tenants: e.tenants,
      }),
    ]);
    const errorTest = errorRateTest(c, t);
    const latencyTest = latencyWelch(c, t);
    const agreeing = agreement.filter((a) => a.agree).length;
    return {
      experiment: e,
      generated_at: new Date().toISOString(),
      variants: [variantResult('control', e, c), variantResult('treatment', e, t)],
      agreement: {
        compared_documents: agreement.length,
        agreeing,
        rate: agreement.length ? agreeing / agreement.length : null,
        disagreements: agreement
          .filter((a) => !a.agree)
          .slice(0, 20)
          .map(({ document_id, control, treatment }) => ({ document_id, control, treatment })),
      },
      significance: { alpha: ALPHA, error_rate: errorTest, latency: latencyTest },
      recommendation: recommend(errorTest, latencyTest, c, t),
    };
  }
}

function variantResult(variant: VariantName, e: Experiment, s: VariantStats): VariantResult {
  return {
    variant,
    model_name: e[variant].model_name,
    version: e[variant].version,
    calls: s.calls,
    errors: s.errors,
    error_rate: s.calls ? s.errors / s.calls : 0,
    p50_ms: s.p50_ms,
    p95_ms: s.p95_ms,
    mean_ms: s.mean_ms,
    stddev_ms: s.var_ms === null ? null : Math.sqrt(s.var_ms),
    documents: s.documents,
    cost_usd: s.cost_usd,
    cost_per_document_usd: s.documents ? s.cost_usd / s.documents : null,
    confidence: {
      count: s.confidence_count,
      mean: s.confidence_mean,
      buckets: s.buckets.map((count, i) => ({ from: i / 10, to: (i + 1) / 10, count })),
    },
  };
}

const enough = (c: VariantStats, t: VariantStats) => c.calls >= MIN_CALLS_FOR_VERDICT && t.calls >= MIN_CALLS_FOR_VERDICT;

/** What both tests conclude from a p-value: significant only below ALPHA and with
 * enough calls in both variants; the notes say why there is no verdict. */
function verdict(
  c: VariantStats,
  t: VariantStats,
  test: string,
  r: { statistic: number | null; p_value: number | null },
  treatmentBetter: () => boolean,
  notes: { noData: string; better: (who: VariantName) => string; same: string },
): SignificanceTest {
  const significant = r.p_value !== null && r.p_value < ALPHA && enough(c, t);
  const better: VariantName | null = significant ? (treatmentBetter() ? 'treatment' : 'control') : null;
  return {
    test,
    statistic: r.statistic,
    p_value: r.p_value,
    significant,
    better,
    note:
      r.p_value === null
        ? notes.noData
        : !enough(c, t)
          ? `fewer than ${MIN_CALLS_FOR_VERDICT} calls in a variant: no verdict yet`
          : better
            ? notes.better(better)
            : notes.same,
  };
}

export function errorRateTest(c: VariantStats, t: VariantStats): SignificanceTest {
  const r = twoProportionZTest(c.errors, c.calls, t.errors, t.calls);
  return verdict(c, t, 'two-proportion z-test (pooled), two-sided, on error rate', r, () => t.errors / t.calls < c.errors / c.calls, {
    noData: 'no calls in one variant yet',
    better: (who) => `${who} has the lower error rate`,
    same: 'no significant difference in error rate',
  });
}

export function latencyWelch(c: VariantStats, t: VariantStats): SignificanceTest {
  const r =
    c.mean_ms === null || t.mean_ms === null || c.var_ms === null || t.var_ms === null
      ? { statistic: null, p_value: null, df: null }
      : welchTTest(c.mean_ms, c.var_ms, c.completed, t.mean_ms, t.var_ms, t.completed);
  const test = `Welch's t-test, two-sided, on mean latency of completed calls${r.df ? ` (df ${r.df.toFixed(1)})` : ''}`;
  return verdict(c, t, test, r, () => (t.mean_ms as number) < (c.mean_ms as number), {
    noData: 'fewer than two completed calls in a variant',
    better: (who) => `${who} is faster`,
    same: 'no significant difference in latency',
  });
}

/** Reliability first: a significantly lower error rate wins; otherwise a significantly
 * lower latency, unless that variant fails significantly more. */
function recommend(err: SignificanceTest, lat: SignificanceTest, c: VariantStats, t: VariantStats): ExperimentResults['recommendation'] {
  if (err.significant && err.better)
    return { winner: err.better, reason: `${err.better} has a significantly lower error rate (p = ${fmtP(err.p_value)})` };
  if (lat.significant && lat.better)
    return {
      winner: lat.better,
      reason: `${lat.better} is significantly faster (p = ${fmtP(lat.p_value)}) with no significant difference in error rate`,
    };
  return { winner: null, reason: `no significant difference yet (control ${c.calls} calls, treatment ${t.calls} calls)` };
}

const fmtP = (p: number | null) => (p === null ? 'n/a' : p < 1e-4 ? p.toExponential(1) : p.toFixed(4));
