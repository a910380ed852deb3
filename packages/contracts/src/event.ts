import { type Static, Type } from '@sinclair/typebox';
import { TENANT_PATTERN, UUID_PATTERN } from './ids.ts';
import { MAX_DURATION_MS, MAX_KEY_LENGTH, MAX_METADATA_KEYS, MAX_PAGES, MAX_TOKENS } from './limits.ts';

/** The pipeline stages the observatory knows by name. Other pipelines may use other
 * stage names; the schematic draws these five. */
export const PIPELINE_STAGES = ['ingest', 'parse', 'embed', 'policy', 'output'] as const;

export const EventStatus = Type.Union(
  [Type.Literal('started'), Type.Literal('completed'), Type.Literal('failed')],
  { description: 'Invocation lifecycle: `started` when the call begins, then `completed` or `failed`.' },
);
/** `abandoned` is only ever set by the server, for a `started` whose end never came. */
export const StoredEventStatus = Type.Union([
  Type.Literal('started'),
  Type.Literal('completed'),
  Type.Literal('failed'),
  Type.Literal('abandoned'),
]);
export type EventStatus = Static<typeof StoredEventStatus>;

const Slug = (description: string, maxLength = 128) =>
  Type.String({ minLength: 1, maxLength, pattern: '^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$', description });

export const EventError = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 200, description: 'Error class, e.g. `CorruptDocumentError`.' }),
    message: Type.String({ maxLength: 4000, description: 'Error message (redacted).' }),
  },
  { additionalProperties: false },
);

/** The spec's `decision_traces`: what went in, what came out, and why. */
export const DecisionTraceInput = Type.Object(
  {
    input: Type.Optional(Type.Unknown({ description: 'Model input (any JSON), redacted before storage.' })),
    output: Type.Optional(Type.Unknown({ description: 'Model output (any JSON), redacted before storage.' })),
    decision_rationale: Type.Optional(Type.String({ maxLength: 20000 })),
    confidence_score: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: 'Non-zero values below 1.18e-38 (float4) are refused: PostgreSQL real cannot hold them.' }),
    ),
  },
  { additionalProperties: false },
);
export type DecisionTraceInput = Static<typeof DecisionTraceInput>;

const Count = (maximum: number, description: string) => Type.Integer({ minimum: 0, maximum, description });

/**
 * The parts of a call's token counts that are priced apart (registry `Pricing`). They
 * are parts, not additions: `input_tokens` counts every prompt token, cached reads and
 * cache writes included, and `output_tokens` every generated token, reasoning included
 * (what OpenAI and the OTel GenAI conventions report). A part larger than its total is
 * refused (400). Null: not reported.
 */
export const TOKEN_DETAILS = {
  cached_input_tokens: 'Input tokens read from the provider\'s prompt cache; part of input_tokens, priced at cached_input_per_1k.',
  cache_write_tokens: 'Input tokens written to the provider\'s prompt cache; part of input_tokens, priced at cache_write_per_1k.',
  reasoning_tokens: 'Reasoning (thinking) tokens; part of output_tokens, priced at reasoning_per_1k.',
} as const;

/** Free metadata, with the keys the server reads (pricing) bounded: a client-chosen
 * `pages` of 2.4e12 would overflow the cost columns. Any JSON value otherwise; the
 * server also refuses NUL, lone surrogates and non-finite numbers at any depth
 * (README "Limits"), which JSON Schema cannot say. */
export const EventMetadata = Type.Intersect([
  Type.Record(Type.String({ maxLength: MAX_KEY_LENGTH }), Type.Unknown(), { maxProperties: MAX_METADATA_KEYS }),
  Type.Object({
    pages: Type.Optional(Count(MAX_PAGES, 'Pages processed; priced per page.')),
    cached_input_tokens: Type.Optional(
      Count(MAX_TOKENS, 'Deprecated: send the event field `cached_input_tokens`. Read (and copied to the field) when the field is absent.'),
    ),
  }),
]);

/** One model event as a client sends it (`POST /v1/events`). The server adds
 * `received_at`, `cost_usd` (never trusted from clients) and, before the security
 * layer is on, takes `tenant_id` from the body. */
