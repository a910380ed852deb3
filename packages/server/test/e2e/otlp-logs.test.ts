import { randomBytes } from 'node:crypto';
import { context, type SpanContext, trace } from '@opentelemetry/api';
import { OTLPLogExporter as LogsHttpJson } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as LogsHttpProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter as TracesHttpJson } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_HEADERS, fetch, getJson, type Json, startServer, uniq, until } from '../helper.ts';

/**
 * GenAI content events sent as OTLP logs (POST /v1/logs) through the official OTLP/HTTP
 * log exporters (JSON and protobuf), joined to their span's decision trace whether the
 * logs arrive after the span or before it. Server mode: PostgreSQL + Redis.
 */

const EMAIL = 'maria.keller@example.org';

describe('OTLP logs: GenAI content events join their span (server mode)', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    s = await startServer('server');
  }, 90_000);
  afterAll(() => s?.close());

  const resource = (tenant: string) => resourceFromAttributes({ 'service.name': 'logs-app', 'frostbyte.tenant_id': tenant });

  /** One hand-made GenAI chat span with tokens and no content; returns its context. */
  async function sendSpan(tenant: string): Promise<SpanContext> {
    const provider = new NodeTracerProvider({
      resource: resource(tenant),
      spanProcessors: [new SimpleSpanProcessor(new TracesHttpJson({ url: `${s.url}/v1/traces`, headers: ADMIN_HEADERS }))],
    });
    const tracer = provider.getTracer('hand-made');
    const span = tracer.startSpan('chat gpt-4o-mini', {
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 30,
        'gen_ai.usage.output_tokens': 9,
      },
    });
    const ctx = span.spanContext();
    span.end();
    await provider.forceFlush();
    await provider.shutdown();
    return ctx;
  }

  async function sendLogs(
    tenant: string,
    encoding: 'json' | 'protobuf',
    span: SpanContext | null,
    records: { eventName: string; body?: Json; attributes?: Json }[],
  ) {
    const Exporter = encoding === 'json' ? LogsHttpJson : LogsHttpProto;
    const provider = new LoggerProvider({
      resource: resource(tenant),
      processors: [new SimpleLogRecordProcessor({ exporter: new Exporter({ url: `${s.url}/v1/logs`, headers: ADMIN_HEADERS }) })],
    });
    const logger = provider.getLogger('gen-ai-events');
    const ctx = span ? trace.setSpanContext(context.active(), span) : context.active();
    for (const r of records) logger.emit({ eventName: r.eventName, body: r.body, attributes: r.attributes, context: ctx });
    await provider.forceFlush();
    await provider.shutdown();
  }

  const finalEvent = async (tenant: string) => {
    const { events } = await until(
      () => getJson(`${s.url}/v1/events?tenant_id=${tenant}`),
      (r: Json) => r.events.some((e: Json) => e.status === 'completed'),
    );
    return events.find((e: Json) => e.status === 'completed');
  };

  it('logs after the span (protobuf exporter): the per-message events become the conversation, redacted', async () => {
    const tenant = uniq('logs');
    const span = await sendSpan(tenant);
    const event = await finalEvent(tenant);
    expect(event.has_trace).toBe(false);
    expect((await getJson(`${s.url}/v1/events/${event.id}`)).trace).toBeNull();

    await sendLogs(tenant, 'protobuf', span, [
      { eventName: 'gen_ai.system.message', body: { content: 'You are a careful invoice assistant.' } },
      { eventName: 'gen_ai.user.message', body: { content: `Summarise the invoice sent by ${EMAIL}.` } },
      {
        eventName: 'gen_ai.choice',
        body: { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'The invoice total is 42 EUR.' } },
      },
    ]);
    const got = await until(
      () => getJson(`${s.url}/v1/events/${event.id}`),
      (r: Json) => r.trace !== null,
    );
    expect(got.trace.readable).toBe(true);
    expect(got.trace.input.messages).toEqual([
      { role: 'system', content: 'You are a careful invoice assistant.' },
      { role: 'user', content: 'Summarise the invoice sent by <EMAIL_1>.' },
    ]);
    expect(got.trace.output.messages).toEqual([{ role: 'assistant', content: 'The invoice total is 42 EUR.', finish_reason: 'stop' }]);
    expect(got.trace.redactions).toMatchObject({ EMAIL: 1 });
    expect(JSON.stringify(got)).not.toContain(EMAIL);
    // The `started` event of the same span carries no conversation.
    const { events } = await getJson(`${s.url}/v1/events?tenant_id=${tenant}`);
    const started = events.find((e: Json) => e.status === 'started');
    expect((await getJson(`${s.url}/v1/events/${started.id}`)).trace).toBeNull();
  });

  it('logs before the span (JSON exporter): the operation-details event is joined when the span arrives; re-sending changes nothing', async () => {
    const tenant = uniq('logs');
    const early: SpanContext = { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), traceFlags: 1 };
    const details = {
      eventName: 'gen_ai.client.inference.operation.details',
      attributes: {
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `Mail ${EMAIL} the total.` }] }]),
        'gen_ai.output.messages': JSON.stringify([
          {
            role: 'assistant',
            parts: [{ type: 'tool_call', id: 'call_1', name: 'send_mail', arguments: '{"to":"<EMAIL_1>"}' }],
            finish_reason: 'tool_calls',
          },
        ]),
      },
    };
    await sendLogs(tenant, 'json', early, [details]);
    // An exporter retrying the same export: stored once.
    const resent = JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'frostbyte.tenant_id', value: { stringValue: tenant } }] },
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
                  eventName: 'gen_ai.user.message',
                  traceId: early.traceId,
                  spanId: early.spanId,
                  body: { kvlistValue: { values: [{ key: 'content', value: { stringValue: `cc ${EMAIL}` } }] } },
                },
              ],
            },
          ],
        },
      ],
    });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${s.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: resent });
      expect([res.status, await res.json()]).toEqual([200, {}]);
    }
    // The span with the ids the logs named, sent afterwards. An OTel SDK picks its own
    // span ids, so it is posted as OTLP/JSON by hand.
    const now = BigInt(Date.now()) * 1_000_000n;
    const r = await fetch(`${s.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'frostbyte.tenant_id', value: { stringValue: tenant } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: early.traceId,
                    spanId: early.spanId,
                    name: 'chat gpt-4o-mini',
                    startTimeUnixNano: String(now - 5_000_000n),
                    endTimeUnixNano: String(now),
                    attributes: [
                      { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
                      { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect(r.status).toBe(200);
    const event = await finalEvent(tenant);
    const got = await getJson(`${s.url}/v1/events/${event.id}`);
    expect(got.trace.input.messages).toEqual([{ role: 'user', content: 'Mail <EMAIL_1> the total.' }]);
    expect(got.trace.output.messages).toEqual([
      { role: 'assistant', tool_calls: [{ id: 'call_1', name: 'send_mail', arguments: { to: '<EMAIL_1>' } }], finish_reason: 'tool_calls' },
    ]);
    // The details event wins over the per-message form; both were redacted, and the
    // re-sent record counts once: two addresses, not three.
    expect(got.trace.redactions).toEqual({ EMAIL: 2 });
  });

  it('content on the span wins over logs; another tenant’s logs for the same ids never join', async () => {
    const tenant = uniq('logs');
    const other = uniq('logs');
    const span = await sendSpan(tenant);
    await sendLogs(other, 'json', span, [{ eventName: 'gen_ai.user.message', body: { content: 'from the other tenant' } }]);
    await sendLogs(tenant, 'json', span, [{ eventName: 'gen_ai.user.message', body: { content: 'mine' } }]);
    const event = await finalEvent(tenant);
    const got = await until(
      () => getJson(`${s.url}/v1/events/${event.id}`),
      (x: Json) => x.trace !== null,
    );
    expect(got.trace.input.messages).toEqual([{ role: 'user', content: 'mine' }]);
  });

  it('counts logs that are not GenAI events, and names a GenAI log it cannot attach (no span) in partialSuccess', async () => {
    const tenant = uniq('logs');
    const post = (body: Json) =>
      fetch(`${s.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const rec = (eventName: string, withSpan: boolean) => ({
      timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
      eventName,
      body: { stringValue: 'hello' },
      ...(withSpan ? { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174' } : {}),
    });
    const logs = (records: Json[]) => ({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'frostbyte.tenant_id', value: { stringValue: tenant } }] },
          scopeLogs: [{ logRecords: records }],
        },
      ],
    });
    const ok = await post(logs([rec('app.started', false), rec('gen_ai.user.message', true), rec('gen_ai.user.message', false)]));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({
      partialSuccess: {
        rejectedLogRecords: 1,
        errorMessage: expect.stringMatching(/log record 2 'gen_ai.user.message': .*traceId and spanId/),
      },
    });
    const none = await post(logs([rec('gen_ai.choice', false)]));
    expect(none.status).toBe(400);
    expect(((await none.json()) as Json).message).toMatch(/no log record accepted/);
    const bad = await post({ resourceLogs: 'x' });
    expect(bad.status).toBe(400);
    const proto = await fetch(`${s.url}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: Buffer.from([0xff, 0xff, 0xff]),
    });
    expect(proto.status).toBe(400);
  });
});
