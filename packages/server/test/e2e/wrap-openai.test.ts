import { HttpExporter, MemoryExporter, TelemetrySdk, withContext, wrapOpenAI } from '@frostbyte/telemetry';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetch, getJson, type Json, startServer, TEST_ADMIN_TOKEN, uniq, until } from '../helper.ts';
import { EMBED_TOKENS, startOpenAiCompatibleServer, USAGE } from '../otlp-fixtures/openai-compatible-server.ts';

/**
 * `wrapOpenAI(client)` from the SDK around the real `openai` client, against the local
 * OpenAI-compatible server: chat (plain, tools, streaming), responses (plain and
 * streaming), embeddings and a refused call, exported by the SDK's HTTP exporter into a
 * real server (PostgreSQL + Redis) and read back: events, tokens incl. cached and
 * reasoning, cost from registry prices, the redacted conversation.
 */

const PRICES = { input_per_1k: 0.15, cached_input_per_1k: 0.075, output_per_1k: 0.6, reasoning_per_1k: 1.2 };
/** 1200 prompt tokens, 1024 of them cached; 40 output tokens, 8 of them reasoning. */
const CACHED_CALL_COST = 0.176 * 0.15 + 1.024 * 0.075 + 0.032 * 0.6 + 0.008 * 1.2;
const EMAIL = 'jane.doe@example.com';

