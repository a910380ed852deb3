import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  DecisionTrace,
  ErrorResponse,
  EventListQuery,
  IdParam,
  IngestErrorResponse,
  IngestResponse,
  MAX_BATCH_EVENTS,
  ModelEvent,
} from '@frostbyte/contracts';
import { Type } from '@sinclair/typebox';
import { actorOf } from '../../access/auth.ts';
import { purposeProblem, readAuditOf } from '../../audit/read-audit.ts';
import { documentServiceOf } from '../../documents/document-service.ts';
import { joinLogs, OtlpLogStore, spanOf } from '../../ingest/otlp/log-content.ts';
import { eventField } from '../../ingest/storable.ts';
import { badRequest, notFound } from '../../kernel/errors.ts';
import { parseSeq } from '../../kernel/seq.ts';
import { readTrace } from './read-trace.ts';

const EventPage = Type.Object({ events: Type.Array(ModelEvent), next_cursor: Type.Union([Type.String(), Type.Null()]) });
const EventList = Type.Object({ events: Type.Array(ModelEvent) });
const errors = { 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

/** The `X-Access-Purpose` header: absent → null; bounded and printable, else a 400. */
function accessPurpose(h: string | string[] | undefined): string | null {
  const v = Array.isArray(h) ? h.join(', ') : h;
  if (v === undefined || v.trim() === '') return null;
  const problem = purposeProblem(v.trim());
  if (problem) throw badRequest(problem);
  return v.trim();
}

export const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Reads counted but not yet written are written before the database closes.
  const reads = readAuditOf(app.audit, { onError: (e) => app.log.error({ err: e }, 'read audit flush failed') });
  app.addHook('preClose', () => reads.close());
  app.post(
    '/v1/events',
    {
      config: { permission: 'events:write' },
      schema: {
        tags: ['events'],
        summary: 'Ingest a batch of model events (1–5000); idempotent on event id',
        description:
          'Each item is validated on its own: valid items are accepted, invalid ones are listed in `rejected` with the path and what is expected. 202 means durable.',
        body: Type.Object(
          { events: Type.Array(Type.Unknown(), { minItems: 1, maxItems: MAX_BATCH_EVENTS, description: 'ModelEventInput items' }) },
          { additionalProperties: false },
        ),
        response: { 202: IngestResponse, 400: Type.Union([IngestErrorResponse, ErrorResponse]), 413: ErrorResponse, 503: ErrorResponse },
      },
    },
    async (req, reply) => {
      // A full or unreachable bus throws a 503 HttpError (Retry-After) to the error handler.
      const res = await app.ingest.ingest(req.body.events, { tenant: req.ctx.tenant, scope: req.ctx.scope });
      app.metrics.ingested.inc({ result: 'accepted' }, res.accepted - res.duplicates);
      if (res.duplicates) app.metrics.ingested.inc({ result: 'duplicate' }, res.duplicates);
      if (res.rejected.length) app.metrics.ingested.inc({ result: 'rejected' }, res.rejected.length);
      const status = res.accepted === 0 && res.rejected.length > 0 ? 400 : 202;
      if (status === 400) {
        const first = res.rejected[0];
        return reply.code(400).send({
          ...res,
          statusCode: 400,
          error: 'Bad Request',
          message: `no event accepted; first problem: ${eventField(first?.index, first?.errors[0]?.path ?? '')}: ${first?.errors[0]?.message ?? ''}`,
        } as never);
      }
      return reply.code(202).send(res);
    },
  );

  app.get(
    '/v1/events',
    {
      config: { permission: 'events:read' },
      schema: {
        tags: ['events'],
        summary: 'Event history, newest first, keyset-paginated',
        querystring: EventListQuery,
        response: { 200: EventPage, ...errors },
      },
    },
    async (req) => {
      const { cursor, limit = 100, ...q } = req.query;
      let beforeSeq: bigint | undefined;
      if (cursor !== undefined) {
        const s = parseSeq(cursor);
        if (s === null) throw badRequest('cursor is not valid: pass next_cursor from the previous page unchanged');
        beforeSeq = s;
      }
      const events = await app.storage.listEvents(req.ctx.scope, { ...q, beforeSeq, limit: limit + 1 });
      const more = events.length > limit;
      if (more) events.pop();
      return { events, next_cursor: more ? (events[events.length - 1]?.seq ?? null) : null };
    },
  );

  app.get(
    '/v1/events/:id',
    {
      config: { permission: 'events:read' },
      schema: {
        tags: ['events'],
        summary: 'One event with its decision trace',
        params: IdParam,
        response: { 200: Type.Object({ event: ModelEvent, trace: Type.Union([DecisionTrace, Type.Null()]) }), ...errors },
      },
    },
    async (req) => {
      const purpose = accessPurpose(req.headers['x-access-purpose']);
      const found = await app.storage.getEvent(req.ctx.scope, req.params.id);
      if (!found) throw notFound(`no event ${req.params.id}`);
      const { event } = found;
      // An OTLP call's content may also have come as GenAI event logs (POST /v1/logs).
      const span = spanOf(event);
      const logs = span
        ? await new OtlpLogStore(app.db, app.traceCrypto).forSpan(req.ctx.scope, event.tenant_id, span.traceId, span.spanId)
        : [];
      if (!found.trace && !logs.length) return { event, trace: null };
      // An erased document's traces stay closed, also those that arrived after the erasure.
      const erased =
        event.document_id !== null &&
        (await documentServiceOf(app.db, app.audit).isErased(req.ctx.scope, event.tenant_id, event.document_id));
      const canSee = req.ctx.canSeePayloads && !erased;
      const trace = joinLogs(event, found.trace ? readTrace(app.traceCrypto, found.trace, canSee) : null, logs, canSee) as DecisionTrace;
      // A payload was decrypted for this person: the read audit counts it (one chained entry per flush).
      if (trace.readable) {
        reads.note({
          tenant: event.tenant_id,
          actor: actorOf(req.ctx),
          event_id: event.id,
          document_id: event.document_id,
          purpose,
          client: req.ip ?? null,
        });
      }
      return { event, trace };
    },
  );

  app.get(
    '/v1/invocations/:id',
    {
      config: { permission: 'events:read' },
      schema: {
        tags: ['events'],
        summary: 'The events of one invocation (started → completed/failed)',
        params: IdParam,
        response: { 200: EventList, ...errors },
      },
    },
    async (req) => {
      const events = await app.storage.invocationEvents(req.ctx.scope, req.params.id);
      if (!events.length) throw notFound(`no invocation ${req.params.id}`);
      return { events };
    },
  );

  app.get(
    '/v1/documents/:document_id/events',
    {
      config: { permission: 'events:read' },
      schema: {
        tags: ['events'],
        summary: "A document's journey through the pipeline, oldest first",
        params: Type.Object({ document_id: Type.String({ minLength: 1, maxLength: 256 }) }),
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 1000 })) }),
        response: { 200: EventList, ...errors },
      },
    },
    async (req) => ({ events: await app.storage.documentEvents(req.ctx.scope, req.params.document_id, req.query.limit ?? 1000) }),
  );
};