export const ModelEventInput = Type.Object(
  {
    id: Type.Optional(
      Type.String({ pattern: UUID_PATTERN, description: 'UUIDv7; the idempotency key. Assigned by the server when absent.' }),
    ),
    invocation_id: Type.String({ pattern: UUID_PATTERN, description: 'Shared by the `started` and the final event of one call.' }),
    pipeline_run_id: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
    timestamp: Type.String({ format: 'date-time', description: 'When it happened (start for `started`, end otherwise).' }),
    emitted_at: Type.Optional(Type.String({ format: 'date-time', description: 'SDK clock when the event was queued.' })),
    tenant_id: Type.Optional(Type.String({ pattern: TENANT_PATTERN })),
    document_id: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 256 }), Type.Null()])),
    stage: Slug('Pipeline stage, e.g. `parse`, `embed`, `policy`.', 64),
    model_name: Slug('Model name, e.g. `frostbyte-docparse`.'),
    model_version: Slug('Model version, e.g. `1.0.0`.', 64),
    operation: Slug('Operation, e.g. `parse`, `embed`, `classify`.', 64),
    status: EventStatus,
    duration_ms: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: MAX_DURATION_MS }), Type.Null()])),
    input_tokens: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: MAX_TOKENS }), Type.Null()])),
    output_tokens: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: MAX_TOKENS }), Type.Null()])),
    cached_input_tokens: Type.Optional(Type.Union([Count(MAX_TOKENS, TOKEN_DETAILS.cached_input_tokens), Type.Null()])),
    cache_write_tokens: Type.Optional(Type.Union([Count(MAX_TOKENS, TOKEN_DETAILS.cache_write_tokens), Type.Null()])),
    reasoning_tokens: Type.Optional(Type.Union([Count(MAX_TOKENS, TOKEN_DETAILS.reasoning_tokens), Type.Null()])),
    metadata: Type.Optional(EventMetadata),
    error: Type.Optional(Type.Union([EventError, Type.Null()])),
    trace: Type.Optional(DecisionTraceInput),
  },
  { additionalProperties: false, $id: 'ModelEventInput' },
);
export type ModelEventInput = Static<typeof ModelEventInput>;

/** A model event as stored and served (REST, SSE). The trace payload is never on the
 * event itself: it lives in `decision_traces`, encrypted, and is fetched by id. */
export const ModelEvent = Type.Object(
  {
    id: Type.String({ pattern: UUID_PATTERN }),
    seq: Type.String({ description: 'Server order (the bus position, `ms-seq`); the SSE `id:`.' }),
    invocation_id: Type.String(),
    pipeline_run_id: Type.Union([Type.String(), Type.Null()]),
    timestamp: Type.String({ format: 'date-time' }),
    emitted_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    received_at: Type.String({ format: 'date-time' }),
    tenant_id: Type.String(),
    document_id: Type.Union([Type.String(), Type.Null()]),
    stage: Type.String(),
    model_name: Type.String(),
    model_version: Type.String(),
    operation: Type.String(),
    status: StoredEventStatus,
    duration_ms: Type.Union([Type.Number(), Type.Null()]),
    input_tokens: Type.Union([Type.Integer(), Type.Null()]),
    output_tokens: Type.Union([Type.Integer(), Type.Null()]),
    cached_input_tokens: Type.Union([Type.Integer(), Type.Null()], { description: TOKEN_DETAILS.cached_input_tokens }),
    cache_write_tokens: Type.Union([Type.Integer(), Type.Null()], { description: TOKEN_DETAILS.cache_write_tokens }),
    reasoning_tokens: Type.Union([Type.Integer(), Type.Null()], { description: TOKEN_DETAILS.reasoning_tokens }),
    cost_usd: Type.Union([Type.Number(), Type.Null()]),
    metadata: Type.Record(Type.String(), Type.Unknown()),
    error: Type.Union([EventError, Type.Null()]),
    has_trace: Type.Boolean(),
    confidence_score: Type.Union([Type.Number(), Type.Null()]),
  },
  { $id: 'ModelEvent' },
);
export type ModelEvent = Static<typeof ModelEvent>;

export const DecisionTrace = Type.Object(
  {
    event_id: Type.String(),
    tenant_id: Type.String(),
    timestamp: Type.String({ format: 'date-time' }),
    input: Type.Unknown(),
    output: Type.Unknown(),
    decision_rationale: Type.Union([Type.String(), Type.Null()]),
    confidence_score: Type.Union([Type.Number(), Type.Null()]),
    redactions: Type.Record(Type.String(), Type.Integer(), { description: 'Counts of redacted entities by type.' }),
    readable: Type.Boolean({ description: 'False when the payload cannot be decrypted (key destroyed) or the role may not see it.' }),
  },
  { $id: 'DecisionTrace' },
);
export type DecisionTrace = Static<typeof DecisionTrace>;
