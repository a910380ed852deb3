import { type Alert, type AlertRules, newId } from '@frostbyte/contracts';
import { iso, isoOrNull, Params } from '../storage/sql-builder.ts';
import type { ScopedRunner } from '../storage/event-stats.ts';
import type { TenantScope } from '../kernel/tenant-scope.ts';
import type { AlertCandidate } from './evaluate.ts';

export interface AlertRow extends Alert {
  subject: string;
  change_seq: bigint;
}

/** The row as the API and SSE show it: who acknowledged or resolved it goes in details. */
function toAlert(r: Record<string, unknown>): AlertRow {
  const details = { ...((r.details as Record<string, unknown>) ?? {}) };
  if (r.acknowledged_at) Object.assign(details, { acknowledged_at: iso(r.acknowledged_at), acknowledged_by: r.acknowledged_by });
  if (r.resolved_at) Object.assign(details, { resolved_at: iso(r.resolved_at), resolved_by: r.resolved_by });
  return {
    id: r.id as string,
    tenant_id: (r.tenant_id as string | null) ?? null,
    rule: r.rule as Alert['rule'],
    subject: r.subject as string,
    severity: r.severity as Alert['severity'],
    stage: (r.stage as string | null) ?? null,
    model_name: (r.model_name as string | null) ?? null,
    message: r.message as string,
    state: r.state as Alert['state'],
    opened_at: iso(r.opened_at),
    updated_at: isoOrNull(r.updated_at) ?? iso(r.opened_at),
    details,
    change_seq: BigInt(r.change_seq as string),
  };
}

export const publicAlert = ({ subject: _s, change_seq: _c, ...a }: AlertRow): Alert => a;

/**
 * The alerts table, under row-level security (migrations/0017): reads for a caller run
 * in the caller's scope; the evaluator and the publisher, which work for every tenant,
 * in '*'.
 */
export class AlertRepository {
  constructor(private readonly run: ScopedRunner) {}

  /** Opens an alert unless one is already unresolved for its rule and subject (the
   * partial unique index decides, across processes); returns it only when new. */
  async open(c: AlertCandidate, tenant: string | null = null): Promise<AlertRow | null> {
    const { rows } = await this.run('*', (db) =>
      db.query(
        `INSERT INTO alerts (id, tenant_id, rule, subject, severity, stage, model_name, message, state, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9)
       ON CONFLICT DO NOTHING RETURNING *`,
        [newId(), tenant, c.rule, c.subject, c.severity, c.stage, c.model_name, c.message, JSON.stringify(c.details)],
      ),
    );
    return rows[0] ? toAlert(rows[0]) : null;
  }

  /** Keeps an unresolved alert's words and figures current (not a state change: not pushed). */
  async refresh(id: string, c: AlertCandidate) {
    await this.run('*', (db) =>
      db.query(`UPDATE alerts SET message = $2, details = $3, severity = $4 WHERE id = $1 AND state <> 'resolved'`, [
        id,
        c.message,
        JSON.stringify(c.details),
        c.severity,
      ]),
    );
  }

  async unresolved(): Promise<AlertRow[]> {
    const { rows } = await this.run('*', (db) => db.query(`SELECT * FROM alerts WHERE state <> 'resolved' ORDER BY opened_at`));
    return rows.map(toAlert);
  }

  async get(scope: TenantScope, id: string): Promise<AlertRow | null> {
    const { rows } = await this.run(scope, (db) => db.query('SELECT * FROM alerts WHERE id = $1', [id]));
    return rows[0] ? toAlert(rows[0]) : null;
  }

  async acknowledge(scope: TenantScope, id: string, by: string, note: string | null): Promise<AlertRow | null> {
    const { rows } = await this.run(scope, (db) =>
      db.query(
        `UPDATE alerts SET state = 'acknowledged', acknowledged_at = clock_timestamp(), acknowledged_by = $2,
         updated_at = clock_timestamp(), change_seq = nextval('alerts_change_seq'),
         details = details || jsonb_build_object('ack_note', $3::text)
       WHERE id = $1 AND state = 'open' RETURNING *`,
        [id, by, note],
      ),
    );
    return rows[0] ? toAlert(rows[0]) : null;
  }

