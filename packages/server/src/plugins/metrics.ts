import fp from 'fastify-plugin';

export type { Metrics } from '../compose/metrics.ts';

/** Prometheus metrics at `GET /metrics`: ingest rate, bus lag, writer batches and quarantine, SSE clients. */
export const metricsPlugin = fp(
  async (app) => {
    const { registry, busBacklog, quarantineRows } = app.metrics;
    app.get('/metrics', { config: { permission: 'public' }, schema: { hide: true } }, async (_req, reply) => {
      const [backlog, quarantined] = await Promise.all([app.bus.backlog().catch(() => -1), app.services.quarantine.count().catch(() => -1)]);
      busBacklog.set(backlog);
      quarantineRows.set(quarantined);
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    });
  },
  { name: 'metrics', dependencies: ['services'] },
);
