import { createHash } from 'node:crypto';
import {
  type ConfigDiff,
  type DeployBody,
  type Deployment,
  type DeploymentKind,
  type Experiment,
  type Model,
  type ModelVersion,
  newId,
  PIPELINE_STAGES,
  type PipelineConfig,
  type PipelineModelConfig,
  type PipelineStageConfig,
  type RegisterModelBody,
  type RegisterVersionBody,
  type RollbackBody,
  type RollbackPreview,
  type RollbackPreviewBody,
  type TimelineItem,
} from '@frostbyte/contracts';
import { priceOf } from '../ingest/pricing.ts';
import type { SqlClient } from '../storage/sql-client.ts';
import type { TenantScope } from '../kernel/tenant-scope.ts';
import { type Actor, type AuditFn, actorName } from './audit-hook.ts';
import { diffConfig, diffCounts } from './config-diff.ts';
import { conflict, forbidden, notFound } from '../kernel/errors.ts';
import type { EventStats } from '../storage/event-stats.ts';
import { type ActiveRow, RegistryRepository, type VersionRow } from './registry-repository.ts';

const ALL = '*';

/** Whether two tenant selections (null = all) share a tenant. */
export const overlaps = (a: readonly string[] | null, b: readonly string[] | null) =>
  a === null || b === null || a.some((t) => b.includes(t));

/** A deploy for every tenant needs a caller who may act for every tenant; otherwise the
 * tenants must be named and be the caller's own. */
export function checkTenantScope(scope: TenantScope, tenants: readonly string[] | null) {
  if (scope === '*') return;
  if (tenants === null) throw forbidden('you may only change what runs for your own tenants: name them in `tenants`');
  const outside = tenants.filter((t) => !scope.includes(t));
  if (outside.length) throw forbidden(`no access to tenant(s) ${outside.join(', ')}`);
}

/** Whether `scope` may see a tenant of a registry record ('*' = every tenant: all may). */
export const seesTenant = (scope: TenantScope, tenant: string) => tenant === ALL || scope === '*' || scope.includes(tenant);

/**
 * A record aimed at some tenants, as `scope` may see it: with only its own tenants named
 * (and only theirs in `from_by_tenant`), or null when it concerns none of them. Records
 * for every tenant (`tenants` null) concern everyone. Tenant names are data too: a
 * tenant's users never learn which other tenants exist or what they run.
 */
export function narrowToScope<T extends { tenants: readonly string[] | null; from_by_tenant?: Record<string, string | null> }>(
  scope: TenantScope,
  r: T,
): T | null {
  if (scope === '*') return r;
  const out = { ...r };
  if (r.from_by_tenant) out.from_by_tenant = Object.fromEntries(Object.entries(r.from_by_tenant).filter(([t]) => seesTenant(scope, t)));
  if (r.tenants === null) return out;
  const mine = r.tenants.filter((t) => scope.includes(t));
  return mine.length ? { ...out, tenants: mine } : null;
}

const visible = <T>(items: (T | null)[]): T[] => items.filter((x): x is T => x !== null);

/** The version a tenant runs: its own deployment, else the all-tenants one. */
function effective(active: readonly ActiveRow[], tenant: string): ActiveRow | undefined {
  return active.find((a) => a.tenant_id === tenant) ?? active.find((a) => a.tenant_id === ALL);
}

export interface ChangeRequest {
  version: string;
  stage?: string | undefined;
  tenants: readonly string[] | null;
  reason: string;
  /** undefined: no check; null: expect nothing active. */
  expected?: string | null | undefined;
  kind: DeploymentKind;
  experiment_id?: string | null;
}

/**
 * The registry: models and their immutable versions, what is active for which
 * tenants, and every change to that as deployment history. Changes to one stage are
 * serialised by a transaction-scoped advisory lock (several server processes may
 * share the database), and `expected_current_version` makes a stale deploy fail with
 * 409 instead of silently overwriting someone else's.
 */
export class RegistryService {
  /** Called after every committed change (prices reload, pipeline config revision). */
  onChange: () => void = () => {};

  constructor(
    private readonly db: SqlClient,
    private readonly stats: EventStats,
    private readonly audit: AuditFn,
    private readonly opts: { abandonAfterMs: number },
  ) {}

  get repo() {
    return new RegistryRepository(this.db);
  }

  // ------------------------------------------------------------ models and versions

