import { getTelemetry, type Telemetry } from './api.ts';
import type { CaptureOptions } from './context.ts';
import type { ModelMeta, ModelResult, ModelUsage } from './invocation.ts';

/**
 * `wrapOpenAI(client)`: drop-in instrumentation of the official `openai` client for
 * teams with no OpenTelemetry. Every `chat.completions.create`, `responses.create` and
 * `embeddings.create` (streaming included) becomes a `started` and a
 * `completed`/`failed` event through the SDK's usual path (batching, redaction, spool).
 *
 * What an event holds, the same as the server's OTLP mapping (ingest/otlp/), so a call
 * reads alike whichever way it came:
 * - identity: `model_name` = the request model, `model_version` = `options.model_version`
 *   (default `unversioned`); the response snapshot (`gpt-4o-mini-2024-07-18`) goes to
 *   `metadata.response_model`, so a failure (no response) is filed with its successes;
 * - operation `chat` (chat completions and responses; `metadata.api` says which) or
 *   `embeddings`;
 * - tokens from the response's usage, cached reads and reasoning as their own fields;
 * - the conversation as the trace: input `{ messages }` (system, user, assistant with
 *   tool calls, tool results), output `{ messages: [assistant…] }`; embeddings record the
 *   texts and the vector count, not the vectors.
 *
 * The client keeps its types and its behaviour: the wrapper returns what the client
 * returns (the same `APIPromise`, whose `withResponse()` still works), never changes a
 * request, and a telemetry fault never reaches the caller. Streams are observed as the
 * caller reads them; the call ends when the stream does (a stream never read stays
 * `started` until the server marks it abandoned). OpenAI only reports a stream's usage
 * when asked (`stream_options: { include_usage: true }`); without it the SDK counts.
 *
 * The `openai` package is not a dependency: the wrapper reads the client by shape.
 */

export interface WrapOpenAIOptions {
  /** Default: the global telemetry (`initTelemetry()`), a no-op until it is set. */
  telemetry?: Telemetry;
  /** Pipeline stage of these calls. Default `external`. */
  stage?: string;
  /** Version filed with the request model. Default `unversioned`. */
  model_version?: string;
  capture?: CaptureOptions;
  /** Static metadata on every event. */
  metadata?: Record<string, unknown>;
}

type Fn = (...args: unknown[]) => unknown;
type Json = Record<string, unknown>;

/** What one endpoint records, from its request body and its result. */
interface Endpoint {
  operation: 'chat' | 'embeddings';
  api: string;
  input(body: Json): unknown;
  result(value: Json): ModelResult;
  /** Streams: folds the chunks into the final result. */
  stream?: () => { add(chunk: Json): void; result(): ModelResult };
}

export function wrapOpenAI<C extends object>(client: C, options: WrapOpenAIOptions = {}): C {
  const metas = new Map<string, ModelMeta>();
  const metaOf = (model: unknown, operation: string): ModelMeta => {
    const name = slug(typeof model === 'string' ? model : '', 'unknown-model', 128);
    const key = `${name}\0${operation}`;
    let m = metas.get(key);
    if (!m) {
      m = {
        model_name: name,
        model_version: slug(options.model_version, 'unversioned', 64),
        stage: slug(options.stage, 'external', 64),
        operation,
        ...(options.capture ? { capture: options.capture } : {}),
        metadata: { source: 'openai', provider: 'openai', ...(options.metadata ?? {}) },
      };
      metas.set(key, m);
    }
    return m;
  };
  const instrument = (target: object, method: Fn, endpoint: Endpoint): Fn =>
    function instrumented(this: unknown, ...args: unknown[]) {
      const body = (args[0] && typeof args[0] === 'object' ? args[0] : {}) as Json;
      return observeCall(options.telemetry ?? getTelemetry(), metaOf(body.model, endpoint.operation), endpoint, body, () =>
        method.apply(target, args),
      );
    };
  return wrapPaths(client, {
    'chat.completions.create': (t, f) => instrument(t, f, CHAT),
    'responses.create': (t, f) => instrument(t, f, RESPONSES),
    'embeddings.create': (t, f) => instrument(t, f, EMBEDDINGS),
  });
}

/** A proxy of `client` whose methods at the given dotted paths are replaced; every
 * other property (and `this` inside the client) is the client's own. */
