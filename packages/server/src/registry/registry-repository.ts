import type { Deployment, DeploymentKind, Experiment, ModelVersion, Pricing } from '@frostbyte/contracts';
import type { SqlClient } from '../storage/sql-client.ts';
import { iso, isoOrNull, Params } from '../storage/sql-builder.ts';

export interface ModelRow {
  name: string;
  stage: string;
  description: string | null;
  created_by: string;
  created_at: string;
}

export interface ActiveRow {
  model_name: string;
  tenant_id: string;
  stage: string;
  version: string;
  deployment_id: string;
  updated_at: string;
}

export type VersionRow = Omit<ModelVersion, 'active_for'>;

const toModel = (r: Record<string, unknown>): ModelRow => ({
  name: r.name as string,
  stage: r.stage as string,
  description: (r.description as string | null) ?? null,
  created_by: r.created_by as string,
  created_at: iso(r.created_at),
});

const toVersion = (r: Record<string, unknown>): VersionRow => ({
  id: r.id as string,
  model_name: r.model_name as string,
  version: r.version as string,
  stage: (r.stage as string | null) ?? 'unknown',
  config: (r.config as Record<string, unknown>) ?? {},
  pricing: (r.pricing as Pricing) ?? {},
  created_by: r.created_by as string,
  reason: (r.reason as string | null) ?? null,
  created_at: iso(r.created_at),
});

const toActive = (r: Record<string, unknown>): ActiveRow => ({
  model_name: r.model_name as string,
  tenant_id: r.tenant_id as string,
  stage: r.stage as string,
  version: r.version as string,
  deployment_id: r.deployment_id as string,
  updated_at: iso(r.updated_at),
});

export const toDeployment = (r: Record<string, unknown>): Deployment => ({
  id: r.id as string,
  model_name: r.model_name as string,
  stage: r.stage as string,
  from_version: (r.from_version as string | null) ?? null,
  to_version: r.to_version as string,
  from_by_tenant: (r.from_by_tenant as Record<string, string | null>) ?? {},
  tenants: (r.tenants as string[] | null) ?? null,
  kind: r.kind as DeploymentKind,
  actor: r.actor as string,
  reason: r.reason as string,
  experiment_id: (r.experiment_id as string | null) ?? null,
  created_at: iso(r.created_at),
});

export const toExperiment = (r: Record<string, unknown>): Experiment => ({
  id: r.id as string,
  name: r.name as string,
  stage: r.stage as string,
  control: { model_name: r.control_model as string, version: r.control_version as string },
  treatment: { model_name: r.treatment_model as string, version: r.treatment_version as string },
  treatment_percent: Number(r.treatment_percent),
  tenants: (r.tenants as string[] | null) ?? null,
  state: r.state as Experiment['state'],
  created_by: r.created_by as string,
  reason: r.reason as string,
  started_at: iso(r.started_at),
  ended_at: isoOrNull(r.ended_at),
  ended_by: (r.ended_by as string | null) ?? null,
  end_reason: (r.end_reason as string | null) ?? null,
  winner: (r.winner as Experiment['winner']) ?? null,
});

/**
 * Rows of the registry tables (models, model_versions, deployments, active_versions,
 * experiments). No rules live here: the services decide, this reads and writes. Built
 * over a client or a transaction, so one service call can be one transaction.
 */
export class RegistryRepository {
  constructor(readonly db: SqlClient) {}

  /** Serialises every change to what runs on one stage (deploy, rollback, experiment
   * start/end), across processes: transaction-scoped, released at commit. */
  async lockStage(stage: string) {
    await this.db.query(`SELECT pg_advisory_xact_lock(hashtext('fmo-stage:' || $1))`, [stage]);
  }

  async getModel(name: string): Promise<ModelRow | null> {
    const { rows } = await this.db.query('SELECT * FROM models WHERE name = $1', [name]);
    return rows[0] ? toModel(rows[0]) : null;
  }

