import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local OpenAI-compatible HTTP server, so the real `openai` client and the AI SDK's
 * provider run unmodified (their own request building, parsing, streaming) while the
 * answers stay deterministic. It is the model, not a mock of our services.
 *
 * - `POST /v1/chat/completions`: a tool call when tools are offered and no tool result
 *   came back yet, else a text answer; usage with cached prompt tokens and reasoning
 *   tokens (what makes cost wrong when ignored); `stream: true` as SSE chunks with the
 *   usage in the last one. A request whose body contains `[fail]` answers 400 like
 *   OpenAI does (same model as its successful siblings: the identity test needs that).
 * - `POST /v1/responses`: the Responses API's answer (output items, usage with cached
 *   and reasoning details); `stream: true` as its typed SSE events.
 * - `POST /v1/embeddings`: one 8-dimensional vector per input.
 * The response `model` is the dated snapshot of the requested alias, as OpenAI answers.
 */

export const SNAPSHOT_SUFFIX = '-2024-07-18';
export const USAGE = { prompt_tokens: 1200, completion_tokens: 40, cached_tokens: 1024, reasoning_tokens: 8 };
export const EMBED_TOKENS = 6;
export const FAIL_MARKER = '[fail]';

type ChatBody = { model: string; messages: { role: string; content?: unknown }[]; tools?: unknown[]; stream?: boolean };

const usage = () => ({
  prompt_tokens: USAGE.prompt_tokens,
  completion_tokens: USAGE.completion_tokens,
  total_tokens: USAGE.prompt_tokens + USAGE.completion_tokens,
  prompt_tokens_details: { cached_tokens: USAGE.cached_tokens, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: USAGE.reasoning_tokens, audio_tokens: 0 },
});

function chatAnswer(body: ChatBody) {
  const created = 1_765_000_000;
  const model = `${body.model}${SNAPSHOT_SUFFIX}`;
  const hasToolResult = body.messages.some((m) => m.role === 'tool');
  const message =
    body.tools?.length && !hasToolResult
      ? { role: 'assistant', content: null, tool_calls: [{ id: 'call_weather_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] }
      : { role: 'assistant', content: hasToolResult ? 'It is 3 °C in Oslo.' : 'The invoice total is 42 EUR.' };
  const finish = 'tool_calls' in message ? 'tool_calls' : 'stop';
  return { id: 'chatcmpl-local-1', object: 'chat.completion', created, model, choices: [{ index: 0, message, finish_reason: finish, logprobs: null }], usage: usage(), system_fingerprint: 'fp_local' };
}

function responsesAnswer(model: string) {
  return {
    id: 'resp_local_1',
    object: 'response',
    created_at: 1_765_000_000,
    status: 'completed',
    model: `${model}${SNAPSHOT_SUFFIX}`,
    output: [
      {
        type: 'message',
        id: 'msg_local_1',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'The invoice total is 42 EUR.', annotations: [] }],
      },
    ],
    usage: {
      input_tokens: USAGE.prompt_tokens,
      input_tokens_details: { cached_tokens: USAGE.cached_tokens },
      output_tokens: USAGE.completion_tokens,
      output_tokens_details: { reasoning_tokens: USAGE.reasoning_tokens },
      total_tokens: USAGE.prompt_tokens + USAGE.completion_tokens,
    },
  };
}

function streamChat(res: http.ServerResponse, body: ChatBody) {
  const full = chatAnswer(body);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const chunk = (delta: unknown, finish: string | null, extra: object = {}) =>
    res.write(`data: ${JSON.stringify({ id: full.id, object: 'chat.completion.chunk', created: full.created, model: full.model, choices: delta === null ? [] : [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`);
  chunk({ role: 'assistant', content: '' }, null);
  const text = String(full.choices[0]?.message.content ?? '');
  for (const part of text.match(/.{1,8}/g) ?? []) chunk({ content: part }, null);
  chunk({}, 'stop');
  chunk(null, null, { usage: full.usage });
  res.end('data: [DONE]\n\n');
}

function route(req: http.IncomingMessage, body: string, res: http.ServerResponse) {
  const send = (status: number, payload: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(payload));
  };
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(body || '{}');
  } catch {
    return send(400, { error: { message: 'body is not JSON', type: 'invalid_request_error', code: null } });
  }
  const model = String(parsed.model ?? '');
  if (body.includes(FAIL_MARKER)) {
    return send(400, { error: { message: `The model \`${model}\` refused the request (test failure).`, type: 'invalid_request_error', param: 'model', code: 'model_refused' } });
  }
  if (req.url === '/v1/chat/completions') {
    const chat = parsed as unknown as ChatBody;
    return chat.stream ? streamChat(res, chat) : send(200, chatAnswer(chat));
  }
  if (req.url === '/v1/responses') {
    const answer = responsesAnswer(model);
    if (parsed.stream !== true) return send(200, answer);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let n = 0;
    const event = (type: string, data: object) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: n++, ...data })}\n\n`);
    event('response.created', { response: { ...answer, status: 'in_progress', output: [], usage: null } });
    for (const delta of ['The invoice ', 'total is ', '42 EUR.']) event('response.output_text.delta', { item_id: 'msg_local_1', output_index: 0, content_index: 0, delta });
    event('response.completed', { response: answer });
    return res.end();
  }
  if (req.url === '/v1/embeddings') {
    const inputs = Array.isArray(parsed.input) ? parsed.input : [parsed.input];
    return send(200, {
      object: 'list',
      model,
      // As OpenAI: float32 little-endian in base64 when asked (the openai client asks by default).
      data: inputs.map((_, index) => {
        const vector = Array.from({ length: 8 }, (_, i) => (index + 1) * 0.01 * (i + 1));
        const embedding = parsed.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
        return { object: 'embedding', index, embedding };
      }),
      usage: { prompt_tokens: EMBED_TOKENS * inputs.length, total_tokens: EMBED_TOKENS * inputs.length },
    });
  }
  return send(404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error', code: null } });
}

export async function startOpenAiCompatibleServer(): Promise<{ baseURL: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => route(req, body, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