describe('wrapOpenAI around the real openai client (server mode)', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  let model: Awaited<ReturnType<typeof startOpenAiCompatibleServer>>;
  beforeAll(async () => {
    [s, model] = await Promise.all([startServer('server'), startOpenAiCompatibleServer()]);
    for (const name of ['gpt-4o-mini', 'text-embedding-3-small']) {
      const r = await fetch(`${s.url}/v1/models`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, stage: 'external', version: { version: 'unversioned', pricing: PRICES, reason: 'list prices' } }),
      });
      expect(r.status).toBe(201);
    }
  }, 90_000);
  afterAll(async () => {
    await model?.close();
    await s?.close();
  });

  it('records chat, streaming, tools, responses, embeddings and a failure; the caller gets what the client returns', async () => {
    const tenant = uniq('wrap');
    const telemetry = new TelemetrySdk({
      exporter: new HttpExporter({ endpoint: s.url, apiKey: TEST_ADMIN_TOKEN, warn: () => {} }),
      spoolDir: false,
      flushOnExit: false,
      countTokens: false,
    });
    const openai = wrapOpenAI(new OpenAI({ baseURL: model.baseURL, apiKey: 'local', maxRetries: 0 }), { telemetry, stage: 'policy' });
    const system = { role: 'system' as const, content: 'You are a careful invoice assistant.' };
    const user = { role: 'user' as const, content: `Summarise the invoice sent by ${EMAIL}.` };

    await withContext({ tenant_id: tenant, document_id: 'doc-wrap-1' }, async () => {
      // Plain chat: the client's own typed value comes back, and withResponse() still works.
      const chat = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [system, user] });
      expect(chat.choices[0]?.message.content).toBe('The invoice total is 42 EUR.');
      const { data, response } = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [system, user] }).withResponse();
      expect([data.model, response.status]).toEqual(['gpt-4o-mini-2024-07-18', 200]);

      // Streaming: the caller reads the chunks; the event is written when the stream ends.
      const stream = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [user],
        stream: true,
        stream_options: { include_usage: true },
      });
      let streamed = '';
      for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
      expect(streamed).toBe('The invoice total is 42 EUR.');

      // A tool round trip.
      const tools = [
        {
          type: 'function' as const,
          function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
        },
      ];
      const ask = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Weather in Oslo?' }],
        tools,
      });
      const call = ask.choices[0]?.message.tool_calls?.[0];
      expect(call?.type === 'function' && call.function.name).toBe('get_weather');
      await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        tools,
        messages: [
          { role: 'user', content: 'Weather in Oslo?' },
          ask.choices[0]?.message as never,
          { role: 'tool', tool_call_id: 'call_weather_1', content: '{"celsius":3}' },
        ],
      });

      // Responses API, plain and streamed.
      const resp = await openai.responses.create({
        model: 'gpt-4o-mini',
        instructions: 'Be brief.',
        input: `Total of the invoice from ${EMAIL}?`,
      });
      expect(resp.output_text).toBe('The invoice total is 42 EUR.');
      const rs = await openai.responses.create({ model: 'gpt-4o-mini', input: 'Total?', stream: true });
      const types: string[] = [];
      for await (const e of rs) types.push(e.type);
      expect(types.at(-1)).toBe('response.completed');

      // Embeddings.
      const emb = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['invoice total', 'due date'] });
      expect(emb.data).toHaveLength(2);

      // A refused call: the caller gets the client's own error class.
      await expect(
        openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'please [fail]' }] }),
      ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    });
    await telemetry.shutdown();

    const { events } = await until(
      () => getJson(`${s.url}/v1/events?tenant_id=${tenant}&limit=100`),
      (r: Json) => r.events.length >= 18,
    );
    expect(events).toHaveLength(18);
    const finals = events.filter((e: Json) => e.status !== 'started').reverse();
    expect(finals.map((e: Json) => `${e.model_name}@${e.model_version}:${e.operation}:${e.status}:${e.metadata.api}`)).toEqual([
      'gpt-4o-mini@unversioned:chat:completed:chat.completions',
      'gpt-4o-mini@unversioned:chat:completed:chat.completions',
      'gpt-4o-mini@unversioned:chat:completed:chat.completions',
      'gpt-4o-mini@unversioned:chat:completed:chat.completions',
      'gpt-4o-mini@unversioned:chat:completed:chat.completions',
      'gpt-4o-mini@unversioned:chat:completed:responses',
      'gpt-4o-mini@unversioned:chat:completed:responses',
      'text-embedding-3-small@unversioned:embeddings:completed:embeddings',
      'gpt-4o-mini@unversioned:chat:failed:undefined',
    ]);
    for (const e of finals.slice(0, 7)) {
      expect(e).toMatchObject({
        stage: 'policy',
        document_id: 'doc-wrap-1',
        input_tokens: USAGE.prompt_tokens,
        output_tokens: USAGE.completion_tokens,
        cached_input_tokens: USAGE.cached_tokens,
        reasoning_tokens: USAGE.reasoning_tokens,
      });
      expect(e.metadata.response_model).toBe('gpt-4o-mini-2024-07-18');
      expect(e.cost_usd).toBeCloseTo(CACHED_CALL_COST, 9);
    }
    expect(finals[2].metadata.stream).toBe(true);
    expect(finals[7]).toMatchObject({ input_tokens: 2 * EMBED_TOKENS, cached_input_tokens: null });
    const failed = finals[8];
    expect(failed.error).toMatchObject({ type: 'BadRequestError', message: expect.stringContaining('refused') });

    const trace = async (e: Json) => (await getJson(`${s.url}/v1/events/${e.id}`)).trace;
    const first = await trace(finals[0]);
    expect(first.input.messages).toEqual([
      { role: 'system', content: 'You are a careful invoice assistant.' },
      { role: 'user', content: 'Summarise the invoice sent by <EMAIL_1>.' },
    ]);
    expect(first.output.messages).toEqual([{ role: 'assistant', content: 'The invoice total is 42 EUR.', finish_reason: 'stop' }]);
    expect((await trace(finals[2])).output.messages).toEqual([
      { role: 'assistant', content: 'The invoice total is 42 EUR.', finish_reason: 'stop' },
    ]);
    expect((await trace(finals[3])).output.messages[0]).toMatchObject({
      tool_calls: [{ id: 'call_weather_1', name: 'get_weather', arguments: { city: 'Oslo' } }],
    });
    expect((await trace(finals[4])).input.messages).toContainEqual({
      role: 'tool',
      tool_call_id: 'call_weather_1',
      content: '{"celsius":3}',
    });
    const responses = await trace(finals[5]);
    expect(responses.input.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Total of the invoice from <EMAIL_1>?' },
    ]);
    expect(responses.output.messages).toEqual([{ role: 'assistant', content: 'The invoice total is 42 EUR.' }]);
    expect((await trace(finals[7])).output).toEqual({ vectors: 2, dimensions: 8 });
    for (const e of finals) expect(JSON.stringify(await trace(e))).not.toContain(EMAIL);
  });

  it('a stream the caller stops reading still ends its call; a client without telemetry runs unchanged', async () => {
    const exporter = new MemoryExporter();
    const telemetry = new TelemetrySdk({ exporter, spoolDir: false, flushOnExit: false, countTokens: false });
    const openai = wrapOpenAI(new OpenAI({ baseURL: model.baseURL, apiKey: 'local', maxRetries: 0 }), { telemetry });
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    for await (const _ of stream) break;
    await telemetry.flush();
    expect(exporter.getEvents().map((e) => e.status)).toEqual(['started', 'completed']);
    // No telemetry set up: the global no-op; the call and its types are the client's.
    const plain = wrapOpenAI(new OpenAI({ baseURL: model.baseURL, apiKey: 'local', maxRetries: 0 }));
    const r = await plain.embeddings.create({ model: 'text-embedding-3-small', input: 'x' });
    expect(r.data[0]?.embedding).toHaveLength(8);
    await telemetry.shutdown();
  });
});