  async listModels(scope: TenantScope, stage?: string): Promise<Model[]> {
    const repo = this.repo;
    const [models, active] = await Promise.all([repo.listModels(stage), repo.allActive()]);
    return models.map((m) => ({
      ...m,
      active: active
        .filter((a) => a.model_name === m.name && seesTenant(scope, a.tenant_id))
        .sort((x, y) => Number(x.tenant_id !== ALL) - Number(y.tenant_id !== ALL) || x.tenant_id.localeCompare(y.tenant_id))
        .map((a) => ({ tenant: a.tenant_id, version: a.version, deployment_id: a.deployment_id, since: a.updated_at })),
    }));
  }

  async getModel(scope: TenantScope, name: string): Promise<Model> {
    const m = (await this.listModels(scope)).find((x) => x.name === name);
    if (!m) throw notFound(`no model '${name}' in the registry; register it with POST /v1/models`);
    return m;
  }

  async registerModel(actor: Actor, body: RegisterModelBody): Promise<{ model: Model; version: ModelVersion | null }> {
    const version = await this.db.transaction(async (tx) => {
      const repo = new RegistryRepository(tx);
      const created = await repo.insertModel({
        name: body.name,
        stage: body.stage,
        description: body.description ?? null,
        created_by: actorName(actor),
      });
      if (!created) {
        const existing = await repo.getModel(body.name);
        throw conflict(
          `model '${body.name}' is already registered (stage ${existing?.stage}); add versions with POST /v1/models/${body.name}/versions`,
        );
      }
      return body.version ? this.insertVersion(repo, actor, created, body.version) : null;
    });
    await this.audit(actor, {
      action: 'registry.model.register',
      target: `model:${body.name}`,
      details: { stage: body.stage, description: body.description ?? null, version: version?.version ?? null },
      tenants: null,
    });
    if (version) await this.auditVersion(actor, version);
    this.onChange();
    return { model: await this.getModel('*', body.name), version: version ? { ...version, active_for: [] } : null };
  }

  async listVersions(scope: TenantScope, name: string): Promise<ModelVersion[]> {
    const repo = this.repo;
    if (!(await repo.getModel(name))) throw notFound(`no model '${name}' in the registry`);
    const [versions, active] = await Promise.all([repo.listVersions(name), repo.activeOf(name)]);
    return versions.map((v) => ({
      ...v,
      active_for: active.filter((a) => a.version === v.version && seesTenant(scope, a.tenant_id)).map((a) => a.tenant_id),
    }));
  }

  async getVersion(name: string, version: string): Promise<VersionRow> {
    const repo = this.repo;
    const v = await repo.getVersion(name, version);
    if (!v) throw await this.noSuchVersion(repo, name, version);
    return v;
  }

  async registerVersion(actor: Actor, name: string, body: RegisterVersionBody): Promise<ModelVersion> {
    const v = await this.db.transaction(async (tx) => {
      const repo = new RegistryRepository(tx);
      const model = await repo.getModel(name);
      if (!model) throw notFound(`no model '${name}' in the registry; register it first with POST /v1/models`);
      return this.insertVersion(repo, actor, model, body);
    });
    await this.auditVersion(actor, v);
    this.onChange();
    return { ...v, active_for: [] };
  }

  private async insertVersion(repo: RegistryRepository, actor: Actor, model: { name: string; stage: string }, body: RegisterVersionBody) {
    if (body.stage && body.stage !== model.stage) {
      throw conflict(
        `'${model.name}' is a ${model.stage} model; a version of it cannot be for stage ${body.stage}. Register a separate model for ${body.stage}.`,
      );
    }
    const v = await repo.insertVersion({
      id: newId(),
      model_name: model.name,
      version: body.version,
      stage: model.stage,
      config: body.config ?? {},
      pricing: body.pricing ?? {},
      created_by: actorName(actor),
      reason: body.reason,
    });
    if (!v)
      throw conflict(
        `${model.name} ${body.version} is already registered; versions are immutable, so register the change as a new version`,
      );
    return v;
  }

  private async auditVersion(actor: Actor, v: VersionRow) {
    await this.audit(actor, {
      action: 'registry.version.register',
      target: `model:${v.model_name}@${v.version}`,
      details: { stage: v.stage, config: v.config, pricing: v.pricing, reason: v.reason },
      tenants: null,
    });
  }

