import type { Bus } from './bus/bus.ts';
import type { Config } from './config.ts';
import type { IngestService } from './ingest/ingest-events.ts';
import type { PriceBook } from './ingest/pricing.ts';
import type { EventWriter } from './ingest/writer.ts';
import type { Fanout } from './live/fanout.ts';
import type { RequestContext } from './plugins/context.ts';
import type { Metrics } from './plugins/metrics.ts';
import type { TraceCrypto } from './security/trace-crypto.ts';
import type { Storage } from './storage/storage.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    storage: Storage;
    bus: Bus;
    writer: EventWriter;
    live: Fanout;
    ingest: IngestService;
    prices: PriceBook;
    traceCrypto: TraceCrypto;
    metrics: Metrics;
  }
  interface FastifyRequest {
    ctx: RequestContext;
  }
  interface FastifyContextConfig {
    /** What a caller needs for this route (see security/permissions.ts); 'public' for health checks. */
    permission?: string;
  }
}
