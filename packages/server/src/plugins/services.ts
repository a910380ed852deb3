import fp from 'fastify-plugin';
import type { IdentityRepository } from '../access/identity.ts';
import type { Authenticator } from '../access/auth.ts';
import type { AdminService } from '../admin/admin-service.ts';
import type { AlertService } from '../alerts/alert-service.ts';
import type { PipelineMonitor } from '../alerts/pipeline-monitor.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Bus } from '../bus/bus.ts';
import type { Metrics } from '../compose/metrics.ts';
import { composeServer, type ServerServices } from '../compose/server.ts';
import type { TraceCrypto } from '../crypto/trace-crypto.ts';
import type { IngestService } from '../ingest/ingest-events.ts';
import type { PriceBook } from '../ingest/pricing.ts';
import type { Fanout } from '../live/fanout.ts';
import type { ExperimentService } from '../registry/experiment-service.ts';
import type { RegistryService } from '../registry/registry-service.ts';
import type { Retention } from '../retention/retention.ts';
import type { EventStats } from '../storage/event-stats.ts';
import type { SqlClient } from '../storage/sql-client.ts';
import type { Storage } from '../storage/storage.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Everything the composition root built, for the few places that need the whole. */
    services: ServerServices;
    /** The SQL client (tests reach the rows through it; routes never do). */
    db: SqlClient;
    storage: Storage;
    eventStats: EventStats;
    bus: Bus;
    live: Fanout;
    ingest: IngestService;
    prices: PriceBook;
    traceCrypto: TraceCrypto;
    metrics: Metrics;
    audit: AuditLog;
    retention: Retention;
    identity: IdentityRepository;
    auth: Authenticator;
    admin: AdminService;
    registry: RegistryService;
    experiments: ExperimentService;
    pipelineMonitor: PipelineMonitor;
    alerts: AlertService;
  }
}

/**
 * The services of this process, built once by the composition root (compose/server.ts)
 * and decorated for the routes. Background work starts when the app is ready, stops
 * taking new work before the server closes, and the writer finishes and the stores
 * close with it.
 */
export const servicesPlugin = fp<{ inMemory?: boolean }>(
  async (app, opts) => {
    const s = await composeServer({ config: app.config, log: app.log, inMemory: opts.inMemory });
    app.decorate('services', s);
    app.decorate('db', s.db);
    app.decorate('storage', s.storage);
    app.decorate('eventStats', s.stats);
    app.decorate('bus', s.bus);
    app.decorate('live', s.live);
    app.decorate('ingest', s.ingest);
    app.decorate('prices', s.prices);
    app.decorate('traceCrypto', s.crypto);
    app.decorate('metrics', s.metrics);
    app.decorate('audit', s.audit);
    app.decorate('retention', s.retention);
    app.decorate('identity', s.identity);
    app.decorate('auth', s.auth);
    app.decorate('admin', s.admin);
    app.decorate('registry', s.registry);
    app.decorate('experiments', s.experiments);
    app.decorate('pipelineMonitor', s.pipelineMonitor);
    app.decorate('alerts', s.alerts);
    app.addHook('onReady', () => s.start());
    app.addHook('preClose', () => s.quiesce());
    app.addHook('onClose', () => s.close());
  },
  { name: 'services' },
);
