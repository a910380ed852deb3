import { MAX_BATCH_EVENTS } from '@frostbyte/contracts';
import type { FastifyPluginAsync } from 'fastify';
import { badRequest } from '../../kernel/errors.ts';
import { decodeProtobuf, OtlpError, spansToEvents } from '../../ingest/otlp.ts';

/** `POST /v1/traces`: OTLP/HTTP in JSON or protobuf. Answers in the OTLP response
 * shape, with `partialSuccess` naming what was rejected. */
export const otlpRoutes: FastifyPluginAsync = async (app) => {
  app.addContentTypeParser('application/x-protobuf', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post(
    '/v1/traces',
    {
      config: { permission: 'events:write' },
      schema: { tags: ['events'], summary: 'OTLP/HTTP trace export (JSON or protobuf); GenAI spans become model events' },
    },
    async (req, reply) => {
      let conv: ReturnType<typeof spansToEvents>;
      try {
        conv = spansToEvents(Buffer.isBuffer(req.body) ? decodeProtobuf(req.body) : (req.body as never));
      } catch (e) {
        // Conversion only reads the client's data: whatever it trips over (a wrong type,
        // a value nested too deep to walk) is a bad request, not a server fault.
        const message = e instanceof OtlpError ? e.message : `not a valid OTLP trace export: ${(e as Error).message}`.slice(0, 300);
        throw badRequest(message);
      }
      let rejected = conv.rejected.length;
      const messages = conv.rejected.map((r) => `${r.span}: ${r.reason}`);
      for (let i = 0; i < conv.events.length; i += MAX_BATCH_EVENTS) {
        // A full or unreachable bus throws a 503 HttpError (Retry-After) to the error handler.
        const res = await app.ingest.ingest(conv.events.slice(i, i + MAX_BATCH_EVENTS), { tenant: req.ctx.tenant, scope: req.ctx.scope });
        rejected += res.rejected.length;
        for (const r of res.rejected.slice(0, 5)) messages.push(`event ${r.index}: ${r.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
      }
      // Nothing taken and something refused: a 400 saying why, as for a native batch
      // (spans that are not model calls are skipped, not refused).
      if (rejected && rejected === conv.rejected.length + conv.events.length) {
        throw badRequest(`no span accepted: ${messages.slice(0, 5).join(' | ')}`);
      }
      return reply.code(200).send(rejected ? { partialSuccess: { rejectedSpans: Math.ceil(rejected / 2), errorMessage: messages.slice(0, 10).join(' | ') } } : {});
    },
  );
};
