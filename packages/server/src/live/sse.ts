import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Alert, type ModelEvent, SSE_HEARTBEAT_MS, SSE_RETRY_MS, type SseFrame, StreamQuery } from '@frostbyte/contracts';
import { badRequest } from '../kernel/errors.ts';
import { parseSeq } from '../kernel/seq.ts';
import { requireInScope } from '../kernel/tenant-scope.ts';
import { credentialWatchFor } from './credential-watch.ts';
import { eventMatcher } from './match.ts';
import { resumeAfter } from './resume.ts';

/** A client that cannot keep up is cut rather than buffered without bound; it
 * reconnects with Last-Event-ID and catches up from the bus or the database. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** How far back (event time) a fresh stream looks for the viewer's newest event. */
const READY_LOOKBACK_MS = 86_400_000;

/** One event's SSE frame, serialised once however many clients it goes to: the fan-out
 * hands every client the same event objects, and with a thousand clients the
 * per-client JSON.stringify was the server's hottest spot. */
const frames = new WeakMap<ModelEvent, string>();
const frame = (e: ModelEvent) => {
  let f = frames.get(e);
  if (f === undefined) {
    f = `id: ${e.seq}\nevent: model_event\ndata: ${JSON.stringify({ type: 'model_event', event: e })}\n\n`;
    frames.set(e, f);
  }
  return f;
};

/**
 * `GET /telemetry/stream`: the live feed over Server-Sent Events. Resumes exactly
 * after `Last-Event-ID` (header, or `lastEventId` in the query for clients that
 * cannot set headers); filters are applied here, not in the browser.
 */
export const sseRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Open streams end when the server closes, so clients reconnect (to this process
  // once it is back, or another one) instead of holding the shutdown open.
  const open = new Set<{ end: () => void }>();
  const watch = credentialWatchFor(app);
  app.addHook('preClose', async () => {
    for (const r of open) r.end();
  });
  app.get(
    '/telemetry/stream',
    {
      config: { permission: 'events:read', allowQueryToken: true },
      schema: {
        tags: ['live'],
        summary: 'Live model events (SSE), resumable with Last-Event-ID',
        querystring: StreamQuery,
        headers: { type: 'object', properties: { 'last-event-id': { type: 'string', maxLength: 64 } } },
      },
    },
    async (req, reply) => {
      const { lastEventId: qLast, ...filter } = req.query;
      const last = (req.headers['last-event-id'] as string | undefined) || qLast || null;
      if (last !== null && parseSeq(last) === null) {
        throw badRequest(`Last-Event-ID '${last.slice(0, 64)}' is not a stream position; expected '<ms>-<n>' as sent in an event's id`);
      }
      const scope = req.ctx.scope;
      requireInScope(scope, filter.tenant_id);
      const match = eventMatcher(scope, filter);
      reply.hijack();
      const res = reply.raw;
      // The headers go out with the first frame: for a fresh stream that is its `ready`
      // frame, so a client that saw the stream open also has its position.
      let started = false;
      const begin = (first = '') => {
        if (started) return;
        started = true;
        res.writeHead(200, {
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-cache, no-transform',
          Connection: 'keep-alive',
          'X-Accel-Buffering': 'no',
        });
        res.write(`retry: ${SSE_RETRY_MS}\n: connected\n\n${first}`);
      };

      let closed = false;
      let lastSent = last === null ? -1n : (parseSeq(last) as bigint);
      // Live events are held until the first frames are out: the catch-up, or the ready frame.
      let pending: ModelEvent[] | null = [];
      const send = (events: ModelEvent[]) => {
        let out = '';
        for (const e of events) {
          const s = parseSeq(e.seq) as bigint;
          if (s <= lastSent) continue; // already sent by the catch-up or an earlier batch
          lastSent = s;
          out += frame(e);
        }
        if (!out || closed) return;
        res.write(out);
        if (res.writableLength > MAX_BUFFERED_BYTES) {
          req.log.warn('sse: slow client cut; it will resume with Last-Event-ID');
          res.destroy();
        }
      };
      const remove = app.live.add({
        scope,
        match,
        deliver: (events) => (pending ? pending.push(...events) : send(events)),
        alert: (a: Alert) => {
          if (!closed && started) res.write(`event: alert\ndata: ${JSON.stringify({ type: 'alert', alert: a })}\n\n`);
        },
      });
      // Everything after the fan-out's position reaches this client from now on.
      const joinedAt = app.live.lastSeq;
      app.metrics.sseClients.inc();
      const heartbeat = setInterval(() => started && res.write(': heartbeat\n\n'), SSE_HEARTBEAT_MS);
      const handle = {
        end: () => {
          begin();
          res.end();
        },
      };
      open.add(handle);
      // Issue 12, item 5: the stream ends with its credential (disabled, revoked,
      // expired, narrowed), with a last frame saying why; the client's reconnect is
      // then refused with a 401.
      const unwatch = watch.add({
        ctx: req.ctx,
        permission: 'events:read',
        end: (reason) => {
          if (closed) return;
          const frame: SseFrame = { type: 'end', reason };
          begin();
          res.end(`event: end\ndata: ${JSON.stringify(frame)}\n\n`);
          cleanup();
        },
      });
      const cleanup = () => {
        if (closed) return;
        closed = true;
        unwatch();
        open.delete(handle);
        clearInterval(heartbeat);
        remove();
        app.metrics.sseClients.dec();
      };
      req.raw.on('close', cleanup);
      res.on('error', cleanup);

      try {
        if (last === null) {
          // A fresh stream says where it starts, so a client cut before its first event
          // resumes without a hole: the newest stored event this viewer may see at or
          // before the fan-out's position — never another tenant's position (issue 12).
          // A matching event between the two (on the bus, not yet stored) would come on
          // a resume: an older one, never a hole. The lookup reads one day of events at
          // most (a filter that matches nothing must not scan the tenant's 30 days on
          // every connect); with none there, the stream starts at the origin.
          const position = await app.storage
            .listEvents(scope, { ...filter, from: new Date(Date.now() - READY_LOOKBACK_MS).toISOString(), beforeSeq: joinedAt + 1n, limit: 1 })
            .then(([newest]) => newest?.seq ?? '0-0')
            .catch((err: unknown) => {
              // The database is away (the bus holds the writes): stream live without a
              // position rather than refuse the viewer until it is back.
              req.log.warn({ err }, 'sse: no ready position (database unavailable); streaming live without one');
              return null;
            });
          const ready: SseFrame | null = position === null ? null : { type: 'ready', position };
          if (!closed) begin(ready ? `id: ${ready.position}\nevent: ready\ndata: ${JSON.stringify(ready)}\n\n` : '');
        } else {
          begin();
          for await (const chunk of resumeAfter({ bus: app.bus, storage: app.storage }, scope, filter, last)) {
            if (closed) break;
            if ('gap' in chunk) res.write(`event: gap\ndata: ${JSON.stringify({ type: 'gap', ...chunk.gap })}\n\n`);
            else send(chunk.events);
          }
        }
      } catch (err) {
        req.log.error({ err }, 'sse: catch-up failed');
        cleanup();
        res.destroy(); // the client retries (with the same Last-Event-ID, if it had one)
        return;
      }
      const held = pending ?? [];
      pending = null;
      send(held);
    },
  );
};
