/*
 * The impact preview of a rollback: what would run instead, for whom, what is in flight
 * on the current version, and how the two versions compared in error rate, latency and
 * cost. It only reads and takes no lock; it returns `expected_current_version` for the
 * client to send with the rollback, so a preview that went stale makes the rollback
 * fail with 409 rather than do something the preview did not show.
 */
import type { RollbackPreview, RollbackPreviewBody } from '@frostbyte/contracts';
import { priceOf } from '../ingest/pricing.ts';
import type { TenantScope } from '../kernel/tenant-scope.ts';
import { conflict, notFound } from '../kernel/errors.ts';
import { noSuchVersion } from './catalogue.ts';
import type { RegistryContext } from './context.ts';
import { type ActiveRow, RegistryRepository } from './registry-repository.ts';
import { ALL, checkTenantScope, effective, overlaps, seesTenant } from './scope.ts';

export async function previewRollback(
  ctx: RegistryContext,
  scope: TenantScope,
  name: string,
  body: RollbackPreviewBody,
): Promise<RollbackPreview> {
  const tenants = body.tenants ?? null;
  // A preview names only the caller's tenants (403 for others'); without tenants it is
  // the all-tenants rollback, shown with only the tenants the caller sees.
  if (tenants !== null) checkTenantScope(scope, tenants);
  const repo = new RegistryRepository(ctx.db);
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
  if (!targetVersion) throw await noSuchVersion(repo, name, target);
  if (target === current) throw conflict(`${name} ${target} is already the active version`);

  const now = new Date();
  const windowS = body.window_s ?? 3600;
  const historyS = body.history_s ?? 7 * 86400;
  const since = new Date(Math.min(...currentRows.map((r) => Date.parse((r as ActiveRow).updated_at))));
  const [cur, tgt, inflight, wasDeployed] = await Promise.all([
    ctx.stats.versionStats(scope, {
      model_name: name,
      version: current,
      from: new Date(now.getTime() - windowS * 1000),
      to: now,
      tenants,
      rateFrom: since,
    }),
    ctx.stats.versionStats(scope, {
      model_name: name,
      version: target,
      from: new Date(now.getTime() - historyS * 1000),
      to: now,
      tenants,
    }),
    ctx.stats.inFlight(scope, {
      model_name: name,
      version: current,
      since: new Date(now.getTime() - ctx.opts.abandonAfterMs),
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
    running: active
      .filter((a) => a.version === current && seesTenant(scope, a.tenant_id))
      .map((a) => ({ stage: a.stage, tenant: a.tenant_id, version: a.version })),
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

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
