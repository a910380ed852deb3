import fp from 'fastify-plugin';
import { auditHook } from '../registry/audit-hook.ts';
import type { SqlStorage } from '../storage/sql-storage.ts';
import { AlertService } from './alert-service.ts';
import { PipelineMonitor } from './pipeline-monitor.ts';
import { DEFAULT_ALERT_RULES } from './rules.ts';
import { AlertWebhook } from './webhook.ts';

declare module 'fastify' {
  interface FastifyInstance {
    pipelineMonitor: PipelineMonitor;
    alerts: AlertService;
  }
}

/** Pipeline status, bottleneck detection and alerting: evaluates every
 * `alertEvaluateMs`, pushes alert changes to this process's SSE clients, and POSTs
 * them to `alertWebhookUrl` when set. */
export const alertsPlugin = fp(
  async (app) => {
    const storage = app.storage as SqlStorage;
    const rules = DEFAULT_ALERT_RULES;
    const monitor = new PipelineMonitor(app.eventStats, app.registry, {
      abandonAfterMs: app.config.abandonAfterMs,
      slowFiguresMs: app.config.slowFiguresMs ?? 60_000,
    });
    const webhook = new AlertWebhook(app.config.alertWebhookUrl ?? null, app.log);
    const alerts = new AlertService((scope, fn) => storage.scoped(scope, fn), { monitor, live: app.live, webhook, audit: auditHook(app, app.log), rules, log: app.log });
    app.decorate('pipelineMonitor', monitor);
    app.decorate('alerts', alerts);
    app.addHook('onReady', async () => {
      await alerts.start(app.config.alertEvaluateMs ?? 5000);
    });
    app.addHook('preClose', async () => {
      await alerts.stop();
    });
  },
  { name: 'alerts', dependencies: ['registry', 'ingest'] },
);
