import { DecisionTrace, DecisionTraceInput, ModelEvent, ModelEventInput } from './event.ts';
import { SseFrame } from './sse.ts';
import { WsClientMessage, WsServerMessage } from './ws.ts';

const SCHEMA_BASE = 'https://frostbyte.dev/schemas/telemetry';

/** The JSON Schema files under `schemas/telemetry/`, generated from the TypeBox
 * contracts (the same objects the server validates with and publishes in OpenAPI).
 * `npm run schemas` writes them; a test fails when the committed files are stale. */
export function telemetrySchemas(): Record<string, object> {
  const doc = (name: string, title: string, defs: Record<string, object>, root: object) => ({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${SCHEMA_BASE}/${name}.schema.json`,
    title,
    ...JSON.parse(JSON.stringify(root)),
    ...(Object.keys(defs).length ? { $defs: JSON.parse(JSON.stringify(defs)) } : {}),
  });
  return {
    model_events: doc('model_events', 'Model event (ingest input; the stored form is in $defs.ModelEvent)', { ModelEvent }, ModelEventInput),
    decision_traces: doc('decision_traces', 'Decision trace (as sent on an event; the served form is in $defs.DecisionTrace)', { DecisionTrace }, DecisionTraceInput),
    sse_events: doc('sse_events', 'Frames of GET /telemetry/stream (the JSON in each `data:` line)', {}, SseFrame),
    ws_messages: doc('ws_messages', 'WebSocket tracer session messages (client → server, server → client)', {}, {
      oneOf: [
        { title: 'client', ...JSON.parse(JSON.stringify(WsClientMessage)) },
        { title: 'server', ...JSON.parse(JSON.stringify(WsServerMessage)) },
      ],
    }),
  };
}
