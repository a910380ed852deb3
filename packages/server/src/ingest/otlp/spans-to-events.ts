import type { ModelEventInput } from '@frostbyte/contracts';
import { stableUuid } from '../../kernel/stable-id.ts';
import { nanosToIso, OtlpError, type OtlpTraceRequest } from './decode.ts';
import type { SpanReading } from './reading.ts';
import { SpanIndex, spanTree, type TreeSpan } from './span-tree.ts';

/**
 * OTLP spans → model events. Stages: decode (decode.ts) → read every span once with the
 * families' precedence (precedence.ts) → place it in its tree (span-tree.ts) → for each
 * model call, a `started` (at the span's start) and a `completed`/`failed` (at its end)
 * carrying tokens, identity, context and the conversation as the decision trace. Ids
 * derive from the span, so a re-sent export is idempotent like any replay.
 *
 * Nothing is dropped in silence: a span is a model call (events), a context span
 * (agent, workflow, chain, tool: counted, kept as its calls' context), a span of no
 * AI family (HTTP, DB…: counted), or refused with its name, id and the reason.
 *
 * Identity (the same for a call's success and its failure, which has no response):
 *   model_name    = the request model (`gen_ai.request.model`, the model in
 *                   OpenInference's invocation parameters, `ai.model.id`), else the
 *                   response model;
 *   model_version = `frostbyte.model_version` when the span names one, else `unversioned`;
 *   the response snapshot (`gpt-4o-mini-2024-07-18`) is kept as `metadata.response_model`.
 * Taking the snapshot as the version would file every failure (no response) under
 * another model than its successes, and split one deployment per provider snapshot.
 */

export interface RefusedSpan {
  name: string;
  spanId: string;
  reason: string;
}

export interface OtlpConversion {
  events: ModelEventInput[];
  /** Parallel to `events`: the span each event came from (to name it when refused). */
  eventSpans: { name: string; spanId: string }[];
  /** Spans that are not model calls, by why. */
  skipped: { context: number; notModel: number };
  rejected: RefusedSpan[];
}

/** Model names keep provider ids as they are (ARNs, Hugging Face paths); characters the
 * schema's slug does not allow (spaces in file names) become `-`. Length is the
 * schema's to judge: a name too long is refused with the span named, never cut short
 * into another model's identity. */
