import { MAX_TOKENS } from '@frostbyte/contracts';
import { SpanStatusCode } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stableUuid } from '../../src/kernel/stable-id.ts';
import { ADMIN_HEADERS, fetch, startServer, uniq, until } from '../helper.ts';

/**
 * Property (issue 12 item 8, OTLP side): whatever spans a client's OpenTelemetry SDK
 * produces — GenAI attributes with any text, any token count, any model id, error
 * statuses with any message — serialized by the official OTLP JSON and protobuf
 * serializers, every model span is accounted for exactly once: either its events are
 * readable afterwards, or `partialSuccess` names it (span id). Never a 5xx, never a
 * half-stored span, never a document id altered on the way in.
 */
const RUNS = Number(process.env.FMO_PROPERTY_RUNS ?? 8);
const HOSTILE_TEXT = ['a\u0000b', '\ud800', 'z\udc00', '\u0000'];
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const MODEL_OPS = new Set(['chat', 'embeddings', 'text_completion', 'generate_content']);

const text = fc.oneof(
  { arbitrary: fc.constantFrom('', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'שלום مرحبا', '👩‍👩‍👧‍👦', 'x'.repeat(300)), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 30 }), weight: 1 },
);
const modelId = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9.-]{0,30}$/),
  fc.constant('arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0'),
  fc.constant('hf://sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2'),
  text,
);
const tokens = fc.option(
  fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: MAX_TOKENS }), weight: 4 },
    { arbitrary: fc.integer({ min: -10, max: 2 ** 40 }), weight: 1 },
  ),
);

interface SpanGen {
  name: string;
  op: string;
  model: string;
  input: number | null;
  output: number | null;
  cached: number | null;
  document: string | null;
  content: string | null;
  failed: string | null;
  poison: [string, string] | null;
}

const spanArb: fc.Arbitrary<SpanGen> = fc.record({
  name: text,
  op: fc.constantFrom('chat', 'embeddings', 'text_completion', 'generate_content', 'invoke_agent', 'execute_tool'),
  model: modelId,
  input: tokens,
  output: tokens,
  cached: tokens,
  document: fc.option(text.filter((s) => s.length > 0)),
  content: fc.option(text),
  failed: fc.option(text),
  poison: fc.oneof(
    { arbitrary: fc.constant(null), weight: 4 },
    { arbitrary: fc.tuple(fc.constantFrom('document', 'content', 'status', 'model'), fc.constantFrom(...HOSTILE_TEXT)), weight: 1 },
  ),
});

/** Real SDK spans for one batch, as the official serializers encode them. */
function encode(
  tenant: string,
  batch: SpanGen[],
  encoding: 'json' | 'protobuf',
): { body: Uint8Array; spanIds: string[]; traceIds: string[] } {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'property', 'frostbyte.tenant_id': tenant }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('property');
  for (const g of batch) {
    const p = g.poison;
    const document = p?.[0] === 'document' ? p[1] : g.document;
    const attributes: Record<string, string | number> = {
      'gen_ai.operation.name': g.op,
      'gen_ai.request.model': p?.[0] === 'model' ? `m${p[1]}` : g.model,
    };
    if (g.input !== null) attributes['gen_ai.usage.input_tokens'] = g.input;
    if (g.output !== null) attributes['gen_ai.usage.output_tokens'] = g.output;
    if (g.cached !== null) attributes['gen_ai.usage.cache_read.input_tokens'] = g.cached;
    if (document !== null) attributes['frostbyte.document_id'] = document;
    const content = p?.[0] === 'content' ? p[1] : g.content;
    if (content !== null) attributes['gen_ai.input.messages'] = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content }] }]);
    const span = tracer.startSpan(g.name, { attributes });
    const failure = p?.[0] === 'status' ? p[1] : g.failed;
    if (failure !== null) span.setStatus({ code: SpanStatusCode.ERROR, message: failure });
    span.end();
  }
  const spans = memory.getFinishedSpans();
  const serializer = encoding === 'json' ? JsonTraceSerializer : ProtobufTraceSerializer;
  const body = serializer.serializeRequest(spans);
  if (!body) throw new Error('serializer returned nothing');
  return { body, spanIds: spans.map((s) => s.spanContext().spanId), traceIds: spans.map((s) => s.spanContext().traceId) };
}

