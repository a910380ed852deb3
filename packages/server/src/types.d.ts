import type { Bus } from './bus/bus.ts';
import type { Config } from './config.ts';
import type { IngestService } from './ingest/ingest-events.ts';
import type { PriceBook } from './ingest/pricing.ts';
import type { Fanout } from './live/fanout.ts';
import type { RequestContext } from './plugins/context.ts';
import type { Metrics } from './plugins/metrics.ts';
import type { AdminService } from './admin/admin-service.ts';
import type { AuditLog } from './audit/audit-log.ts';
import type { Authenticator } from './access/auth.ts';
import type { IdentityRepository } from './access/identity.ts';
import type { Retention } from './retention/retention.ts';
import type { TraceCrypto } from './crypto/trace-crypto.ts';
import type { Storage } from './storage/storage.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    storage: Storage;
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
    /** Every route with its declared permission (app.ts records them as they register). */
    routeTable: { method: string; url: string; permission: string | undefined }[];
  }
  interface FastifyRequest {
    ctx: RequestContext;
  }
  interface FastifyContextConfig {
    /** What a caller needs for this route (see access/permissions.ts); 'public' for health checks. */
    permission?: string;
    /** Also take the bearer token from `?access_token=` (SSE, WebSocket: no headers there). */
    allowQueryToken?: boolean;
  }
}
