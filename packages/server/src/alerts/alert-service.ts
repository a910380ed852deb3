import type { Alert, AlertListQuery, AlertRulesState, AlertRulesUpdate } from '@frostbyte/contracts';
import type { FastifyBaseLogger } from 'fastify';
import type { Fanout } from '../live/fanout.ts';
import { type Actor, actorName } from '../kernel/actor.ts';
import type { AuditFn } from '../registry/audit-hook.ts';
import { badRequest, conflict, forbidden, notFound } from '../kernel/errors.ts';
import type { ScopedRunner } from '../storage/event-stats.ts';
import type { TenantScope } from '../kernel/tenant-scope.ts';
import { AlertRepository, type AlertRow, publicAlert } from './alert-repository.ts';
import { type AlertCandidate, evaluateRules } from './evaluate.ts';
import type { PipelineMonitor } from './pipeline-monitor.ts';
import type { PipelineSnapshot } from './snapshot.ts';
import type { AlertRules } from './thresholds.ts';
import type { AlertWebhook } from './webhook.ts';

/*
 * Tenant scope of alert actions (issue 12):
 * - acknowledging or resolving an alert needs the alert's tenant in the caller's scope;
 *   another tenant's alert, or a pipeline-wide one (no tenant) for a scoped caller, is a
 *   404 exactly like an id that does not exist;
 * - the alert rules are one set for every tenant, and an evaluation opens and resolves
 *   every tenant's alerts: both need a credential for every tenant (403 otherwise).
 */
function changesEveryTenant(scope: TenantScope, what = 'alert rules apply to every tenant: changing them') {
  if (scope !== '*') throw forbidden(`${what} needs a credential for every tenant (yours covers ${scope.join(', ')})`);
}

/** The evaluator waits at least this many times its last evaluation's duration. */
const EVALUATION_SHARE_INVERSE = 10;

/**
 * AlertEvaluatorProcessor: every few seconds, reads the pipeline snapshot, opens the
 * alerts the rules call for and resolves those whose condition cleared. Creation is
 * idempotent per rule and subject while unresolved (a partial unique index), so two
 * server processes evaluating at once open one alert.
 *
 * Pushing is separate from deciding: each process follows the alerts table's change
 * sequence and pushes every change to its own SSE clients, whichever process made
 * it. The webhook is sent by the process that made the change.
 */
export class AlertService {
  private readonly repo: AlertRepository;
  private pushedSeq: bigint | null = null;
  private timers: NodeJS.Timeout[] = [];
  private evaluateTimer: NodeJS.Timeout | null = null;
  private evaluating: Promise<void> | null = null;
  private publishing: Promise<void> | null = null;

  constructor(
    run: ScopedRunner,
    private readonly deps: {
      monitor: PipelineMonitor;
      live: Fanout;
      webhook: AlertWebhook;
      audit: AuditFn;
      /** The defaults; what is in force is these with the stored overrides on top. */
      rules: AlertRules;
      log: FastifyBaseLogger;
      /** Records the writer quarantined since a time, per tenant (the writer_quarantine rule). */
      quarantine?: { recentByTenant(since: Date): Promise<{ tenant_id: string | null; count: number; last_seen: string }[]> };
    },
  ) {
    this.repo = new AlertRepository(run);
  }

  /**
   * Starts evaluating every `evaluateMs` and pushing changes every `publishMs`. An
   * evaluation scans the window's events; when one takes long (a busy database, a high
   * event rate), the next waits ten times as long, so the evaluator never takes more than
   * about a tenth of the database's time from ingest and the live stream.
   */
  async start(evaluateMs: number, publishMs = 1000) {
    this.pushedSeq = await this.repo.maxChangeSeq();
    if (evaluateMs > 0) {
      const next = (delay: number) => {
        this.evaluateTimer = setTimeout(async () => {
          const t0 = Date.now();
          await this.evaluate().catch((err) => this.deps.log.error({ err }, 'alerts: evaluation failed'));
          const took = Date.now() - t0;
          if (this.evaluateTimer !== null) next(Math.max(evaluateMs, EVALUATION_SHARE_INVERSE * took));
        }, delay);
        this.evaluateTimer.unref();
      };
      next(evaluateMs);
    }
    this.timers.push(
      setInterval(() => void this.publish().catch((err) => this.deps.log.error({ err }, 'alerts: publish failed')), publishMs),
    );
    for (const t of this.timers) t.unref();
  }

  async stop() {
    if (this.evaluateTimer !== null) clearTimeout(this.evaluateTimer);
    this.evaluateTimer = null;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.evaluating;
    await this.publishing;
    await this.deps.webhook.flush();
  }

