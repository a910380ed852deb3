import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const pub = { permission: 'public' };
  app.get('/telemetry/test', { config: pub, schema: { tags: ['health'], summary: 'The spec\'s telemetry check' } }, async () => ({
    status: 'ok',
    service: 'frostbyte-model-observatory',
    storage: app.storage.kind,
    bus: app.bus.kind,
    time: new Date().toISOString(),
  }));
  app.get('/healthz', { config: pub, schema: { tags: ['health'], summary: 'Liveness' } }, async () => ({ status: 'ok' }));
  app.get(
    '/readyz',
    {
      config: pub,
      schema: {
        tags: ['health'],
        summary: 'Readiness: the database and the bus answer',
        response: { 200: Type.Object({ status: Type.String(), db: Type.String(), bus: Type.String(), backlog: Type.Integer() }), 503: Type.Object({ status: Type.String(), db: Type.String(), bus: Type.String() }) },
      },
    },
    async (_req, reply) => {
      const check = (p: Promise<unknown>) => p.then(() => 'ok', (e: Error) => `down: ${e.message}`.slice(0, 200));
      const [db, bus] = await Promise.all([check(app.storage.ping()), check(app.bus.ping())]);
      if (db !== 'ok' || bus !== 'ok') return reply.code(503).send({ status: 'degraded', db, bus });
      return { status: 'ok', db, bus, backlog: await app.bus.backlog() };
    },
  );
};
