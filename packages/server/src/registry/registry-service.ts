/*
 * The registry's one entry point: models and their immutable versions, what is active
 * for which tenants, and every change to that as deployment history. Routes, alerts,
 * the seed and experiments all go through this facade, so they share one context (one
 * database, one audit hook, one `onChange`). The work is done by one module per job:
 * catalogue.ts, deployments.ts, rollback-preview.ts, timeline.ts and pipeline-config.ts,
 * with the tenant-scope rules in scope.ts: every change checks the caller's scope
 * against the tenants it affects (a deploy or rollback names the caller's own tenants;
 * the shared catalogue and anything for every tenant needs a '*' credential).
 */
import type {
  ConfigDiff,
  DeployBody,
  Deployment,
  Model,
  ModelVersion,
  PipelineConfig,
  RegisterModelBody,
  RegisterVersionBody,
  RollbackBody,
  RollbackPreview,
  RollbackPreviewBody,
  TimelineItem,
} from '@frostbyte/contracts';
import type { TenantScope } from '../kernel/tenant-scope.ts';
import type { EventStats } from '../storage/event-stats.ts';
import type { SqlClient } from '../storage/sql-client.ts';
import type { Actor } from '../kernel/actor.ts';
import type { AuditFn } from './audit-hook.ts';
import * as catalogue from './catalogue.ts';
import type { RegistryContext } from './context.ts';
import * as deployments from './deployments.ts';
import { pipelineConfig } from './pipeline-config.ts';
import { RegistryRepository, type VersionRow } from './registry-repository.ts';
import { checkTenantScope } from './scope.ts';
import { previewRollback } from './rollback-preview.ts';
import { timeline } from './timeline.ts';

// Exported from here before the split; kept so importers need not change.
export type { ChangeRequest } from './deployments.ts';
export { checkTenantScope, narrowToScope, overlaps, seesTenant } from './scope.ts';

/**
 * The registry. Changes to one stage are serialised by a transaction-scoped advisory
 * lock (several server processes may share the database), and
 * `expected_current_version` makes a stale deploy fail with 409 instead of silently
 * overwriting someone else's (see deployments.ts).
 */
export class RegistryService {
  private readonly ctx: RegistryContext;

  constructor(
    private readonly db: SqlClient,
    stats: EventStats,
    audit: AuditFn,
    private readonly opts: {
      abandonAfterMs: number;
      /** Called after every committed change (prices reload, pipeline config revision). */
      onChange?: () => void;
    },
  ) {
    this.ctx = { db, stats, audit, opts, changed: () => this.onChange() };
  }

  /** Reports a committed change (the experiments service's too). */
  onChange(): void {
    this.opts.onChange?.();
  }

  get repo() {
    return new RegistryRepository(this.db);
  }

  // ------------------------------------------------------------ models and versions (catalogue.ts)

  listModels(scope: TenantScope, stage?: string): Promise<Model[]> {
    return catalogue.listModels(this.ctx, scope, stage);
  }

  getModel(scope: TenantScope, name: string): Promise<Model> {
    return catalogue.getModel(this.ctx, scope, name);
  }

  /** Needs a '*' scope: the catalogue is shared by every tenant. */
  registerModel(actor: Actor, scope: TenantScope, body: RegisterModelBody): Promise<{ model: Model; version: ModelVersion | null }> {
    return catalogue.registerModel(this.ctx, actor, scope, body);
  }

  listVersions(scope: TenantScope, name: string): Promise<ModelVersion[]> {
    return catalogue.listVersions(this.ctx, scope, name);
  }

  getVersion(name: string, version: string): Promise<VersionRow> {
    return catalogue.getVersion(this.ctx, name, version);
  }

  /** Needs a '*' scope: a version is offered to every tenant's deploys. */
  registerVersion(actor: Actor, scope: TenantScope, name: string, body: RegisterVersionBody): Promise<ModelVersion> {
    return catalogue.registerVersion(this.ctx, actor, scope, name, body);
  }

  diff(scope: TenantScope, name: string, a: string, b: string, windowS: number): Promise<ConfigDiff> {
    return catalogue.diff(this.ctx, scope, name, a, b, windowS);
  }

  // ------------------------------------------------------------ deploy and rollback (deployments.ts)

  deploy(actor: Actor, scope: TenantScope, name: string, body: DeployBody): Promise<Deployment> {
    return deployments.deploy(this.ctx, actor, scope, name, body);
  }

  rollback(actor: Actor, scope: TenantScope, name: string, body: RollbackBody): Promise<Deployment> {
    return deployments.rollback(this.ctx, actor, scope, name, body);
  }

  /** Makes a version active for every tenant or some; see deployments.ts `change`. */
  change(
    actor: Actor,
    name: string,
    req: deployments.ChangeRequest,
    inTx?: (repo: RegistryRepository, d: Deployment) => Promise<void>,
  ): Promise<Deployment> {
    return deployments.change(this.ctx, actor, name, req, inTx);
  }

  deployments(scope: TenantScope, name: string): Promise<Deployment[]> {
    return deployments.deployments(this.ctx, scope, name);
  }

  previewRollback(scope: TenantScope, name: string, body: RollbackPreviewBody): Promise<RollbackPreview> {
    return previewRollback(this.ctx, scope, name, body);
  }

  // ------------------------------------------------------------ timeline, and what the pipeline runs

  timeline(scope: TenantScope, name: string): Promise<TimelineItem[]> {
    return timeline(this.ctx, scope, name);
  }

  /** What the pipeline runs for `tenant` (null: the all-tenants deployments only); a
   * tenant outside `scope` is a 403. The monitor reads as the system ('*'). */
  pipelineConfig(tenant: string | null, scope: TenantScope = '*'): Promise<PipelineConfig> {
    if (tenant !== null) checkTenantScope(scope, [tenant]);
    return pipelineConfig(this.ctx, tenant);
  }
}