  /** An evaluation asked for by a caller (`POST /v1/alerts/evaluate`): it judges every
   * tenant, so it needs a '*' scope. */
  async evaluateNow(scope: TenantScope): Promise<void> {
    changesEveryTenant(scope, 'an evaluation opens and resolves the alerts of every tenant: it');
    return this.evaluate();
  }

  /** One evaluation (also called directly by tests); concurrent calls share one run. */
  evaluate(): Promise<void> {
    this.evaluating ??= this.evaluateOnce().finally(() => {
      this.evaluating = null;
    });
    return this.evaluating;
  }

  /**
   * Rules over each tenant's own traffic (alerts that tenant's users see) and over the
   * whole pipeline (alerts without a tenant, only for those who see every tenant): a
   * tenant's users never read figures that include another tenant's calls or costs.
   */
  private async evaluateOnce() {
    const { monitor } = this.deps;
    const rules = await this.rules();
    const q = { window_s: rules.window_s, baseline_s: rules.baseline_s, costs: true };
    const { pipeline, tenants } = await monitor.snapshotsAll(q);
    await this.addQuarantine(pipeline, tenants, rules.window_s);
    // With one tenant in the figures the pipeline-wide alerts would repeat that tenant's
    // word for word: only the tenant's are raised (those who see every tenant see them too).
    const wanted: { tenant: string | null; c: AlertCandidate }[] =
      tenants.size === 1 ? [] : evaluateRules(pipeline, rules).map((c) => ({ tenant: null, c }));
    for (const [tenant, snap] of tenants) for (const c of evaluateRules(snap, rules)) wanted.push({ tenant, c });

    const key = (tenant: string | null, a: { rule: string; subject: string }) => `${tenant ?? ''}|${a.rule}|${a.subject}`;
    const open = new Map((await this.repo.unresolved()).map((a) => [key(a.tenant_id, a), a]));
    let changed = false;
    for (const { tenant, c } of wanted) {
      const existing = open.get(key(tenant, c));
      if (existing) {
        if (existing.message !== c.message || existing.severity !== c.severity) await this.repo.refresh(existing.id, c);
        continue;
      }
      const created = await this.repo.open(c, tenant);
      if (created) {
        changed = true;
        this.deps.log.warn({ alert: created.id, tenant, rule: c.rule, subject: c.subject }, c.message);
        this.deps.webhook.send('opened', publicAlert(created));
      }
    }
    const still = new Set(wanted.map(({ tenant, c }) => key(tenant, c)));
    for (const a of open.values()) {
      if (still.has(key(a.tenant_id, a))) continue;
      const resolved = await this.repo.resolve('*', a.id, 'system (condition cleared)', null);
      if (resolved) {
        changed = true;
        this.deps.webhook.send('resolved', publicAlert(resolved));
      }
    }
    if (changed) await this.publish();
  }

  /** The writer's quarantine over the window: each tenant's in its snapshot (one made
   * for a tenant with no traffic), every tenant's in the pipeline's. */
  private async addQuarantine(pipeline: PipelineSnapshot, tenants: Map<string, PipelineSnapshot>, windowS: number) {
    const q = this.deps.quarantine;
    if (!q) return;
    const rows = await q.recentByTenant(new Date(pipeline.at.getTime() - windowS * 1000));
    const add = (snap: PipelineSnapshot, count: number, lastSeen: string) => {
      const prev = snap.quarantine ?? { count: 0, last_seen: null };
      snap.quarantine = { count: prev.count + count, last_seen: prev.last_seen && prev.last_seen > lastSeen ? prev.last_seen : lastSeen };
    };
    for (const r of rows) {
      add(pipeline, r.count, r.last_seen);
      if (r.tenant_id === null) continue;
      let snap = tenants.get(r.tenant_id);
      if (!snap) tenants.set(r.tenant_id, (snap = { ...pipeline, stages: [], costs: [], quarantine: undefined }));
      add(snap, r.count, r.last_seen);
    }
  }

  /** Pushes every alert change since the last push to this process's SSE clients. */
  publish(): Promise<void> {
    this.publishing ??= this.publishOnce().finally(() => {
      this.publishing = null;
    });
    return this.publishing;
  }

  private async publishOnce() {
    if (this.pushedSeq === null) return;
    for (;;) {
      const changes = await this.repo.changesSince(this.pushedSeq);
      for (const a of changes) {
        // Pipeline-wide alerts go to clients that see every tenant; a tenant's only to
        // clients that would see that tenant's events.
        const alert = publicAlert(a);
        this.deps.live.broadcastAlert(alert, (c) =>
          a.tenant_id === null
            ? c.scope === '*'
            : c.match({ tenant_id: a.tenant_id, stage: a.stage ?? '', model_name: a.model_name ?? '' } as never),
        );
        this.pushedSeq = a.change_seq;
      }
      if (changes.length < 500) return;
    }
  }

  #rulesCache: { at: number; state: Promise<AlertRulesState> } | null = null;

