/*
 * Deployments: what is active for which tenants, and every change to that (deploy,
 * rollback, an experiment's promotion) as one row of deployment history. A change to a
 * stage runs in one transaction under that stage's advisory lock (several server
 * processes may share the database), and `expected` makes a stale change fail with 409
 * instead of silently overwriting someone else's. History rows are only ever appended.
 */
import type { DeployBody, Deployment, DeploymentKind, Experiment, RollbackBody } from '@frostbyte/contracts';
import { newId } from '@frostbyte/contracts';
import type { TenantScope } from '../kernel/tenant-scope.ts';
import { conflict, notFound } from '../kernel/errors.ts';
import { type Actor, actorName } from '../kernel/actor.ts';
import { noSuchVersion } from './catalogue.ts';
import type { RegistryContext } from './context.ts';
import { RegistryRepository } from './registry-repository.ts';
import { ALL, checkTenantScope, effective, narrowToScope, overlaps, visible } from './scope.ts';

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

export async function deploy(ctx: RegistryContext, actor: Actor, scope: TenantScope, name: string, body: DeployBody): Promise<Deployment> {
  const tenants = body.tenants ?? null;
  checkTenantScope(scope, tenants);
  return change(ctx, actor, name, {
    version: body.version,
    stage: body.stage,
    tenants,
    reason: body.reason,
    expected: 'expected_current_version' in body ? (body.expected_current_version ?? null) : undefined,
    kind: 'deploy',
  });
}

export async function rollback(
  ctx: RegistryContext,
  actor: Actor,
  scope: TenantScope,
  name: string,
  body: RollbackBody,
): Promise<Deployment> {
  const tenants = body.tenants ?? null;
  checkTenantScope(scope, tenants);
  return change(ctx, actor, name, {
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
export async function change(
  ctx: RegistryContext,
  actor: Actor,
  name: string,
  req: ChangeRequest,
  inTx?: (repo: RegistryRepository, d: Deployment) => Promise<void>,
): Promise<Deployment> {
  const stopped: Experiment[] = [];
  const deployment = await ctx.db.transaction(async (tx) => {
    const repo = new RegistryRepository(tx);
    const model = await repo.getModel(name);
    if (!model) throw notFound(`no model '${name}' in the registry`);
    const verb = req.kind === 'rollback' ? 'roll back' : 'deploy';
    if (req.stage && req.stage !== model.stage) {
      throw conflict(`cannot ${verb} '${name}' to stage ${req.stage}: it is a ${model.stage} model`, { model_stage: model.stage });
    }
    await repo.lockStage(model.stage);
    const version = await repo.getVersion(name, req.version);
    if (!version) throw await noSuchVersion(repo, name, req.version);

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
  await ctx.audit(actor, {
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
    await ctx.audit(actor, {
      action: 'experiments.stop',
      target: `experiment:${e.id}`,
      details: { reason: e.end_reason, by_deployment: deployment.id },
      tenants: e.tenants,
    });
  }
  ctx.changed();
  return deployment;
}

export async function deployments(ctx: RegistryContext, scope: TenantScope, name: string): Promise<Deployment[]> {
  const repo = new RegistryRepository(ctx.db);
  if (!(await repo.getModel(name))) throw notFound(`no model '${name}' in the registry`);
  return visible((await repo.deploymentsOf(name)).map((d) => narrowToScope(scope, d))).reverse();
}
