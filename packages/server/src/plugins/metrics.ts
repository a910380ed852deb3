import fp from 'fastify-plugin';
import client from 'prom-client';

export interface Metrics {
  registry: client.Registry;
  ingested: client.Counter<'result'>;
  busBacklog: client.Gauge;
  writerBatch: client.Histogram;
  sseClients: client.Gauge;
}

/** Prometheus metrics at `GET /metrics`: ingest rate, bus lag, writer batches, SSE clients. */
export const metricsPlugin = fp(
  async (app) => {
    const registry = new client.Registry();
    client.collectDefaultMetrics({ register: registry, prefix: 'fmo_' });
    const metrics: Metrics = {
      registry,
      ingested: new client.Counter({ name: 'fmo_ingest_events_total', help: 'Events by ingest result', labelNames: ['result'], registers: [registry] }),
      busBacklog: new client.Gauge({ name: 'fmo_bus_backlog', help: 'Records on the bus not yet written to the database', registers: [registry] }),
      writerBatch: new client.Histogram({
        name: 'fmo_writer_batch_size',
        help: 'Records per database write',
        buckets: [1, 10, 50, 100, 500, 1000, 2000, 5000],
        registers: [registry],
      }),
      sseClients: new client.Gauge({ name: 'fmo_sse_clients', help: 'Connected live clients', registers: [registry] }),
    };
    app.decorate('metrics', metrics);
    app.get('/metrics', { config: { permission: 'public' }, schema: { hide: true } }, async (_req, reply) => {
      metrics.busBacklog.set(await app.bus.backlog().catch(() => -1));
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    });
  },
  { name: 'metrics', dependencies: ['bus'] },
);
