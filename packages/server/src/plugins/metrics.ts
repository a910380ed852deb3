import fp from 'fastify-plugin';

export type { Metrics } from '../compose/metrics.ts';

/** Prometheus metrics at `GET /metrics`: ingest rate, bus lag, writer batches, SSE clients. */
export const metricsPlugin = fp(
  async (app) => {
    const { registry, busBacklog } = app.metrics;
    app.get('/metrics', { config: { permission: 'public' }, schema: { hide: true } }, async (_req, reply) => {
      busBacklog.set(await app.bus.backlog().catch(() => -1));
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    });
  },
  { name: 'metrics', dependencies: ['services'] },
);
