import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

/** What `/readyz` tells of the writer (compose/server.ts `writerHealth`). */
const WriterReport = Type.Object({
  loops: Type.Integer(),
  /** Why the writer is not making progress, or null. */
  stalled: Type.Union([Type.String(), Type.Null()]),
  /** Records on the bus not yet written (-1: the bus did not answer). */
  lag: Type.Integer(),
  last_commit_age_s: Type.Union([Type.Number(), Type.Null()]),
  /** How long the batch in hand has been held (null: idle). */
  busy_s: Type.Union([Type.Number(), Type.Null()]),
  batches: Type.Integer(),
  written: Type.Integer(),
  retries: Type.Integer(),
  quarantined: Type.Integer(),
  quarantine_failures: Type.Integer(),
});

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const pub = { permission: 'public' };
  app.get('/telemetry/test', { config: pub, schema: { tags: ['health'], summary: "The spec's telemetry check" } }, async () => ({
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
        summary: 'Readiness: the database and the bus answer, and the writer makes progress',
        response: {
          200: Type.Object({ status: Type.String(), db: Type.String(), bus: Type.String(), backlog: Type.Integer(), writer: WriterReport }),
          503: Type.Object({ status: Type.String(), db: Type.String(), bus: Type.String(), reason: Type.String(), writer: WriterReport }),
        },
      },
    },
    async (_req, reply) => {
      const check = (p: Promise<unknown>) =>
        p.then(
          () => 'ok',
          (e: Error) => `down: ${e.message}`.slice(0, 200),
        );
      const [db, bus, backlog] = await Promise.all([check(app.storage.ping()), check(app.bus.ping()), app.bus.backlog().catch(() => -1)]);
      const h = app.services.writerHealth();
      const now = Date.now();
      const age = (t: number | null) => (t === null ? null : Math.round((now - t) / 100) / 10);
      const writer = {
        loops: h.loops,
        stalled: h.stalled,
        lag: backlog,
        last_commit_age_s: age(h.stats.lastCommitAt),
        busy_s: age(h.stats.busySince),
        batches: h.stats.batches,
        written: h.stats.written,
        retries: h.stats.retries,
        quarantined: h.stats.quarantined,
        quarantine_failures: h.stats.quarantineFailures,
      };
      const down = [db !== 'ok' && `database ${db}`, bus !== 'ok' && `bus ${bus}`, h.stalled].filter((x): x is string => !!x);
      if (down.length) return reply.code(503).send({ status: 'degraded', db, bus, reason: down.join('; '), writer });
      return { status: 'ok', db, bus, backlog, writer };
    },
  );
};