  async listModels(stage?: string): Promise<(ModelRow & { versions: number; latest_version: string | null })[]> {
    const { rows } = await this.db.query(
      `SELECT m.*, (SELECT count(*) FROM model_versions v WHERE v.model_name = m.name) AS versions,
         (SELECT v.version FROM model_versions v WHERE v.model_name = m.name ORDER BY v.created_at DESC, v.id DESC LIMIT 1) AS latest_version
       FROM models m ${stage ? 'WHERE m.stage = $1' : ''} ORDER BY m.stage, m.name`,
      stage ? [stage] : [],
    );
    return rows.map((r) => ({ ...toModel(r), versions: Number(r.versions), latest_version: (r.latest_version as string | null) ?? null }));
  }

  async insertModel(m: { name: string; stage: string; description: string | null; created_by: string }): Promise<ModelRow | null> {
    const { rows } = await this.db.query(
      `INSERT INTO models (name, stage, description, created_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO NOTHING RETURNING *`,
      [m.name, m.stage, m.description, m.created_by],
    );
    return rows[0] ? toModel(rows[0]) : null;
  }

  async getVersion(model: string, version: string): Promise<VersionRow | null> {
    const { rows } = await this.db.query('SELECT * FROM model_versions WHERE model_name = $1 AND version = $2', [model, version]);
    return rows[0] ? toVersion(rows[0]) : null;
  }

  /** Oldest first. */
  async listVersions(model: string): Promise<VersionRow[]> {
    const { rows } = await this.db.query('SELECT * FROM model_versions WHERE model_name = $1 ORDER BY created_at, id', [model]);
    return rows.map(toVersion);
  }

  async insertVersion(v: Omit<VersionRow, 'created_at'>): Promise<VersionRow | null> {
    const { rows } = await this.db.query(
      `INSERT INTO model_versions (id, model_name, version, stage, config, pricing, created_by, reason, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, clock_timestamp())
       ON CONFLICT (model_name, version) DO NOTHING RETURNING *`,
      [v.id, v.model_name, v.version, v.stage, JSON.stringify(v.config), JSON.stringify(v.pricing), v.created_by, v.reason],
    );
    return rows[0] ? toVersion(rows[0]) : null;
  }

  async activeOf(model: string): Promise<ActiveRow[]> {
    const { rows } = await this.db.query(`SELECT * FROM active_versions WHERE model_name = $1 ORDER BY tenant_id <> '*', tenant_id`, [
      model,
    ]);
    return rows.map(toActive);
  }

  async allActive(): Promise<ActiveRow[]> {
    const { rows } = await this.db.query('SELECT * FROM active_versions ORDER BY stage, updated_at DESC, model_name, tenant_id');
    return rows.map(toActive);
  }

  async setActive(a: { model_name: string; tenant_id: string; stage: string; version: string; deployment_id: string }) {
    await this.db.query(
      `INSERT INTO active_versions (model_name, tenant_id, stage, version, deployment_id, updated_at)
       VALUES ($1, $2, $3, $4, $5, clock_timestamp())
       ON CONFLICT (model_name, tenant_id) DO UPDATE SET
         stage = excluded.stage, version = excluded.version, deployment_id = excluded.deployment_id, updated_at = excluded.updated_at`,
      [a.model_name, a.tenant_id, a.stage, a.version, a.deployment_id],
    );
  }

  /** A deploy to every tenant replaces the tenant-specific ones. */
  async clearTenantOverrides(model: string) {
    await this.db.query(`DELETE FROM active_versions WHERE model_name = $1 AND tenant_id <> '*'`, [model]);
  }

