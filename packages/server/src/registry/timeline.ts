/*
 * The provenance timeline of one model: versions registered, configuration changes
 * between consecutive versions, deployments and rollbacks, and experiments started and
 * ended, in one time order. Built from the registry's own records on every read, so it
 * can never disagree with them; a limited scope sees only the deployments and
 * experiments that concern its tenants, naming only those tenants.
 */
import type { TimelineItem } from '@frostbyte/contracts';
import type { TenantScope } from '../kernel/tenant-scope.ts';
import { notFound } from '../kernel/errors.ts';
import { diffConfig, diffCounts } from './config-diff.ts';
import type { RegistryContext } from './context.ts';
import { RegistryRepository } from './registry-repository.ts';
import { narrowToScope, visible } from './scope.ts';

export async function timeline(ctx: RegistryContext, scope: TenantScope, name: string): Promise<TimelineItem[]> {
  const repo = new RegistryRepository(ctx.db);
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