  /** The rules in force: the defaults with the stored changes on top. Read at most once a
   * second per process, so every process judges by the same rules within a second. */
  async rules(): Promise<AlertRules> {
    return (await this.rulesState()).rules;
  }

  rulesState(): Promise<AlertRulesState> {
    const now = Date.now();
    if (this.#rulesCache && now - this.#rulesCache.at < 1000) return this.#rulesCache.state;
    const state = this.repo.ruleOverrides().then((o) => ({
      rules: { ...this.deps.rules, ...(o?.overrides ?? {}) },
      defaults: this.deps.rules,
      updated_at: o?.updated_at ?? null,
      updated_by: o?.updated_by ?? null,
    }));
    state.catch(() => {
      if (this.#rulesCache?.state === state) this.#rulesCache = null; // a failed read is not remembered
    });
    this.#rulesCache = { at: now, state };
    return state;
  }

  /** Changes some thresholds (audited, with each field's old and new value). One set of
   * rules judges every tenant, so only a credential for every tenant may change it. */
  async updateRules(actor: Actor, scope: TenantScope, patch: AlertRulesUpdate): Promise<AlertRulesState> {
    changesEveryTenant(scope);
    const current = { ...this.deps.rules, ...((await this.repo.ruleOverrides())?.overrides ?? {}) };
    const wanted = { ...current, ...patch };
    if (wanted.error_rate_critical < wanted.error_rate_warning)
      throw badRequest(
        `error_rate_critical (${wanted.error_rate_critical}) must be at least error_rate_warning (${wanted.error_rate_warning})`,
      );
    const stored = await this.repo.mergeRuleOverrides(patch, actorName(actor));
    this.#rulesCache = null;
    const before = { ...this.deps.rules, ...stored.before };
    const changed = Object.fromEntries(
      (Object.keys(patch) as (keyof AlertRules)[]).filter((k) => before[k] !== patch[k]).map((k) => [k, { from: before[k], to: patch[k] }]),
    );
    await this.deps.audit(actor, { action: 'alerts.rules.update', target: 'alert_rules', details: { changed }, tenants: null });
    return this.rulesState();
  }

  /** Back to the defaults (audited with what was changed before). */
  async resetRules(actor: Actor, scope: TenantScope): Promise<AlertRulesState> {
    changesEveryTenant(scope);
    const stored = (await this.repo.ruleOverrides())?.overrides ?? {};
    await this.repo.clearRuleOverrides();
    this.#rulesCache = null;
    await this.deps.audit(actor, { action: 'alerts.rules.reset', target: 'alert_rules', details: { cleared: stored }, tenants: null });
    return this.rulesState();
  }

  async list(scope: TenantScope, q: AlertListQuery): Promise<Alert[]> {
    return (await this.repo.list(scope, { ...q, limit: q.limit ?? 100 })).map(publicAlert);
  }

  /** Unresolved alerts about what the schematic shows: one tenant's, or with none named,
   * the pipeline-wide ones for those who see every tenant and their own tenants' for the rest. */
  async active(scope: TenantScope, tenant: string | null): Promise<Alert[]> {
    const rows = await this.repo.list(scope, { state: 'active', limit: 500, tenant_id: tenant ?? (scope === '*' ? null : undefined) });
    return rows.map(publicAlert);
  }

  private async visible(scope: TenantScope, id: string): Promise<AlertRow> {
    const a = await this.repo.get(scope, id);
    if (!a || (scope !== '*' && (a.tenant_id === null || !scope.includes(a.tenant_id)))) throw notFound(`no alert ${id}`);
    return a;
  }

  async acknowledge(actor: Actor, scope: TenantScope, id: string, note: string | null): Promise<Alert> {
    const before = await this.visible(scope, id);
    const a = await this.repo.acknowledge(scope, id, actorName(actor), note);
    if (!a) throw conflict(`alert ${id} is ${before.state}; only an open alert can be acknowledged`);
    return this.after(actor, 'alerts.acknowledge', a, note);
  }

  async resolve(actor: Actor, scope: TenantScope, id: string, note: string | null): Promise<Alert> {
    await this.visible(scope, id);
    const a = await this.repo.resolve(scope, id, actorName(actor), note);
    if (!a) throw conflict(`alert ${id} is already resolved`);
    return this.after(actor, 'alerts.resolve', a, note);
  }

  private async after(actor: Actor, action: string, a: AlertRow, note: string | null) {
    const alert = publicAlert(a);
    await this.deps.audit(actor, {
      action,
      target: `alert:${a.id}`,
      details: { rule: a.rule, subject: a.subject, note },
      tenants: a.tenant_id ? [a.tenant_id] : null,
    });
    this.deps.webhook.send(a.state === 'resolved' ? 'resolved' : 'acknowledged', alert);
    await this.publish();
    return alert;
  }
}