const slug = (v: string | undefined, fallback: string) => (v ?? fallback).replace(/[^A-Za-z0-9._:/@+-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || fallback;

export function spansToEvents(req: OtlpTraceRequest): OtlpConversion {
  if (typeof req !== 'object' || req === null || (req.resourceSpans !== undefined && !Array.isArray(req.resourceSpans))) {
    throw new OtlpError('expected an ExportTraceServiceRequest: {"resourceSpans":[…]}');
  }
  const spans = spanTree(req);
  const index = new SpanIndex(spans);
  const out: OtlpConversion = { events: [], eventSpans: [], skipped: { context: 0, notModel: 0 }, rejected: [] };
  for (const s of spans) {
    const r = s.reading;
    if (!r || (r.kind === 'model' && isEmpty(r))) {
      out.skipped.notModel++;
      continue;
    }
    if (r.kind === 'context') {
      out.skipped.context++;
      continue;
    }
    const start = nanosToIso(s.span.startTimeUnixNano);
    const end = nanosToIso(s.span.endTimeUnixNano);
    if (!s.traceId || !s.spanId || !start || !end) {
      out.rejected.push({ name: s.name, spanId: s.spanId, reason: 'traceId, spanId, startTimeUnixNano and endTimeUnixNano are required' });
      continue;
    }
    const model = r.requestModel ?? r.responseModel;
    if (!model) {
      out.rejected.push({ name: s.name, spanId: s.spanId, reason: `a ${r.operation ?? 'model'} span needs its model (gen_ai.request.model, llm.model_name or ai.model.id)` });
      continue;
    }
    for (const e of modelEvents(s, r, model, start, end, index)) {
      out.events.push(e);
      out.eventSpans.push({ name: s.name, spanId: s.spanId });
    }
  }
  return out;
}

const isEmpty = (r: SpanReading) =>
  !r.requestModel && !r.responseModel && !r.operation && r.input === undefined && r.output === undefined && Object.values(r.tokens).every((v) => v === undefined);

function modelEvents(s: TreeSpan, r: SpanReading, model: string, start: string, end: string, index: SpanIndex): ModelEventInput[] {
  const a = s.view.attrs;
  const inherited = index.inherited(s);
  const failure = errorOf(s);
  const context = index.context(s);
  const metadata: Record<string, unknown> = {
    source: 'otlp',
    family: r.family,
    span_name: s.name || null,
    provider: r.provider ?? null,
    trace_id: s.traceId,
    span_id: s.spanId,
    parent_span_id: s.parentSpanId || null,
  };
  if (r.responseModel && r.responseModel !== model) metadata.response_model = r.responseModel;
  if (context.length) metadata.context = context;
  // The AI SDK's functionId, an OpenInference/GenAI agent name: what the app calls this call.
  if (r.entity) metadata.entity = r.entity;
  const common = {
    invocation_id: stableUuid('otlp', s.traceId, s.spanId),
    pipeline_run_id: inherited.run_id ?? s.traceId,
    ...(inherited.tenant_id ? { tenant_id: inherited.tenant_id } : {}),
    document_id: inherited.document_id ?? null,
    stage: slug(inherited.stage, 'external'),
    model_name: slug(model, 'unknown-model'),
    model_version: slug(a.str('frostbyte.model_version'), 'unversioned'),
    operation: slug(r.operation, 'invoke'),
    metadata,
  };
  const trace = r.input !== undefined || r.output !== undefined ? { trace: { ...(r.input !== undefined ? { input: r.input } : {}), ...(r.output !== undefined ? { output: r.output } : {}) } } : {};
  return [
    { ...common, id: stableUuid('otlp', s.traceId, s.spanId, 'started'), timestamp: start, status: 'started' },
    {
      ...common,
      id: stableUuid('otlp', s.traceId, s.spanId, 'end'),
      timestamp: end,
      status: failure ? 'failed' : 'completed',
      duration_ms: Math.max(0, Date.parse(end) - Date.parse(start)),
      ...eventTokens(r.tokens),
      error: failure,
      ...trace,
    },
  ];
}

/**
 * The event's token fields: totals with their parts inside (contracts TOKEN_DETAILS).
 * OpenAI, the GenAI conventions, OpenInference and the AI SDK report totals that
 * include the cached reads and writes; Anthropic's own counts leave them out, and an
 * instrumentation passing those through gives parts larger than the total. Then the
 * total was reported without them, so they are added to it rather than the span refused.
 */
export function eventTokens(t: SpanReading['tokens']) {
  const cached = t.cacheRead ?? null;
  const written = t.cacheWrite ?? null;
  const reasoning = t.reasoning ?? null;
  const parts = (cached ?? 0) + (written ?? 0);
  const input = t.input === undefined ? null : t.input < parts ? t.input + parts : t.input;
  const output = t.output === undefined ? null : reasoning !== null && t.output < reasoning ? t.output + reasoning : t.output;
  return { input_tokens: input, output_tokens: output, cached_input_tokens: cached, cache_write_tokens: written, reasoning_tokens: reasoning };
}

/** ERROR status, `error.type`, or an `exception` event: the call failed. */
function errorOf(s: TreeSpan): { type: string; message: string } | null {
  const code = s.span.status?.code;
  const exception = s.view.events.find((e) => e.name === 'exception')?.attrs;
  const errorType = s.view.attrs.str('error.type');
  if (!(Number(code) === 2 || code === 'STATUS_CODE_ERROR' || errorType)) return null;
  const message = typeof s.span.status?.message === 'string' && s.span.status.message ? s.span.status.message : (exception?.str('exception.message') ?? '');
  return { type: (errorType ?? exception?.str('exception.type') ?? 'error').slice(0, 200), message: message.slice(0, 4000) };
}
