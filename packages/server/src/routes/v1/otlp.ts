import { MAX_BATCH_EVENTS } from '@frostbyte/contracts';
import type { FastifyPluginAsync } from 'fastify';
import client from 'prom-client';
import { decodeLogsProtobuf, decodeProtobuf, OtlpError } from '../../ingest/otlp/decode.ts';
import { logsToContents, OtlpLogStore } from '../../ingest/otlp/log-content.ts';
import { type RefusedSpan, spansToEvents } from '../../ingest/otlp/spans-to-events.ts';
import { createServerRedactor } from '../../ingest/server-redactor.ts';
import { badRequest } from '../../kernel/errors.ts';

/** How many refusals the partialSuccess message spells out (the count covers all). */
const MESSAGES_SHOWN = 10;

/** `POST /v1/traces` and `POST /v1/logs`: OTLP/HTTP in JSON or protobuf. Answers in the OTLP response
 * shape, with `partialSuccess` naming every refused span (name, id, reason): refused by
 * the mapping or by the ingest validator, whose event index is mapped back to its span. */
export const otlpRoutes: FastifyPluginAsync = async (app) => {
  // Every span is accounted for: events, context (agent/workflow/tool), not a model call, refused.
  const spans = new client.Counter({
    name: 'fmo_otlp_spans_total',
    help: 'OTLP spans received, by outcome',
    labelNames: ['outcome'],
    registers: [app.metrics.registry],
  });
  app.addContentTypeParser('application/x-protobuf', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post(
    '/v1/traces',
    {
      config: { permission: 'events:write' },
      schema: {
        tags: ['events'],
        summary: 'OTLP/HTTP trace export (JSON or protobuf); GenAI, OpenInference, OpenLLMetry and AI SDK spans become model events',
      },
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
      const refused: RefusedSpan[] = [...conv.rejected];
      const refusedIds = new Set<string>();
      const ingestCtx = { tenant: req.ctx.tenant, scope: req.ctx.scope };
      const refuse = (span: { name: string; spanId: string } | undefined, errors: readonly { path: string; message: string }[]) => {
        if (!span || refusedIds.has(span.spanId)) return;
        refusedIds.add(span.spanId);
        refused.push({ name: span.name, spanId: span.spanId, reason: errors.map((e) => `${e.path} ${e.message}`).join('; ') });
      };
      // A span is taken whole or not at all: a started event stored without its end
      // would show a call that never finishes. So check every event once, refuse the
      // spans with a refused event, and take the rest as checked.
      const checked = app.ingest.check(conv.events, ingestCtx);
      for (const r of checked.rejected) refuse(conv.eventSpans[r.index], r.errors);
      const events = checked.valid.filter((v) => !refusedIds.has(conv.eventSpans[v.index]?.spanId ?? '')).map((v) => v.event);
      let acceptedEvents = 0;
      for (let i = 0; i < events.length; i += MAX_BATCH_EVENTS) {
        // A full or unreachable bus throws a 503 HttpError (Retry-After) to the error handler.
        acceptedEvents += (await app.ingest.take(events.slice(i, i + MAX_BATCH_EVENTS), ingestCtx)).accepted;
      }
      const modelSpans = new Set(conv.eventSpans.map((s) => s.spanId)).size;
      spans.inc({ outcome: 'model_call' }, modelSpans - refusedIds.size);
      spans.inc({ outcome: 'context' }, conv.skipped.context);
      spans.inc({ outcome: 'not_model' }, conv.skipped.notModel);
      spans.inc({ outcome: 'refused' }, refused.length);
      const messages = refused.slice(0, MESSAGES_SHOWN).map((r) => `span '${r.name}' (${r.spanId || 'no id'}): ${r.reason}`);
      if (refused.length > MESSAGES_SHOWN) messages.push(`… and ${refused.length - MESSAGES_SHOWN} more`);
      // Nothing taken and something refused: a 400 saying why, as for a native batch
      // (spans that are not model calls are counted, not refused).
      if (refused.length && acceptedEvents === 0 && conv.skipped.context + conv.skipped.notModel === 0) {
        throw badRequest(`no span accepted: ${messages.join(' | ')}`);
      }
      return reply
        .code(200)
        .send(refused.length ? { partialSuccess: { rejectedSpans: refused.length, errorMessage: messages.join(' | ') } } : {});
    },
  );

  // GenAI content events sent as logs: kept, redacted and sealed, and joined to their
  // span's event when it is read (ingest/otlp/log-content.ts), whichever came first.
  const logRecords = new client.Counter({
    name: 'fmo_otlp_log_records_total',
    help: 'OTLP log records received, by outcome',
    labelNames: ['outcome'],
    registers: [app.metrics.registry],
  });
  const redactor = createServerRedactor();
  app.post(
    '/v1/logs',
    {
      config: { permission: 'events:write' },
      schema: {
        tags: ['events'],
        summary: "OTLP/HTTP log export (JSON or protobuf); GenAI event logs (gen_ai.*) join their span's decision trace",
      },
    },
    async (req, reply) => {
      let conv: ReturnType<typeof logsToContents>;
      const ctx = { tenant: req.ctx.tenant, scope: req.ctx.scope };
      try {
        conv = logsToContents(Buffer.isBuffer(req.body) ? decodeLogsProtobuf(req.body) : (req.body as never), ctx);
      } catch (e) {
        const message = e instanceof OtlpError ? e.message : `not a valid OTLP logs export: ${(e as Error).message}`.slice(0, 300);
        throw badRequest(message);
      }
      await new OtlpLogStore(app.db, app.traceCrypto).store(req.ctx.scope, conv.contents, redactor);
      logRecords.inc({ outcome: 'gen_ai_content' }, conv.contents.length);
      logRecords.inc({ outcome: 'not_gen_ai' }, conv.notGenAi);
      logRecords.inc({ outcome: 'refused' }, conv.rejected.length);
      const messages = conv.rejected.slice(0, MESSAGES_SHOWN).map((r) => `log record ${r.index} '${r.eventName}': ${r.reason}`);
      if (conv.rejected.length > MESSAGES_SHOWN) messages.push(`… and ${conv.rejected.length - MESSAGES_SHOWN} more`);
      if (conv.rejected.length && conv.contents.length === 0 && conv.notGenAi === 0)
        throw badRequest(`no log record accepted: ${messages.join(' | ')}`);
      return reply
        .code(200)
        .send(
          conv.rejected.length ? { partialSuccess: { rejectedLogRecords: conv.rejected.length, errorMessage: messages.join(' | ') } } : {},
        );
    },
  );
};
