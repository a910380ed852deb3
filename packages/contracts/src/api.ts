import { type Static, Type } from '@sinclair/typebox';
import { TENANT_PATTERN, UUID_PATTERN } from './ids.ts';

export const MAX_BATCH_EVENTS = 5000;
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Filters shared by the SSE stream and the event history, so a view means the same
 * thing live and in the past. */
export const EventFilter = Type.Object({
  tenant_id: Type.Optional(Type.String({ pattern: TENANT_PATTERN })),
  model_name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  model_version: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  document_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  document_prefix: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Free text: document ids starting with this.' })),
  operation: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  stage: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  status: Type.Optional(Type.Union([Type.Literal('started'), Type.Literal('completed'), Type.Literal('failed'), Type.Literal('abandoned')])),
});
export type EventFilter = Static<typeof EventFilter>;

export const EventListQuery = Type.Composite([
  EventFilter,
  Type.Object({
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'Opaque keyset cursor from `next_cursor`.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  }),
]);
export type EventListQuery = Static<typeof EventListQuery>;

export const StreamQuery = Type.Composite([
  EventFilter,
  Type.Object({ lastEventId: Type.Optional(Type.String({ maxLength: 64 })) }),
]);
export type StreamQuery = Static<typeof StreamQuery>;

export const IngestItemError = Type.Object({
  index: Type.Integer(),
  id: Type.Union([Type.String(), Type.Null()]),
  errors: Type.Array(Type.Object({ path: Type.String(), message: Type.String() })),
});
export const IngestResponse = Type.Object({
  accepted: Type.Integer(),
  accepted_ids: Type.Array(Type.String()),
  duplicates: Type.Integer({ description: 'Items whose id was already accepted (idempotent replay).' }),
  rejected: Type.Array(IngestItemError),
});
export type IngestResponse = Static<typeof IngestResponse>;

export const IngestErrorResponse = Type.Composite([
  Type.Object({ statusCode: Type.Integer(), error: Type.String(), message: Type.String() }),
  IngestResponse,
]);

export const ErrorResponse = Type.Object(
  { statusCode: Type.Integer(), error: Type.String(), message: Type.String() },
  { $id: 'ErrorResponse' },
);

export const MetricsRow = Type.Object({
  tenant_id: Type.Optional(Type.String()),
  stage: Type.String(),
  model_name: Type.String(),
  model_version: Type.String(),
  calls: Type.Integer(),
  in_flight: Type.Integer(),
  errors: Type.Integer(),
  error_rate: Type.Number(),
  p50_ms: Type.Union([Type.Number(), Type.Null()]),
  p95_ms: Type.Union([Type.Number(), Type.Null()]),
  p99_ms: Type.Union([Type.Number(), Type.Null()]),
  throughput_per_s: Type.Number(),
  input_tokens: Type.Integer(),
  output_tokens: Type.Integer(),
  cost_usd: Type.Number(),
  last_seen: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('idle'), Type.Literal('processing'), Type.Literal('error')]),
});
export type MetricsRow = Static<typeof MetricsRow>;

/** One row of `GET /v1/costs`: calls, tokens with the parts providers price
 * apart (parts of the totals, not additions), and the server-computed cost. */
export const CostRow = Type.Object({
  key: Type.String(),
  calls: Type.Integer(),
  errors: Type.Integer(),
  input_tokens: Type.Integer(),
  output_tokens: Type.Integer(),
  cached_input_tokens: Type.Integer({ description: 'Of input_tokens: read from the provider cache.' }),
  cache_write_tokens: Type.Integer({ description: 'Of input_tokens: written to the provider cache.' }),
  reasoning_tokens: Type.Integer({ description: 'Of output_tokens: reasoning.' }),
  cost_usd: Type.Number(),
});
export type CostRow = Static<typeof CostRow>;

export const MetricsQuery = Type.Composite([
  EventFilter,
  Type.Object({ window: Type.Optional(Type.Integer({ minimum: 10, maximum: 30 * 86400, default: 300, description: 'Seconds.' })) }),
]);
export type MetricsQuery = Static<typeof MetricsQuery>;

export const IdParam = Type.Object({ id: Type.String({ pattern: UUID_PATTERN }) });

export const TimeseriesPoint = Type.Object({
  t: Type.String({ format: 'date-time', description: 'Start of the bucket.' }),
  calls: Type.Integer(),
  errors: Type.Integer(),
  p50_ms: Type.Union([Type.Number(), Type.Null()]),
  p95_ms: Type.Union([Type.Number(), Type.Null()]),
  p99_ms: Type.Union([Type.Number(), Type.Null()]),
  input_tokens: Type.Integer(),
  output_tokens: Type.Integer(),
  cost_usd: Type.Number(),
});
export type TimeseriesPoint = Static<typeof TimeseriesPoint>;

export const TimeseriesSeries = Type.Object({
  key: Type.String({ description: '`<model_name>@<version>`' }),
  model_name: Type.String(),
  model_version: Type.String(),
  points: Type.Array(TimeseriesPoint),
});
export type TimeseriesSeries = Static<typeof TimeseriesSeries>;

export const MetricsTimeseries = Type.Object({ step_s: Type.Integer(), series: Type.Array(TimeseriesSeries) });
export type MetricsTimeseries = Static<typeof MetricsTimeseries>;