  private async noSuchVersion(repo: RegistryRepository, name: string, version: string) {
    if (!(await repo.getModel(name))) return notFound(`no model '${name}' in the registry`);
    const known = (await repo.listVersions(name)).map((v) => v.version);
    return notFound(`model '${name}' has no version '${version}'; registered versions: ${known.length ? known.join(', ') : '(none)'}`, {
      registered_versions: known,
    });
  }

  // ------------------------------------------------------------ diff

  async diff(scope: TenantScope, name: string, a: string, b: string, windowS: number): Promise<ConfigDiff> {
    const [va, vb] = [await this.getVersion(name, a), await this.getVersion(name, b)];
    const entries = diffConfig(va.config, vb.config);
    const to = new Date();
    const from = new Date(to.getTime() - windowS * 1000);
    const [sa, sb] = await Promise.all([
      this.stats.versionStats(scope, { model_name: name, version: a, from, to, tenants: null }),
      this.stats.versionStats(scope, { model_name: name, version: b, from, to, tenants: null }),
    ]);
    return {
      model_name: name,
      from_version: a,
      to_version: b,
      identical: entries.length === 0,
      ...diffCounts(entries),
      entries,
      pricing: diffConfig(va.pricing, vb.pricing),
      stage_changed: va.stage !== vb.stage,
      from_config: va.config,
      to_config: vb.config,
      metrics: { window_s: windowS, from: sa, to: sb },
    };
  }

  // ------------------------------------------------------------ deploy and rollback

  async deploy(actor: Actor, scope: TenantScope, name: string, body: DeployBody): Promise<Deployment> {
    const tenants = body.tenants ?? null;
    checkTenantScope(scope, tenants);
    return this.change(actor, name, {
      version: body.version,
      stage: body.stage,
      tenants,
      reason: body.reason,
      expected: 'expected_current_version' in body ? (body.expected_current_version ?? null) : undefined,
      kind: 'deploy',
    });
  }

  async rollback(actor: Actor, scope: TenantScope, name: string, body: RollbackBody): Promise<Deployment> {
    const tenants = body.tenants ?? null;
    checkTenantScope(scope, tenants);
    return this.change(actor, name, {
      version: body.to_version,
      tenants,
      reason: body.reason,
      expected: 'expected_current_version' in body ? (body.expected_current_version ?? null) : undefined,
      kind: 'rollback',
    });
  }