function wrapPaths<C extends object>(client: C, paths: Record<string, (target: object, f: Fn) => Fn>): C {
  const wrap = (obj: object, prefix: string): object => {
    const cache = new Map<PropertyKey, unknown>();
    return new Proxy(obj, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof prop !== 'string') return value;
        const path = prefix ? `${prefix}.${prop}` : prop;
        const wrapper = paths[path];
        const nested = Object.keys(paths).some((p) => p.startsWith(`${path}.`));
        if (!wrapper && !nested) return value;
        if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
        if (cache.has(prop)) return cache.get(prop);
        const out = wrapper && typeof value === 'function' ? wrapper(target, value as Fn) : nested ? wrap(value as object, path) : value;
        cache.set(prop, out);
        return out;
      },
    });
  };
  return wrap(client, '') as C;
}

/**
 * Runs the call inside `telemetry.observe`. The caller gets the client's own value (an
 * `APIPromise`, or a stream observed as it is read) while observe records a
 * `ModelResult` built from it: observe's own result never reaches the caller.
 */
function observeCall(telemetry: Telemetry, meta: ModelMeta, endpoint: Endpoint, body: Json, call: () => unknown): unknown {
  let api: unknown;
  let called = false;
  let settle!: { resolve: (v: unknown) => void; reject: (e: unknown) => void };
  const value = new Promise<unknown>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const observed = telemetry.observe(
    meta,
    async () => {
      called = true;
      api = call();
      let v: unknown;
      try {
        v = await api;
      } catch (error) {
        settle.reject(error);
        throw error;
      }
      if (body.stream === true && isAsyncIterable(v) && endpoint.stream) {
        const folded = observeStream(v, endpoint.stream());
        settle.resolve(folded.stream);
        return folded.done;
      }
      settle.resolve(v);
      return safeResult(endpoint, v);
    },
    { input: endpoint.input(body) },
  );
  // The failure is recorded by observe; the caller sees the client's own rejection
  // (through `value`, which must not count as unhandled when only `withResponse()` is used).
  observed.catch(() => {});
  value.catch(() => {});
  if (!called) return call();
  if (!isThenable(api)) return value;
  // The client's promise object stays the caller's (its extra methods, e.g.
  // `withResponse()`), with the value awaited through the observed path.
  const original = api as object;
  return new Proxy(original, {
    get(target, prop) {
      if (prop === 'then' || prop === 'catch' || prop === 'finally') {
        const f = (value as unknown as Record<PropertyKey, Fn>)[prop] as Fn;
        return f.bind(value);
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as Fn).bind(target) : v;
    },
  });
}

/** The caller's stream, observed: chunks are folded as the caller reads them; `done`
 * resolves with the result when the stream ends and rejects if it fails. */
