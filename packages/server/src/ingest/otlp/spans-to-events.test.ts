import fs from 'node:fs';
import path from 'node:path';
import type { ModelEventInput } from '@frostbyte/contracts';
import { describe, expect, it } from 'vitest';
import type { OtlpTraceRequest } from './decode.ts';
import { eventTokens, spansToEvents } from './spans-to-events.ts';

/** The mapping on spans recorded from the real libraries (test/otlp-fixtures/record.ts). */
const FIXTURES = path.join(import.meta.dirname, '../../../test/otlp-fixtures');
const fixture = (family: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${family}.json`), 'utf8')) as OtlpTraceRequest;
type Ev = ModelEventInput & { metadata: Record<string, unknown>; trace?: { input?: { messages?: unknown[]; texts?: unknown[] }; output?: { messages?: unknown[] } } };
const finals = (events: ModelEventInput[]) => events.filter((e) => e.status !== 'started') as Ev[];
const EMAIL = 'jane.doe@example.com';

describe('OTLP mapping on recorded spans', () => {
  it('OpenLLMetry (@traceloop/instrumentation-openai): GenAI messages, identity, inherited document, workflow as context', () => {
    const c = spansToEvents(fixture('traceloop'));
    expect(c.rejected).toEqual([]);
    expect(c.skipped).toEqual({ context: 1, notModel: 0 });
    const calls = finals(c.events);
    expect(calls).toHaveLength(4);
    for (const e of calls) {
      expect(e).toMatchObject({ model_name: 'gpt-4o-mini', model_version: 'unversioned', operation: 'chat', document_id: 'doc-traceloop-1' });
      // Traceloop's JS instrumentation 0.27 writes the GenAI conventions only.
      expect(e.metadata).toMatchObject({ family: 'gen-ai', provider: 'openai', response_model: 'gpt-4o-mini-2024-07-18' });
      expect(e.metadata.parent_span_id).toMatch(/^[0-9a-f]{16}$/);
      expect(e.metadata.context).toEqual([expect.objectContaining({ name: 'workflow invoice-summary', operation: 'workflow', entity: 'invoice-summary' })]);
    }
    const [summary, toolAsk, toolAnswer] = calls;
    expect(summary?.input_tokens).toBe(1200);
    expect(summary?.trace?.input?.messages).toEqual([
      { role: 'system', content: 'You are a careful invoice assistant.' },
      { role: 'user', content: `Summarise the invoice sent by ${EMAIL}.` },
    ]);
    expect(summary?.trace?.output?.messages).toEqual([{ role: 'assistant', content: 'The invoice total is 42 EUR.', finish_reason: 'stop' }]);
    expect(toolAsk?.trace?.output?.messages).toEqual([{ role: 'assistant', tool_calls: [{ id: 'call_weather_1', name: 'get_weather', arguments: { city: 'Oslo' } }], finish_reason: 'tool_call' }]);
    expect(toolAnswer?.trace?.input?.messages).toContainEqual({ role: 'tool', tool_call_id: 'call_weather_1', content: expect.stringContaining('celsius') });
  });

  it('OpenInference: LLM and EMBEDDING spans, request model from the invocation parameters, cache and reasoning counts', () => {
    const c = spansToEvents(fixture('openinference'));
    expect(c.rejected).toEqual([]);
    expect(c.skipped.context).toBe(1);
    const calls = finals(c.events);
    expect(calls.map((e) => `${e.model_name}@${e.model_version}:${e.operation}`)).toEqual([
      'gpt-4o-mini@unversioned:chat',
      'gpt-4o-mini@unversioned:chat',
      'gpt-4o-mini@unversioned:chat',
      'gpt-4o-mini@unversioned:chat',
      'text-embedding-3-small@unversioned:embeddings',
    ]);
    expect(calls[0]).toMatchObject({ input_tokens: 1200, output_tokens: 40, cached_input_tokens: 1024, reasoning_tokens: 8, document_id: 'doc-openinference-1' });
    expect(calls[0]?.metadata).toMatchObject({ family: 'openinference', response_model: 'gpt-4o-mini-2024-07-18' });
    expect(calls[0]?.trace?.input?.messages?.[1]).toEqual({ role: 'user', content: `Summarise the invoice sent by ${EMAIL}.` });
    expect(calls[2]?.trace?.input?.messages).toContainEqual({ role: 'assistant', tool_calls: [{ id: 'call_weather_1', name: 'get_weather', arguments: { city: 'Oslo' } }] });
    expect(calls[4]?.trace?.input).toEqual({ texts: ['invoice total'] });
  });

  it('Vercel AI SDK: doGenerate/doEmbed are the calls, outer spans and tool calls are context; a failure keeps its model identity', () => {
    const c = spansToEvents(fixture('vercel-ai'));
    expect(c.rejected).toEqual([]);
    // ai.generateText ×3, ai.embed, ai.toolCall, the workflow.
    expect(c.skipped).toEqual({ context: 6, notModel: 0 });
    const calls = finals(c.events);
    expect(calls.map((e) => `${e.model_name}@${e.model_version}:${e.operation}:${e.status}`).sort()).toEqual([
      'gpt-4o-mini@unversioned:chat:completed',
      'gpt-4o-mini@unversioned:chat:completed',
      'gpt-4o-mini@unversioned:chat:completed',
      'gpt-4o-mini@unversioned:chat:failed',
      'text-embedding-3-small@unversioned:embeddings:completed',
    ]);
    const fn = (id: string) => calls.filter((e) => e.metadata.entity === id);
    const [summary] = fn('summarise').filter((e) => e.status === 'completed');
    const [ask, answer] = fn('weather');
    const [embedding] = calls.filter((e) => e.operation === 'embeddings');
    const [failure] = calls.filter((e) => e.status === 'failed');
    // Tokens of the calls only: the outer spans' sums are not counted again.
    expect(calls.reduce((n, e) => n + (e.input_tokens ?? 0), 0)).toBe(3 * 1200 + 6);
    expect(summary).toMatchObject({ input_tokens: 1200, cached_input_tokens: 1024, reasoning_tokens: 8 });
    expect(summary?.metadata).toMatchObject({ family: 'vercel-ai', provider: 'openai' });
    expect(summary?.trace?.input?.messages?.[0]).toEqual({ role: 'system', content: 'You are a careful invoice assistant.' });
    expect(ask?.trace?.output?.messages?.[0]).toMatchObject({ tool_calls: [{ id: 'call_weather_1', name: 'get_weather', arguments: { city: 'Oslo' } }] });
    expect(answer?.trace?.input?.messages).toContainEqual({ role: 'tool', tool_call_id: 'call_weather_1', content: '{"celsius":3}' });
    expect(embedding?.trace?.input).toEqual({ texts: ['invoice total'] });
    expect(failure?.error).toEqual({ type: 'AI_APICallError', message: expect.stringContaining('refused') });
    expect(calls.every((e) => e.document_id === 'doc-vercel-ai-1')).toBe(true);
    const context = ask?.metadata.context as { name: string }[];
    expect(context.map((x) => x.name)).toEqual(['ai.generateText', 'workflow invoice-summary']);
  });

  it('GenAI semantic conventions: current and deprecated names, the details event, agents not counted, ARNs kept whole', () => {
    const c = spansToEvents(fixture('gen-ai'));
    expect(c.rejected).toEqual([]);
    expect(c.skipped).toEqual({ context: 2, notModel: 0 });
    const [chat, bedrock, failed, legacy] = finals(c.events);
    expect(chat).toMatchObject({ model_name: 'gpt-4o-mini', model_version: 'unversioned', input_tokens: 1200, document_id: 'doc-gen-ai-1' });
    expect(chat).toMatchObject({ cached_input_tokens: 1024, cache_write_tokens: 0, reasoning_tokens: 8 });
    expect(chat?.metadata).not.toHaveProperty('cached_input_tokens');
    expect(failed).toMatchObject({ model_name: 'gpt-4o-mini', model_version: 'unversioned', status: 'failed', error: { type: 'RateLimitError', message: 'rate limited' } });
    expect(bedrock?.model_name).toBe('arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0');
    expect(bedrock?.trace?.output?.messages).toEqual([{ role: 'assistant', content: 'The invoice total is 42 EUR.', finish_reason: 'stop' }]);
    // Deprecated names only: the operation comes from the span name (`openai.chat`).
    expect(legacy).toMatchObject({ operation: 'chat', input_tokens: 50, output_tokens: 7, metadata: expect.objectContaining({ provider: 'openai' }) });
    expect(legacy?.trace?.input?.messages).toEqual([{ role: 'user', content: `Summarise the invoice sent by ${EMAIL}.` }]);
    expect(legacy?.trace?.output?.messages?.[0]).toMatchObject({ content: 'The invoice total is 42 EUR.' });
    expect(chat?.metadata.context).toEqual([expect.objectContaining({ operation: 'invoke_agent', entity: 'invoice-agent' })]);
  });

  it('token parts stay inside their totals: a total reported without its cached reads (Anthropic) gets them added', () => {
    expect(eventTokens({ input: 1200, output: 40, cacheRead: 1024, cacheWrite: 0, reasoning: 8 })).toEqual({
      input_tokens: 1200, output_tokens: 40, cached_input_tokens: 1024, cache_write_tokens: 0, reasoning_tokens: 8,
    });
    expect(eventTokens({ input: 20, output: 5, cacheRead: 1000, cacheWrite: 300, reasoning: 9 })).toEqual({
      input_tokens: 1320, output_tokens: 14, cached_input_tokens: 1000, cache_write_tokens: 300, reasoning_tokens: 9,
    });
    expect(eventTokens({})).toEqual({ input_tokens: null, output_tokens: null, cached_input_tokens: null, cache_write_tokens: null, reasoning_tokens: null });
  });

  it('refuses a model span it cannot file with its name, id and reason; counts spans of no family', () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const span = (spanId: string, name: string, attributes: { key: string; value: { stringValue: string } }[]) => ({
      traceId: '5b8efff798038103d269b633813fc60c', spanId, name, startTimeUnixNano: String(now - 1_000_000n), endTimeUnixNano: String(now), attributes,
    });
    const c = spansToEvents({
      resourceSpans: [{ scopeSpans: [{ spans: [
        span('eee19b7ec3c1b174', 'LLM call', [{ key: 'openinference.span.kind', value: { stringValue: 'LLM' } }, { key: 'input.value', value: { stringValue: 'hi' } }]),
        span('eee19b7ec3c1b175', 'GET /health', [{ key: 'http.method', value: { stringValue: 'GET' } }]),
      ] }] }],
    });
    expect(c.events).toEqual([]);
    expect(c.skipped.notModel).toBe(1);
    expect(c.rejected).toEqual([{ name: 'LLM call', spanId: 'eee19b7ec3c1b174', reason: expect.stringMatching(/needs its model/) }]);
  });
});