  /**
   * Makes a version active for every tenant or some, in one transaction under the
   * stage's lock: checks (version exists, right stage, no running experiment in the
   * way, the expected current version), records the deployment, moves the active
   * rows. A rollback is an emergency: it stops a running experiment in its way
   * instead of being refused.
   */
  async change(
    actor: Actor,
    name: string,
    req: ChangeRequest,
    inTx?: (repo: RegistryRepository, d: Deployment) => Promise<void>,
  ): Promise<Deployment> {
    const stopped: Experiment[] = [];
    const deployment = await this.db.transaction(async (tx) => {
      const repo = new RegistryRepository(tx);
      const model = await repo.getModel(name);
      if (!model) throw notFound(`no model '${name}' in the registry`);
      const verb = req.kind === 'rollback' ? 'roll back' : 'deploy';
      if (req.stage && req.stage !== model.stage) {
        throw conflict(`cannot ${verb} '${name}' to stage ${req.stage}: it is a ${model.stage} model`, { model_stage: model.stage });
      }
      await repo.lockStage(model.stage);
      const version = await repo.getVersion(name, req.version);
      if (!version) throw await this.noSuchVersion(repo, name, req.version);

      const experiment = await repo.runningExperiment(model.stage);
      if (experiment && !req.experiment_id && overlaps(experiment.tenants, req.tenants)) {
        if (req.kind === 'deploy') {
          throw conflict(
            `experiment '${experiment.name}' (${experiment.id}) is splitting traffic on stage ${model.stage}; stop or promote it before deploying`,
            { experiment_id: experiment.id },
          );
        }
        const ended = await repo.endExperiment(experiment.id, {
          state: 'stopped',
          ended_by: actorName(actor),
          end_reason: `stopped by the rollback of ${name}: ${req.reason}`,
          winner: null,
        });
        if (ended) stopped.push(ended);
      }

      const active = await repo.activeOf(name);
      const fromByTenant: Record<string, string | null> = {};
      if (req.tenants === null) for (const a of active) fromByTenant[a.tenant_id] = a.version;
      else for (const t of req.tenants) fromByTenant[t] = effective(active, t)?.version ?? null;
      if (req.tenants === null && !(ALL in fromByTenant)) fromByTenant[ALL] = null;

      if (req.expected !== undefined) {
        const stale = Object.entries(fromByTenant).filter(([t, v]) => (req.tenants === null ? t === ALL : true) && v !== req.expected);
        if (stale.length) {
          const [t, v] = stale[0] as [string, string | null];
          const by = active.find((a) => a.tenant_id === t || (req.tenants !== null && a.tenant_id === ALL));
          throw conflict(
            `the active version of ${name} for ${t === ALL ? 'all tenants' : `tenant ${t}`} is ${v ?? 'none'}, not ${req.expected ?? 'none'}: ` +
              `it changed since you looked${by ? ` (deployment ${by.deployment_id} at ${by.updated_at})` : ''}; reload and try again`,
            { current_version: v, expected_current_version: req.expected },
          );
        }
      }
      const froms = [...new Set(Object.values(fromByTenant))];
      if (froms.length === 1 && froms[0] === req.version) {
        throw conflict(`${name} ${req.version} is already active for ${req.tenants === null ? 'all tenants' : req.tenants.join(', ')}`);
      }
      const d = await repo.insertDeployment({
        id: newId(),
        model_name: name,
        stage: model.stage,
        from_version: froms.length === 1 ? (froms[0] ?? null) : null,
        to_version: req.version,
        from_by_tenant: fromByTenant,
        tenants: req.tenants ? [...req.tenants] : null,
        kind: req.kind,
        actor: actorName(actor),
        reason: req.reason,
        experiment_id: req.experiment_id ?? null,
      });
      if (req.tenants === null) {
        await repo.clearTenantOverrides(name);
        await repo.setActive({ model_name: name, tenant_id: ALL, stage: model.stage, version: req.version, deployment_id: d.id });
      } else {
        for (const t of req.tenants)
          await repo.setActive({ model_name: name, tenant_id: t, stage: model.stage, version: req.version, deployment_id: d.id });
      }
      if (inTx) await inTx(repo, d);
      return d;
    });
    await this.audit(actor, {
      action: `registry.${deployment.kind}`,
      target: `model:${name}@${deployment.to_version}`,
      details: {
        deployment_id: deployment.id,
        stage: deployment.stage,
        from_version: deployment.from_version,
        from_by_tenant: deployment.from_by_tenant,
        to_version: deployment.to_version,
        reason: deployment.reason,
        experiment_id: deployment.experiment_id,
      },
      tenants: deployment.tenants,
    });
    for (const e of stopped) {
      await this.audit(actor, {
        action: 'experiments.stop',
        target: `experiment:${e.id}`,
        details: { reason: e.end_reason, by_deployment: deployment.id },
        tenants: e.tenants,
      });
    }
    this.onChange();
    return deployment;
  }

  async deployments(scope: TenantScope, name: string): Promise<Deployment[]> {
    const repo = this.repo;
    if (!(await repo.getModel(name))) throw notFound(`no model '${name}' in the registry`);
    return visible((await repo.deploymentsOf(name)).map((d) => narrowToScope(scope, d))).reverse();
  }

