/*
 * The catalogue: models and their versions, and the comparison of two versions. A
 * version is immutable once registered (a change of configuration or prices is a new
 * version), and a version always belongs to its model's stage. Nothing here changes
 * what runs: that is deployments.ts. The catalogue is one for every tenant, so
 * registering a model or a version needs a '*' credential (checkEveryTenant).
 */
import {
  type ConfigDiff,
  type Model,
  type ModelVersion,
  newId,
  type RegisterModelBody,
  type RegisterVersionBody,
} from '@frostbyte/contracts';
import type { TenantScope } from '../kernel/tenant-scope.ts';
import { conflict, notFound } from '../kernel/errors.ts';
import { type Actor, actorName } from '../kernel/actor.ts';
import { diffConfig, diffCounts } from './config-diff.ts';
import type { RegistryContext } from './context.ts';
import { RegistryRepository, type VersionRow } from './registry-repository.ts';
import { ALL, checkEveryTenant, seesTenant } from './scope.ts';

export async function listModels(ctx: RegistryContext, scope: TenantScope, stage?: string): Promise<Model[]> {
  const repo = new RegistryRepository(ctx.db);
  const [models, active] = await Promise.all([repo.listModels(stage), repo.allActive()]);
  return models.map((m) => ({
    ...m,
    active: active
      .filter((a) => a.model_name === m.name && seesTenant(scope, a.tenant_id))
      .sort((x, y) => Number(x.tenant_id !== ALL) - Number(y.tenant_id !== ALL) || x.tenant_id.localeCompare(y.tenant_id))
      .map((a) => ({ tenant: a.tenant_id, version: a.version, deployment_id: a.deployment_id, since: a.updated_at })),
  }));
}

export async function getModel(ctx: RegistryContext, scope: TenantScope, name: string): Promise<Model> {
  const m = (await listModels(ctx, scope)).find((x) => x.name === name);
  if (!m) throw notFound(`no model '${name}' in the registry; register it with POST /v1/models`);
  return m;
}

export async function registerModel(
  ctx: RegistryContext,
  actor: Actor,
  scope: TenantScope,
  body: RegisterModelBody,
): Promise<{ model: Model; version: ModelVersion | null }> {
  checkEveryTenant(scope, 'the model catalogue');
  const version = await ctx.db.transaction(async (tx) => {
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
    return body.version ? insertVersion(repo, actor, created, body.version) : null;
  });
  await ctx.audit(actor, {
    action: 'registry.model.register',
    target: `model:${body.name}`,
    details: { stage: body.stage, description: body.description ?? null, version: version?.version ?? null },
    tenants: null,
  });
  if (version) await auditVersion(ctx, actor, version);
  ctx.changed();
  return { model: await getModel(ctx, '*', body.name), version: version ? { ...version, active_for: [] } : null };
}

export async function listVersions(ctx: RegistryContext, scope: TenantScope, name: string): Promise<ModelVersion[]> {
  const repo = new RegistryRepository(ctx.db);
  if (!(await repo.getModel(name))) throw notFound(`no model '${name}' in the registry`);
  const [versions, active] = await Promise.all([repo.listVersions(name), repo.activeOf(name)]);
  return versions.map((v) => ({
    ...v,
    active_for: active.filter((a) => a.version === v.version && seesTenant(scope, a.tenant_id)).map((a) => a.tenant_id),
  }));
}

export async function getVersion(ctx: RegistryContext, name: string, version: string): Promise<VersionRow> {
  const repo = new RegistryRepository(ctx.db);
  const v = await repo.getVersion(name, version);
  if (!v) throw await noSuchVersion(repo, name, version);
  return v;
}

export async function registerVersion(
  ctx: RegistryContext,
  actor: Actor,
  scope: TenantScope,
  name: string,
  body: RegisterVersionBody,
): Promise<ModelVersion> {
  checkEveryTenant(scope, 'the model catalogue');
  const v = await ctx.db.transaction(async (tx) => {
    const repo = new RegistryRepository(tx);
    const model = await repo.getModel(name);
    if (!model) throw notFound(`no model '${name}' in the registry; register it first with POST /v1/models`);
    return insertVersion(repo, actor, model, body);
  });
  await auditVersion(ctx, actor, v);
  ctx.changed();
  return { ...v, active_for: [] };
}

async function insertVersion(repo: RegistryRepository, actor: Actor, model: { name: string; stage: string }, body: RegisterVersionBody) {
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
    throw conflict(`${model.name} ${body.version} is already registered; versions are immutable, so register the change as a new version`);
  return v;
}

async function auditVersion(ctx: RegistryContext, actor: Actor, v: VersionRow) {
  await ctx.audit(actor, {
    action: 'registry.version.register',
    target: `model:${v.model_name}@${v.version}`,
    details: { stage: v.stage, config: v.config, pricing: v.pricing, reason: v.reason },
    tenants: null,
  });
}

/** The 404 for a missing version: names the model's registered versions, or says the
 * model itself is missing. Deploys and rollback previews answer with it too. */
export async function noSuchVersion(repo: RegistryRepository, name: string, version: string) {
  if (!(await repo.getModel(name))) return notFound(`no model '${name}' in the registry`);
  const known = (await repo.listVersions(name)).map((v) => v.version);
  return notFound(`model '${name}' has no version '${version}'; registered versions: ${known.length ? known.join(', ') : '(none)'}`, {
    registered_versions: known,
  });
}

/** Two versions of one model compared: configuration, prices, and their recent metrics. */
export async function diff(
  ctx: RegistryContext,
  scope: TenantScope,
  name: string,
  a: string,
  b: string,
  windowS: number,
): Promise<ConfigDiff> {
  const [va, vb] = [await getVersion(ctx, name, a), await getVersion(ctx, name, b)];
  const entries = diffConfig(va.config, vb.config);
  const to = new Date();
  const from = new Date(to.getTime() - windowS * 1000);
  const [sa, sb] = await Promise.all([
    ctx.stats.versionStats(scope, { model_name: name, version: a, from, to, tenants: null }),
    ctx.stats.versionStats(scope, { model_name: name, version: b, from, to, tenants: null }),
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
