import { type ModelEvent, WsClientMessage, type WsServerMessage } from '@frostbyte/contracts';
import type { FastifyPluginAsync } from 'fastify';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { credentialWatchFor } from './credential-watch.ts';

const checkMessage = TypeCompiler.Compile(WsClientMessage);
const MAX_FOLLOWED = 100;
/** The close code of a session whose credential stopped being valid (4000–4999 are the
 * application's; 4401 reads as HTTP's 401). */
export const WS_CLOSE_CREDENTIAL = 4401;

/**
 * `GET /v1/tracer/ws`: a tracer session. The client follows documents and receives
 * each of their new invocations' events as they happen, within the caller's tenants.
 */
export const tracerWsRoutes: FastifyPluginAsync = async (app) => {
  const watch = credentialWatchFor(app);
  app.get(
    '/v1/tracer/ws',
    {
      websocket: true,
      config: { permission: 'events:read', allowQueryToken: true },
      schema: { tags: ['live'], summary: 'Tracer session (WebSocket): follow documents live' },
    },
    (socket, req) => {
      const scope = req.ctx.scope;
      const followed = new Set<string>();
      const send = (m: WsServerMessage) => socket.readyState === socket.OPEN && socket.send(JSON.stringify(m));
      const remove = app.live.add({
        scope,
        match: (e: ModelEvent) => e.document_id !== null && followed.has(e.document_id) && (scope === '*' || scope.includes(e.tenant_id)),
        deliver: (events) => {
          for (const event of events) send({ type: 'event', event });
        },
      });
      socket.on('message', (data: Buffer) => {
        let msg: unknown;
        try {
          msg = JSON.parse(data.toString('utf8'));
        } catch {
          return send({ type: 'error', message: 'messages are JSON objects, e.g. {"type":"follow","document_id":"…"}' });
        }
        if (!checkMessage.Check(msg)) {
          const first = [...checkMessage.Errors(msg)][0];
          return send({
            type: 'error',
            message: `invalid message${first ? ` at ${first.path || '/'}: ${first.message}` : ''}; expected follow, unfollow or ping`,
          });
        }
        if (msg.type === 'ping') return send({ type: 'pong' });
        if (msg.type === 'follow') {
          if (followed.size >= MAX_FOLLOWED) return send({ type: 'error', message: `at most ${MAX_FOLLOWED} documents per session` });
          followed.add(msg.document_id);
        } else followed.delete(msg.document_id);
        send({ type: 'following', document_ids: [...followed] });
      });
      // Issue 12, item 5: the session ends with its credential, with a close code and
      // the reason (a close reason holds at most 123 bytes).
      const unwatch = watch.add({
        ctx: req.ctx,
        permission: 'events:read',
        end: (reason) => {
          remove();
          socket.close(
            WS_CLOSE_CREDENTIAL,
            Buffer.from(reason)
              .subarray(0, 123)
              .toString('utf8')
              .replace(/\uFFFD$/, ''),
          );
        },
      });
      socket.on('close', () => {
        remove();
        unwatch();
      });
    },
  );
};