  async previewRollback(scope: TenantScope, name: string, body: RollbackPreviewBody): Promise<RollbackPreview> {
    const tenants = body.tenants ?? null;
    const repo = this.repo;
    const model = await repo.getModel(name);
    if (!model) throw notFound(`no model '${name}' in the registry`);
    const active = await repo.activeOf(name);
    const currentRows = tenants === null ? active.filter((a) => a.tenant_id === ALL) : tenants.map((t) => effective(active, t));
    if (currentRows.length === 0 || currentRows.some((r) => !r)) {
      throw conflict(
        `nothing of ${name} is active for ${tenants === null ? 'all tenants' : 'some of these tenants'}, so there is nothing to roll back`,
      );
    }
    const versions = [...new Set(currentRows.map((r) => (r as ActiveRow).version))];
    if (versions.length > 1) {
      throw conflict(`these tenants run different versions of ${name} (${versions.join(', ')}); preview each group separately`);
    }
    const current = versions[0] as string;
    let target = body.to_version;
    const history = await repo.deploymentsOf(name);
    if (!target) {
      // The version before the deploy that brought the current one in; a rollback's
      // "from" is the version rolled away from, never a default target.
      const last = [...history]
        .reverse()
        .find((d) => d.to_version === current && d.kind === 'deploy' && d.from_version && d.from_version !== current);
      if (!last?.from_version) throw conflict(`no earlier version of ${name} to roll back to from ${current}; name one in \`to_version\``);
      target = last.from_version;
    }
    const targetVersion = await repo.getVersion(name, target);
    if (!targetVersion) throw await this.noSuchVersion(repo, name, target);
    if (target === current) throw conflict(`${name} ${target} is already the active version`);

    const now = new Date();
    const windowS = body.window_s ?? 3600;
    const historyS = body.history_s ?? 7 * 86400;
    const since = new Date(Math.min(...currentRows.map((r) => Date.parse((r as ActiveRow).updated_at))));
    const [cur, tgt, inflight, wasDeployed] = await Promise.all([
      this.stats.versionStats(scope, {
        model_name: name,
        version: current,
        from: new Date(now.getTime() - windowS * 1000),
        to: now,
        tenants,
        rateFrom: since,
      }),
      this.stats.versionStats(scope, {
        model_name: name,
        version: target,
        from: new Date(now.getTime() - historyS * 1000),
        to: now,
        tenants,
      }),
      this.stats.inFlight(scope, {
        model_name: name,
        version: current,
        since: new Date(now.getTime() - this.opts.abandonAfterMs),
        tenants,
      }),
      repo.wasDeployed(name, target),
    ]);

    // The target's per-call cost: from its own history, else its prices applied to
    // the current version's average usage (what the same calls would cost on it).
    let targetCost: number | null = tgt.cost_per_call_usd;
    let source: 'history' | 'pricing' | 'unknown' = targetCost !== null ? 'history' : 'unknown';
    if (targetCost === null && cur.calls > 0) {
      targetCost = priceOf(targetVersion.pricing, {
        input_tokens: cur.avg_input_tokens === null ? null : Math.round(cur.avg_input_tokens),
        output_tokens: cur.avg_output_tokens === null ? null : Math.round(cur.avg_output_tokens),
      });
      if (targetCost !== null) source = 'pricing';
    }
    const perCallDelta = targetCost !== null && cur.cost_per_call_usd !== null ? targetCost - cur.cost_per_call_usd : null;
    const diff = (x: number | null, y: number | null) => (x === null || y === null ? null : x - y);
    const byTenant: Record<string, number> = {};
    for (const r of inflight) byTenant[r.tenant_id] = (byTenant[r.tenant_id] ?? 0) + 1;

    const warnings: string[] = [];
    if (!wasDeployed) warnings.push(`${name} ${target} was never deployed before`);
    if (tgt.calls === 0) warnings.push(`${target} has no calls in the last ${Math.round(historyS / 3600)} h to compare with`);
    if (cur.calls === 0) warnings.push(`${current} had no calls in the last ${Math.round(windowS / 60)} min`);
    if (tgt.calls > 0 && cur.calls > 0 && tgt.error_rate > cur.error_rate) {
      warnings.push(`${target} failed more often (${pct(tgt.error_rate)}) than ${current} (${pct(cur.error_rate)})`);
    }
    if (tgt.p95_ms !== null && cur.p95_ms !== null && tgt.p95_ms > cur.p95_ms * 1.2) {
      warnings.push(`${target} was slower: p95 ${Math.round(tgt.p95_ms)} ms against ${Math.round(cur.p95_ms)} ms`);
    }
    if (inflight.length) warnings.push(`${inflight.length} invocation(s) in flight will finish on ${current}`);
    const experiment = await repo.runningExperiment(model.stage);
    if (experiment && overlaps(experiment.tenants, tenants))
      warnings.push(`the rollback stops experiment '${experiment.name}' on stage ${model.stage}`);

    return {
      model_name: name,
      stage: model.stage,
      current_version: current,
      target_version: target,
      target_was_deployed: wasDeployed,
      tenants: tenants ? [...tenants] : null,
      running: active.filter((a) => a.version === current).map((a) => ({ stage: a.stage, tenant: a.tenant_id, version: a.version })),
      tenants_seen: cur.tenants,
      current: cur,
      target: tgt,
      delta: {
        error_rate: tgt.calls && cur.calls ? tgt.error_rate - cur.error_rate : null,
        p95_ms: diff(tgt.p95_ms, cur.p95_ms),
        cost_per_call_usd: perCallDelta,
      },
      in_flight: { count: inflight.length, invocation_ids: inflight.slice(0, 50).map((r) => r.invocation_id), by_tenant: byTenant },
      expected_cost_change: {
        per_call_delta_usd: perCallDelta,
        current_calls_per_hour: cur.calls_per_hour,
        per_hour_usd: perCallDelta === null ? null : perCallDelta * cur.calls_per_hour,
        per_day_usd: perCallDelta === null ? null : perCallDelta * cur.calls_per_hour * 24,
        target_cost_source: source,
      },
      warnings,
      expected_current_version: current,
    };
  }