function observeStream(stream: AsyncIterable<unknown>, fold: { add(chunk: Json): void; result(): ModelResult }) {
  let finish!: (r: ModelResult) => void;
  let fail!: (e: unknown) => void;
  const done = new Promise<ModelResult>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  let ended = false;
  const end = (error?: unknown) => {
    if (ended) return;
    ended = true;
    if (error !== undefined) fail(error);
    else finish(safe(() => fold.result(), { output: undefined }));
  };
  const observedIterator = () => {
    const it = stream[Symbol.asyncIterator]();
    return {
      async next(): Promise<IteratorResult<unknown>> {
        let r: IteratorResult<unknown>;
        try {
          r = await it.next();
        } catch (error) {
          end(error);
          throw error;
        }
        if (r.done) end();
        else safe(() => fold.add(r.value as Json), undefined);
        return r;
      },
      async return(v?: unknown): Promise<IteratorResult<unknown>> {
        // The caller stopped reading (break): the call ends with what it got.
        end();
        return it.return ? it.return(v) : { done: true, value: v };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  };
  const proxied = new Proxy(stream as object, {
    get(target, prop) {
      if (prop === Symbol.asyncIterator) return observedIterator;
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as Fn).bind(target) : v;
    },
  });
  return { stream: proxied, done };
}

// ---- the endpoints ----

const CHAT: Endpoint = {
  operation: 'chat',
  api: 'chat.completions',
  input: (body) => ({ messages: chatMessages(body.messages) }),
  result(v) {
    const choices = Array.isArray(v.choices) ? (v.choices as Json[]) : [];
    const messages = choices.map((c) => assistantMessage((c.message ?? {}) as Json, c.finish_reason));
    return withIdentity({ output: { messages }, usage: chatUsage(v.usage) }, v.model, 'chat.completions');
  },
  stream() {
    let content = '';
    let finish: unknown;
    let model: unknown;
    let usage: ModelUsage | undefined;
    const calls: { id?: string; name: string; arguments: string }[] = [];
    return {
      add(chunk) {
        model ??= chunk.model;
        if (chunk.usage) usage = chatUsage(chunk.usage);
        const choice = (Array.isArray(chunk.choices) ? chunk.choices[0] : undefined) as Json | undefined;
        if (!choice) return;
        const delta = (choice.delta ?? {}) as Json;
        if (typeof delta.content === 'string') content += delta.content;
        for (const tc of (Array.isArray(delta.tool_calls) ? delta.tool_calls : []) as Json[]) {
          const i = typeof tc.index === 'number' ? tc.index : calls.length;
          const fn = (tc.function ?? {}) as Json;
          const slot = (calls[i] ??= { name: '', arguments: '' });
          if (typeof tc.id === 'string') slot.id = tc.id;
          if (typeof fn.name === 'string') slot.name += fn.name;
          if (typeof fn.arguments === 'string') slot.arguments += fn.arguments;
        }
        if (choice.finish_reason) finish = choice.finish_reason;
      },
      result() {
        const message = assistantMessage(
          {
            content: content || null,
            tool_calls: calls.filter(Boolean).map((c) => ({ id: c.id, function: { name: c.name, arguments: c.arguments } })),
          },
          finish,
        );
        return withIdentity({ output: { messages: [message] }, ...(usage ? { usage } : {}) }, model, 'chat.completions', { stream: true });
      },
    };
  },
};

const RESPONSES: Endpoint = {
  operation: 'chat',
  api: 'responses',
  input(body) {
    const messages: Message[] = [];
    if (typeof body.instructions === 'string') messages.push({ role: 'system', content: body.instructions });
    if (typeof body.input === 'string') messages.push({ role: 'user', content: body.input });
    else if (Array.isArray(body.input)) messages.push(...responseItems(body.input as Json[]));
    return { messages };
  },
  result: (v) => responseResult(v, {}),
  stream() {
    let final: Json | undefined;
    let text = '';
    return {
      add(event) {
        if (event.type === 'response.output_text.delta' && typeof event.delta === 'string') text += event.delta;
        if (
          (event.type === 'response.completed' || event.type === 'response.failed' || event.type === 'response.incomplete') &&
          event.response
        )
          final = event.response as Json;
      },
      result: () =>
        final
          ? responseResult(final, { stream: true })
          : { output: { messages: [{ role: 'assistant', content: text }] }, metadata: { api: 'responses', stream: true } },
    };
  },
};

const EMBEDDINGS: Endpoint = {
  operation: 'embeddings',
  api: 'embeddings',
  input: (body) => ({ texts: Array.isArray(body.input) ? body.input : [body.input] }),
  result(v) {
    const data = Array.isArray(v.data) ? (v.data as Json[]) : [];
    const first = data[0]?.embedding;
    const usage = (v.usage ?? {}) as Json;
    return withIdentity(
      {
        output: { vectors: data.length, dimensions: Array.isArray(first) ? first.length : null },
        ...(typeof usage.prompt_tokens === 'number' ? { usage: { input_tokens: usage.prompt_tokens, output_tokens: 0 } } : {}),
      },
      v.model,
      'embeddings',
    );
  },
};

// ---- reading OpenAI shapes ----

interface Message {
  role: string;
  content?: string;
  tool_calls?: { id?: string; name: string; arguments?: unknown }[];
  tool_call_id?: string;
  finish_reason?: string;
}

function chatMessages(v: unknown): Message[] {
  if (!Array.isArray(v)) return [];
  return (v as Json[]).map((m) => {
    const role = typeof m.role === 'string' ? m.role : 'user';
    if (role === 'assistant') return assistantMessage(m, undefined);
    return compact({
      role,
      content: contentText(m.content),
      tool_call_id: typeof m.tool_call_id === 'string' ? m.tool_call_id : undefined,
    });
  });
}

function assistantMessage(m: Json, finish: unknown): Message {
  const calls = (Array.isArray(m.tool_calls) ? m.tool_calls : []) as Json[];
  return compact({
    role: 'assistant',
    content: contentText(m.content),
    tool_calls: calls.length
      ? calls.map((c) => {
          const fn = (c.function ?? {}) as Json;
          return { id: typeof c.id === 'string' ? c.id : undefined, name: String(fn.name ?? 'tool'), arguments: parseMaybe(fn.arguments) };
        })
      : undefined,
    finish_reason: typeof finish === 'string' ? finish : undefined,
  });
}

function responseItems(items: Json[]): Message[] {
  const out: Message[] = [];
  for (const it of items) {
    if (it.type === 'function_call')
      out.push({
        role: 'assistant',
        tool_calls: [{ id: String(it.call_id ?? ''), name: String(it.name ?? 'tool'), arguments: parseMaybe(it.arguments) }],
      });
    else if (it.type === 'function_call_output')
      out.push(compact({ role: 'tool', tool_call_id: String(it.call_id ?? ''), content: contentText(it.output) }));
    else out.push(compact({ role: typeof it.role === 'string' ? it.role : 'user', content: contentText(it.content) }));
  }
  return out;
}

function responseResult(v: Json, extra: Json): ModelResult {
  const items = (Array.isArray(v.output) ? v.output : []) as Json[];
  const messages: Message[] = [];
  for (const it of items) {
    if (it.type === 'message') messages.push(compact({ role: 'assistant', content: contentText(it.content) }));
    else if (it.type === 'function_call')
      messages.push({
        role: 'assistant',
        tool_calls: [{ id: String(it.call_id ?? ''), name: String(it.name ?? 'tool'), arguments: parseMaybe(it.arguments) }],
      });
  }
  const u = (v.usage ?? undefined) as Json | undefined;
  const usage: ModelUsage | undefined = u
    ? compact({
        input_tokens: num(u.input_tokens),
        output_tokens: num(u.output_tokens),
        cached_input_tokens: num((u.input_tokens_details as Json | undefined)?.cached_tokens),
        reasoning_tokens: num((u.output_tokens_details as Json | undefined)?.reasoning_tokens),
      })
    : undefined;
  const failure = v.status === 'failed' || v.status === 'incomplete' ? { status: v.status } : {};
  return withIdentity({ output: { messages }, ...(usage ? { usage } : {}) }, v.model, 'responses', { ...extra, ...failure });
}

function chatUsage(v: unknown): ModelUsage | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const u = v as Json;
  return compact({
    input_tokens: num(u.prompt_tokens),
    output_tokens: num(u.completion_tokens),
    cached_input_tokens: num((u.prompt_tokens_details as Json | undefined)?.cached_tokens),
    reasoning_tokens: num((u.completion_tokens_details as Json | undefined)?.reasoning_tokens),
  });
}