for (const mode of ['embedded', 'server'] as const) {
  describe(`property: OTLP spans are stored or named, never lost (${mode})`, () => {
    let s: Awaited<ReturnType<typeof startServer>>;
    beforeAll(async () => {
      s = await startServer(mode);
    }, 120_000);
    afterAll(() => s?.close());

    for (const encoding of ['json', 'protobuf'] as const) {
      it(`every model span is either readable or named in partialSuccess (${encoding})`, async () => {
        const tenant = uniq('propotel');
        const tally = { spans: 0, model: 0, stored: 0, named: 0, other: 0 };
        const problems: string[] = [];
        const read = async (id: string) => (await fetch(`${s.url}/v1/events/${id}`, { headers: ADMIN_HEADERS })).status;
        await fc.assert(
          fc.asyncProperty(fc.array(spanArb, { minLength: 1, maxLength: 6 }), async (batch) => {
            const { body, spanIds, traceIds } = encode(tenant, batch, encoding);
            const res = await fetch(`${s.url}/v1/traces`, {
              method: 'POST',
              headers: { ...ADMIN_HEADERS, 'content-type': encoding === 'json' ? 'application/json' : 'application/x-protobuf' },
              body,
            });
            const answer = (await res.json().catch(() => ({}))) as {
              partialSuccess?: { rejectedSpans?: number; errorMessage?: string };
              message?: string;
            };
            if (res.status !== 200 && res.status !== 400) problems.push(`status ${res.status}: ${JSON.stringify(answer).slice(0, 200)}`);
            const said = res.status === 400 ? (answer.message ?? '') : (answer.partialSuccess?.errorMessage ?? '');
            for (const [i, g] of batch.entries()) {
              tally.spans++;
              const spanId = spanIds[i] as string;
              const traceId = traceIds[i] as string;
              const named = said.includes(spanId);
              if (!MODEL_OPS.has(g.op)) {
                tally.other++;
                continue;
              }
              tally.model++;
              const endId = stableUuid('otlp', traceId, spanId, 'end');
              const startId = stableUuid('otlp', traceId, spanId, 'started');
              if (named) {
                tally.named++;
                // A refused span leaves nothing behind (no started event without its end).
                if ((await read(startId)) === 200 || (await read(endId)) === 200)
                  problems.push(`span ${i} named as refused but (partly) stored`);
                continue;
              }
              // Server mode acks once the events are on the stream; the writer stores them shortly after.
              const status = await until(
                () => read(endId),
                (st) => st === 200,
                10_000,
                50,
              ).catch(() => 404);
              if (status !== 200) {
                problems.push(
                  `span ${i} (${g.op}, model ${JSON.stringify(g.model).slice(0, 60)}) neither stored nor named: ${said.slice(0, 200)}`,
                );
                continue;
              }
              tally.stored++;
              // Protobuf strings are UTF-8 on the wire: the client's serializer has already
              // replaced a lone surrogate with U+FFFD, so the server sees a well-formed id.
              const sent = g.poison?.[0] === 'document' ? g.poison[1] : g.document;
              const wire = sent !== null && encoding === 'protobuf' ? sent.replace(LONE_SURROGATE, '\ufffd') : sent;
              if (wire !== null && new RegExp(LONE_SURROGATE.source).test(wire))
                problems.push(`span ${i}: document id with a lone surrogate stored`);
              else if (wire?.includes('\u0000')) problems.push(`span ${i}: document id with NUL stored`);
              else if (wire !== null) {
                const { event: ev } = (await (await fetch(`${s.url}/v1/events/${endId}`, { headers: ADMIN_HEADERS })).json()) as {
                  event: { document_id?: string };
                };
                if (ev.document_id !== wire)
                  problems.push(`span ${i}: document id altered (${JSON.stringify(wire)} → ${JSON.stringify(ev.document_id)})`);
              }
            }
          }),
          { numRuns: RUNS, seed: Number(process.env.FMO_PROPERTY_SEED ?? Date.now() % 2 ** 31) },
        );
        console.log(`[property] otlp ${encoding} ${mode}: ${JSON.stringify(tally)}`);
        expect(problems).toEqual([]);
        expect(tally.model).toBeGreaterThan(0);
      }, 180_000);
    }
  });
}
