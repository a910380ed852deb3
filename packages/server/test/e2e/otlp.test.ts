import { SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpHttpJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpHttpProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_HEADERS, fetch, startServer, until, uniq, getJson, type Json, json } from '../helper.ts';

/** OTLP ingest driven by the real OpenTelemetry JS SDK and its OTLP/HTTP exporters. */
describe('OTLP/HTTP ingest (real OpenTelemetry exporters)', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    s = await startServer('server');
  }, 60_000);
  afterAll(() => s?.close());

  for (const [encoding, Exporter] of [
    ['JSON', OtlpHttpJson],
    ['protobuf', OtlpHttpProto],
  ] as const) {
    it(`turns GenAI spans into started + completed/failed model events (${encoding})`, async () => {
      const tenant = uniq('otel');
      const provider = new NodeTracerProvider({
        resource: resourceFromAttributes({ 'service.name': 'otel-client', 'frostbyte.tenant_id': tenant }),
        spanProcessors: [new BatchSpanProcessor(new Exporter({ url: `${s.url}/v1/traces`, headers: ADMIN_HEADERS }), { scheduledDelayMillis: 50 })],
      });
      const tracer = provider.getTracer('test');
      const ok = tracer.startSpan('chat gpt-test', {
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-test',
          'gen_ai.response.model': 'gpt-test-2026-01',
          'gen_ai.usage.input_tokens': 120,
          'gen_ai.usage.output_tokens': 30,
          'gen_ai.provider.name': 'openai',
          'frostbyte.document_id': 'otel-doc-1',
          'frostbyte.stage': 'policy',
        },
      });
      ok.end();
      const bad = tracer.startSpan('embeddings', { attributes: { 'gen_ai.operation.name': 'embeddings', 'gen_ai.request.model': 'embed-x', 'error.type': 'RateLimitError' } });
      bad.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited' });
      bad.end();
      tracer.startSpan('plain http span').end(); // not a model call: ignored
      await provider.forceFlush();
      await provider.shutdown();

      const { events } = await until(
        async () => getJson(`${s.url}/v1/events?tenant_id=${tenant}`),
        (r: Json) => r.events.length === 4,
      );
      const byStatus: Json = Object.fromEntries(events.map((e: Json) => [`${e.model_name}:${e.status}`, e]));
      // Identity: the request model is the name; the response snapshot is kept beside it.
      expect(Object.keys(byStatus).sort()).toEqual(['embed-x:failed', 'embed-x:started', 'gpt-test:completed', 'gpt-test:started']);
      expect(byStatus['gpt-test:completed']).toMatchObject({
        model_version: 'unversioned',
        operation: 'chat',
        stage: 'policy',
        document_id: 'otel-doc-1',
        input_tokens: 120,
        output_tokens: 30,
        metadata: { source: 'otlp', provider: 'openai', response_model: 'gpt-test-2026-01' },
      });
      expect(byStatus['embed-x:failed'].error).toEqual({ type: 'RateLimitError', message: 'rate limited' });
      expect(byStatus['embed-x:failed'].invocation_id).toBe(byStatus['embed-x:started'].invocation_id);
    });
  }

  it('answers 400 with the reason for payloads that do not parse', async () => {
    const proto = await fetch(`${s.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from([0x0a, 0xff, 0xff, 0xff]) });
    expect(proto.status).toBe(400);
    expect((await json(proto)).message).toMatch(/protobuf/);
    const bad = await fetch(`${s.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceSpans": 5}' });
    expect(bad.status).toBe(400);
    expect((await json(bad)).message).toMatch(/resourceSpans/);
  });

  it('re-sent exports are idempotent', async () => {
    const tenant = uniq('otel');
    const body = {
      resourceSpans: [{
        resource: { attributes: [{ key: 'frostbyte.tenant_id', value: { stringValue: tenant } }] },
        scopeSpans: [{ spans: [{
          traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'x',
          startTimeUnixNano: String(BigInt(Date.now() - 50) * 1_000_000n), endTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
          attributes: [{ key: 'gen_ai.request.model', value: { stringValue: 'm' } }],
        }] }],
      }],
    };
    for (let i = 0; i < 2; i++) {
      const r = await fetch(`${s.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(r.status).toBe(200);
    }
    const { events } = await until(() => getJson(`${s.url}/v1/events?tenant_id=${tenant}`), (x: Json) => x.events.length >= 2);
    expect(events).toHaveLength(2);
  });

  it('names every refused span in partialSuccess (mapping and validator), counts the others', async () => {
    const tenant = uniq('otel');
    const now = BigInt(Date.now()) * 1_000_000n;
    const kv = (key: string, stringValue: string) => ({ key, value: { stringValue } });
    const span = (spanId: string, name: string, attributes: ReturnType<typeof kv>[]) => ({
      traceId: '6b8efff798038103d269b633813fc60c', spanId, name, startTimeUnixNano: String(now - 5_000_000n), endTimeUnixNano: String(now), attributes,
    });
    const body = {
      resourceSpans: [{
        resource: { attributes: [kv('frostbyte.tenant_id', tenant)] },
        scopeSpans: [{ spans: [
          span('aaa19b7ec3c1b171', 'chat ok', [kv('gen_ai.operation.name', 'chat'), kv('gen_ai.request.model', 'm-ok')]),
          span('aaa19b7ec3c1b172', 'LLM without model', [kv('openinference.span.kind', 'LLM'), kv('input.value', 'hi')]),
          span('aaa19b7ec3c1b173', 'chat long doc', [kv('gen_ai.request.model', 'm-ok'), kv('frostbyte.document_id', 'd'.repeat(300))]),
          span('aaa19b7ec3c1b174', 'GET /health', [kv('http.request.method', 'GET')]),
          span('aaa19b7ec3c1b175', 'invoke_agent a', [kv('gen_ai.operation.name', 'invoke_agent')]),
        ] }],
      }],
    };
    const r = await fetch(`${s.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(r.status).toBe(200);
    const { partialSuccess } = await json(r);
    expect(partialSuccess.rejectedSpans).toBe(2);
    expect(partialSuccess.errorMessage).toMatch(/span 'LLM without model' \(aaa19b7ec3c1b172\): .*needs its model/);
    expect(partialSuccess.errorMessage).toMatch(/span 'chat long doc' \(aaa19b7ec3c1b173\): \/document_id/);
    expect(partialSuccess.errorMessage).not.toMatch(/event \d/);
    // Server mode: the 200 means on the bus; the writer stores it a moment later.
    const { events } = await until(() => getJson(`${s.url}/v1/events?tenant_id=${tenant}`), (x: Json) => x.events.length >= 2);
    expect(events.map((e: Json) => e.metadata.span_id)).toEqual(['aaa19b7ec3c1b171', 'aaa19b7ec3c1b171']);
  });
});