  // ------------------------------------------------------------ timeline

  async timeline(scope: TenantScope, name: string): Promise<TimelineItem[]> {
    const repo = this.repo;
    if (!(await repo.getModel(name))) throw notFound(`no model '${name}' in the registry`);
    const [versions, allDeployments, allExperiments] = await Promise.all([
      repo.listVersions(name),
      repo.deploymentsOf(name),
      repo.listExperiments({ model: name, limit: 1000 }),
    ]);
    const deployments = visible(allDeployments.map((d) => narrowToScope(scope, d)));
    const experiments = visible(allExperiments.map((e) => narrowToScope(scope, e)));
    const items: (TimelineItem & { order: number })[] = [];
    versions.forEach((v, i) => {
      items.push({
        id: `version_registered:${v.id}`,
        at: v.created_at,
        kind: 'version_registered',
        model_name: name,
        version: v.version,
        from_version: null,
        tenants: null,
        actor: v.created_by,
        reason: v.reason,
        summary: `registered ${name} ${v.version}`,
        details: { stage: v.stage, pricing: v.pricing },
        order: 0,
      });
      const prev = versions[i - 1];
      if (!prev) return;
      const entries = diffConfig(prev.config, v.config);
      const pricing = diffConfig(prev.pricing, v.pricing);
      if (!entries.length && !pricing.length) return;
      const c = diffCounts(entries);
      items.push({
        id: `config_change:${v.id}`,
        at: v.created_at,
        kind: 'config_change',
        model_name: name,
        version: v.version,
        from_version: prev.version,
        tenants: null,
        actor: v.created_by,
        reason: v.reason,
        summary:
          `configuration ${prev.version} → ${v.version}: ${c.changed} changed, ${c.added} added, ${c.removed} removed` +
          (pricing.length ? `; pricing changed (${pricing.map((p) => p.path.slice(1)).join(', ')})` : ''),
        details: { ...c, paths: entries.slice(0, 50).map((e) => e.path), pricing },
        order: 1,
      });
    });
    for (const d of deployments) {
      const scope = d.tenants ? `tenants ${d.tenants.join(', ')}` : 'all tenants';
      const verb = d.kind === 'rollback' ? 'rolled back' : d.kind === 'traffic_split' ? 'split traffic to' : 'deployed';
      items.push({
        id: `${d.kind}:${d.id}`,
        at: d.created_at,
        kind: d.kind,
        model_name: name,
        version: d.to_version,
        from_version: d.from_version,
        tenants: d.tenants,
        actor: d.actor,
        reason: d.reason,
        summary: `${verb} ${d.kind === 'rollback' ? `${d.from_version ?? '?'} → ` : ''}${d.to_version} for ${scope}${d.kind === 'deploy' && d.from_version ? ` (was ${d.from_version})` : ''}`,
        details: { deployment_id: d.id, stage: d.stage, from_by_tenant: d.from_by_tenant, experiment_id: d.experiment_id },
        order: 2,
      });
    }
    for (const e of experiments) {
      const label = `${e.control.model_name} ${e.control.version} vs ${e.treatment.model_name} ${e.treatment.version}`;
      items.push({
        id: `experiment_started:${e.id}`,
        at: e.started_at,
        kind: 'experiment_started',
        model_name: name,
        version: e.treatment.model_name === name ? e.treatment.version : e.control.version,
        from_version: null,
        tenants: e.tenants,
        actor: e.created_by,
        reason: e.reason,
        summary: `experiment '${e.name}' started: ${label}, ${e.treatment_percent}% to the treatment`,
        details: { experiment_id: e.id, control: e.control, treatment: e.treatment, treatment_percent: e.treatment_percent },
        // Before its traffic_split deployment (order 2), which it causes: timestamps come
        // back at millisecond precision, so the two often tie.
        order: 1.9,
      });
      if (e.ended_at) {
        const promoted = e.state === 'promoted';
        const win = e.winner ? e[e.winner] : null;
        items.push({
          id: `experiment_${promoted ? 'promoted' : 'stopped'}:${e.id}`,
          at: e.ended_at,
          kind: promoted ? 'experiment_promoted' : 'experiment_stopped',
          model_name: name,
          version: win ? win.version : null,
          from_version: null,
          tenants: e.tenants,
          actor: e.ended_by ?? 'system',
          reason: e.end_reason,
          summary:
            promoted && win
              ? `experiment '${e.name}' promoted ${e.winner} (${win.model_name} ${win.version})`
              : `experiment '${e.name}' stopped`,
          details: { experiment_id: e.id, winner: e.winner },
          order: 1.5,
        });
      }
    }
    items.sort((a, b) => a.at.localeCompare(b.at) || a.order - b.order || a.id.localeCompare(b.id));
    return items.map(({ order: _, ...i }) => i);
  }

