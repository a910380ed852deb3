import { type Static, Type } from '@sinclair/typebox';
import { ModelEvent } from './event.ts';

/** WebSocket tracer sessions (`GET /v1/tracer/ws`): a client follows documents or
 * invocations and receives their events live. */
export const WsClientMessage = Type.Union(
  [
    Type.Object({ type: Type.Literal('follow'), document_id: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }),
    Type.Object({ type: Type.Literal('unfollow'), document_id: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }),
    Type.Object({ type: Type.Literal('ping') }, { additionalProperties: false }),
  ],
  { $id: 'WsClientMessage' },
);
export type WsClientMessage = Static<typeof WsClientMessage>;

export const WsServerMessage = Type.Union(
  [
    Type.Object({ type: Type.Literal('following'), document_ids: Type.Array(Type.String()) }),
    Type.Object({ type: Type.Literal('event'), event: ModelEvent }),
    Type.Object({ type: Type.Literal('pong') }),
    Type.Object({ type: Type.Literal('error'), message: Type.String() }),
  ],
  { $id: 'WsServerMessage' },
);
export type WsServerMessage = Static<typeof WsServerMessage>;