  async resolve(scope: TenantScope, id: string, by: string, note: string | null): Promise<AlertRow | null> {
    const { rows } = await this.run(scope, (db) =>
      db.query(
        `UPDATE alerts SET state = 'resolved', resolved_at = clock_timestamp(), resolved_by = $2,
         updated_at = clock_timestamp(), change_seq = nextval('alerts_change_seq'),
         details = details || jsonb_build_object('resolution_note', $3::text)
       WHERE id = $1 AND state <> 'resolved' RETURNING *`,
        [id, by, note],
      ),
    );
    return rows[0] ? toAlert(rows[0]) : null;
  }

  async changesSince(seq: bigint, limit = 500): Promise<AlertRow[]> {
    const { rows } = await this.run('*', (db) =>
      db.query('SELECT * FROM alerts WHERE change_seq > $1 ORDER BY change_seq LIMIT $2', [seq.toString(), limit]),
    );
    return rows.map(toAlert);
  }

  async maxChangeSeq(): Promise<bigint> {
    const { rows } = await this.run('*', (db) => db.query<{ m: string | null }>('SELECT max(change_seq)::text AS m FROM alerts'));
    return rows[0]?.m ? BigInt(rows[0].m) : 0n;
  }

  /** What `scope` may see: every alert for '*', else its tenants' (never the pipeline-wide
   * ones, whose figures include other tenants). `tenant_id`: one tenant's; null: pipeline-wide only. */
  async list(
    scope: TenantScope,
    q: { state?: string; stage?: string; rule?: string; tenant_id?: string | null; limit: number },
  ): Promise<AlertRow[]> {
    const p = new Params();
    const where = [p.scope(scope)];
    if (q.tenant_id === null) where.push('tenant_id IS NULL');
    else if (q.tenant_id !== undefined) where.push(`tenant_id = ${p.add(q.tenant_id)}`);
    if (q.state === 'active') where.push(`state <> 'resolved'`);
    else if (q.state) where.push(`state = ${p.add(q.state)}`);
    if (q.stage) where.push(`stage = ${p.add(q.stage)}`);
    if (q.rule) where.push(`rule = ${p.add(q.rule)}`);
    const { rows } = await this.run(scope, (db) =>
      db.query(
        `SELECT * FROM alerts WHERE ${where.join(' AND ')} ORDER BY (state <> 'resolved') DESC, opened_at DESC, id DESC LIMIT ${p.add(q.limit)}`,
        p.values,
      ),
    );
    return rows.map(toAlert);
  }

  /** The changed thresholds (only those), or null while the defaults apply. */
  async ruleOverrides(): Promise<{ overrides: Partial<AlertRules>; updated_at: string; updated_by: string } | null> {
    const { rows } = await this.run('*', (db) => db.query('SELECT overrides, updated_at, updated_by FROM alert_rules'));
    const r = rows[0];
    return r ? { overrides: r.overrides as Partial<AlertRules>, updated_at: iso(r.updated_at), updated_by: r.updated_by as string } : null;
  }

  /** Merges `patch` into the stored changes in one statement (two changes at once both
   * land); returns the stored changes before and after. */
  async mergeRuleOverrides(patch: Partial<AlertRules>, by: string): Promise<{ before: Partial<AlertRules>; after: Partial<AlertRules> }> {
    const { rows } = await this.run('*', (db) =>
      db.query<{ before: Partial<AlertRules> | null; after: Partial<AlertRules> }>(
        `WITH old AS (SELECT overrides FROM alert_rules FOR UPDATE)
         INSERT INTO alert_rules (id, overrides, updated_by) VALUES (true, $1, $2)
         ON CONFLICT (id) DO UPDATE SET overrides = alert_rules.overrides || EXCLUDED.overrides,
           updated_by = EXCLUDED.updated_by, updated_at = clock_timestamp()
         RETURNING (SELECT overrides FROM old) AS before, overrides AS after`,
        [JSON.stringify(patch), by],
      ),
    );
    const r = rows[0] as { before: Partial<AlertRules> | null; after: Partial<AlertRules> };
    return { before: r.before ?? {}, after: r.after };
  }

  async clearRuleOverrides(): Promise<void> {
    await this.run('*', (db) => db.query('DELETE FROM alert_rules'));
  }
}