  // ------------------------------------------------------------ what the pipeline runs

  async pipelineConfig(tenant: string | null): Promise<PipelineConfig> {
    const repo = this.repo;
    const [active, experiments] = await Promise.all([repo.allActive(), repo.runningExperiments()]);
    const versionCache = new Map<string, Promise<VersionRow | null>>();
    const version = (m: string, v: string) => {
      const k = `${m}@${v}`;
      if (!versionCache.has(k)) versionCache.set(k, repo.getVersion(m, v));
      return versionCache.get(k) as Promise<VersionRow | null>;
    };
    const entry = async (m: string, v: string, a: ActiveRow | null): Promise<PipelineModelConfig | null> => {
      const row = await version(m, v);
      if (!row) return null;
      return {
        model_name: m,
        version: v,
        config: row.config,
        pricing: row.pricing,
        scope: a && a.tenant_id !== ALL ? 'tenant' : 'all',
        deployment_id: a?.deployment_id ?? '',
        deployed_at: a?.updated_at ?? row.created_at,
      };
    };
    const stages = [...new Set([...PIPELINE_STAGES, ...active.map((a) => a.stage)])];
    const out: PipelineStageConfig[] = [];
    for (const stage of stages) {
      const models: PipelineModelConfig[] = [];
      for (const m of [...new Set(active.filter((a) => a.stage === stage).map((a) => a.model_name))]) {
        const rows = active.filter((a) => a.model_name === m);
        const a = (tenant ? rows.find((r) => r.tenant_id === tenant) : undefined) ?? rows.find((r) => r.tenant_id === ALL);
        if (!a) continue;
        const e = await entry(m, a.version, a);
        if (e) models.push(e);
      }
      models.sort((x, y) => y.deployed_at.localeCompare(x.deployed_at) || x.model_name.localeCompare(y.model_name));
      const x = experiments.find((e) => e.stage === stage && (e.tenants === null || (tenant !== null && e.tenants.includes(tenant))));
      let experiment: PipelineStageConfig['experiment'] = null;
      if (x) {
        const activeFor = (m: string) => models.find((mm) => mm.model_name === m) ?? null;
        const control = await this.variantConfig(x.control, activeFor, entry);
        const treatment = await this.variantConfig(x.treatment, activeFor, entry);
        if (control && treatment) {
          experiment = {
            id: x.id,
            name: x.name,
            treatment_percent: x.treatment_percent,
            control,
            treatment,
            assignment: `fnv1a32('${x.id}:' + document_id) % 10000 < ${Math.round(x.treatment_percent * 100)} → treatment, else control (experimentVariant in @frostbyte/contracts)`,
          };
        }
      }
      out.push({ stage, active: models[0] ?? null, models, experiment });
    }
    const revision = createHash('sha256').update(JSON.stringify(out)).digest('hex').slice(0, 16);
    return { tenant, revision, generated_at: new Date().toISOString(), stages: out };
  }

  private async variantConfig(
    ref: { model_name: string; version: string },
    activeFor: (m: string) => PipelineModelConfig | null,
    entry: (m: string, v: string, a: ActiveRow | null) => Promise<PipelineModelConfig | null>,
  ) {
    const a = activeFor(ref.model_name);
    if (a && a.version === ref.version) return a;
    return entry(ref.model_name, ref.version, null);
  }
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