  async insertDeployment(d: Omit<Deployment, 'created_at'>): Promise<Deployment> {
    const { rows } = await this.db.query(
      `INSERT INTO deployments (id, model_name, stage, from_version, to_version, from_by_tenant, tenants, kind, actor, reason, experiment_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
      [
        d.id,
        d.model_name,
        d.stage,
        d.from_version,
        d.to_version,
        JSON.stringify(d.from_by_tenant),
        d.tenants,
        d.kind,
        d.actor,
        d.reason,
        d.experiment_id,
      ],
    );
    return toDeployment(rows[0] as Record<string, unknown>);
  }

  async getDeployment(id: string): Promise<Deployment | null> {
    const { rows } = await this.db.query('SELECT * FROM deployments WHERE id = $1', [id]);
    return rows[0] ? toDeployment(rows[0]) : null;
  }

  /** Oldest first. */
  async deploymentsOf(model: string): Promise<Deployment[]> {
    const { rows } = await this.db.query('SELECT * FROM deployments WHERE model_name = $1 ORDER BY created_at, id', [model]);
    return rows.map(toDeployment);
  }

  async wasDeployed(model: string, version: string): Promise<boolean> {
    const { rows } = await this.db.query('SELECT 1 FROM deployments WHERE model_name = $1 AND to_version = $2 LIMIT 1', [model, version]);
    return rows.length > 0;
  }

  async insertExperiment(
    e: Omit<Experiment, 'started_at' | 'ended_at' | 'ended_by' | 'end_reason' | 'winner'>,
  ): Promise<Experiment | null> {
    const { rows } = await this.db.query(
      `INSERT INTO experiments (id, name, stage, control_model, control_version, treatment_model, treatment_version,
         treatment_percent, tenants, state, created_by, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT DO NOTHING RETURNING *`,
      [
        e.id,
        e.name,
        e.stage,
        e.control.model_name,
        e.control.version,
        e.treatment.model_name,
        e.treatment.version,
        e.treatment_percent,
        e.tenants,
        e.state,
        e.created_by,
        e.reason,
      ],
    );
    return rows[0] ? toExperiment(rows[0]) : null;
  }

  async getExperiment(id: string): Promise<Experiment | null> {
    const { rows } = await this.db.query('SELECT * FROM experiments WHERE id = $1', [id]);
    return rows[0] ? toExperiment(rows[0]) : null;
  }

  async listExperiments(f: { state?: string; stage?: string; model?: string; limit: number }): Promise<Experiment[]> {
    const p = new Params();
    const where: string[] = [];
    if (f.state) where.push(`state = ${p.add(f.state)}`);
    if (f.stage) where.push(`stage = ${p.add(f.stage)}`);
    if (f.model) {
      const model = p.add(f.model);
      where.push(`(control_model = ${model} OR treatment_model = ${model})`);
    }
    const { rows } = await this.db.query(
      `SELECT * FROM experiments ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, id DESC LIMIT ${p.add(f.limit)}`,
      p.values,
    );
    return rows.map(toExperiment);
  }

  async runningExperiment(stage: string): Promise<Experiment | null> {
    const { rows } = await this.db.query(`SELECT * FROM experiments WHERE stage = $1 AND state = 'running'`, [stage]);
    return rows[0] ? toExperiment(rows[0]) : null;
  }

  async runningExperiments(): Promise<Experiment[]> {
    const { rows } = await this.db.query(`SELECT * FROM experiments WHERE state = 'running' ORDER BY stage`);
    return rows.map(toExperiment);
  }

  async endExperiment(
    id: string,
    e: { state: 'stopped' | 'promoted'; ended_by: string; end_reason: string; winner: string | null },
  ): Promise<Experiment | null> {
    const { rows } = await this.db.query(
      `UPDATE experiments SET state = $2, ended_at = clock_timestamp(), ended_by = $3, end_reason = $4, winner = $5
       WHERE id = $1 AND state = 'running' RETURNING *`,
      [id, e.state, e.ended_by, e.end_reason, e.winner],
    );
    return rows[0] ? toExperiment(rows[0]) : null;
  }
}