function withIdentity(r: ModelResult, responseModel: unknown, api: string, extra: Json = {}): ModelResult {
  const metadata: Json = { api, ...extra };
  if (typeof responseModel === 'string' && responseModel) metadata.response_model = responseModel;
  return { ...r, metadata };
}

/** Text of a content value: a string, or the text parts of a parts array. */
function contentText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) return v === null || v === undefined ? undefined : JSON.stringify(v);
  const texts = (v as Json[])
    .map((p) => (typeof p === 'string' ? p : typeof p?.text === 'string' ? p.text : undefined))
    .filter((t): t is string => t !== undefined);
  return texts.length ? texts.join('\n') : JSON.stringify(v);
}

function parseMaybe(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

const SLUG_BAD = /[^A-Za-z0-9._:/@+-]/g;
function slug(v: string | undefined, fallback: string, max: number): string {
  const s = (v ?? '')
    .replace(SLUG_BAD, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, max);
  return s || fallback;
}

function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}

/** A result the SDK can always record: a telemetry fault never reaches the caller. */
const safeResult = (endpoint: Endpoint, v: unknown): ModelResult =>
  safe(() => endpoint.result((v ?? {}) as Json), { output: undefined, metadata: { api: endpoint.api, unreadable_response: true } });

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  !!v && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
const isAsyncIterable = (v: unknown): v is AsyncIterable<unknown> =>
  !!v && typeof (v as Record<PropertyKey, unknown>)[Symbol.asyncIterator] === 'function';
