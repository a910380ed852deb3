/*
 * What the pipeline runs: per stage, the versions active for a tenant (its own
 * deployment, else the all-tenants one) with their configuration and prices, and the
 * running experiment's two variants. `revision` is a hash of that answer (tenant and
 * generation time aside), so a pipeline can tell whether anything it was given changed.
 */
import { createHash } from 'node:crypto';
import { PIPELINE_STAGES, type PipelineConfig, type PipelineModelConfig, type PipelineStageConfig } from '@frostbyte/contracts';
import type { RegistryContext } from './context.ts';
import { type ActiveRow, RegistryRepository, type VersionRow } from './registry-repository.ts';
import { ALL } from './scope.ts';

export async function pipelineConfig(ctx: RegistryContext, tenant: string | null): Promise<PipelineConfig> {
  const repo = new RegistryRepository(ctx.db);
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
      const control = await variantConfig(x.control, activeFor, entry);
      const treatment = await variantConfig(x.treatment, activeFor, entry);
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

async function variantConfig(
  ref: { model_name: string; version: string },
  activeFor: (m: string) => PipelineModelConfig | null,
  entry: (m: string, v: string, a: ActiveRow | null) => Promise<PipelineModelConfig | null>,
) {
  const a = activeFor(ref.model_name);
  if (a && a.version === ref.version) return a;
  return entry(ref.model_name, ref.version, null);
}
