import { type Static, Type } from '@sinclair/typebox';
import { Alert } from './alerts.ts';
import { ModelEvent } from './event.ts';

/**
 * Frames of `GET /telemetry/stream`. Each SSE message has `event: <type>` and
 * `data: <json>`; `model_event` and `ready` frames also carry `id: <seq>` so that
 * `Last-Event-ID` resumes exactly after them.
 */
export const SseModelEvent = Type.Object({ type: Type.Literal('model_event'), event: ModelEvent });

/** Sent once when a resume point is older than anything the server still holds:
 * the client knows it missed events instead of silently showing a hole. */
export const SseGap = Type.Object({
  type: Type.Literal('gap'),
  last_event_id: Type.String(),
  resumed_from: Type.Union([Type.String(), Type.Null()]),
  reason: Type.String(),
});

export const SseAlert = Type.Object({ type: Type.Literal('alert'), alert: Alert });

/** The last frame of a stream whose credential stopped covering it (disabled,
 * revoked, expired or narrowed): the server closes the connection after it and
 * refuses the reconnect with a 401, so a client should stop and ask for a sign-in. */
export const SseEnd = Type.Object({ type: Type.Literal('end'), reason: Type.String() });

/** The first frame of a stream opened without `Last-Event-ID`, with `id: <position>`:
 * the position after which this stream delivers every event — the newest stored event
 * of the last day this viewer and filter may see, else `0-0` (never another tenant's
 * position). A client cut before its first event then resumes from here instead of from
 * nothing (which would be a hole). */
export const SseReady = Type.Object({ type: Type.Literal('ready'), position: Type.String() });

export const SseFrame = Type.Union([SseModelEvent, SseGap, SseAlert, SseEnd, SseReady], { $id: 'SseFrame' });
export type SseFrame = Static<typeof SseFrame>;
export type SseFrameType = SseFrame['type'];

/** Seconds between heartbeat comments; proxies drop idle connections after ~30-60 s. */
export const SSE_HEARTBEAT_MS = 15_000;
export const SSE_RETRY_MS = 2_000;
