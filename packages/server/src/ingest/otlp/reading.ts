/**
 * What every convention family's reader produces from one span: a `SpanReading`. The
 * readers (gen-ai.ts, openinference.ts, traceloop.ts, vercel-ai.ts) only read; the
 * precedence (precedence.ts) picks one value per field; span-tree.ts adds what
 * ancestors carry; spans-to-events.ts turns the result into model events.
 */

/** A message of a conversation, the same shape whatever family it came from. This is
 * what the decision trace stores as its input and output, and what the tracer draws. */
export interface ChatMessage {
  role: string;
  content?: string;
  tool_calls?: { id?: string; name: string; arguments?: unknown }[];
  /** On a `tool` message: the call it answers. */
  tool_call_id?: string;
  finish_reason?: string;
}

/** Where a span stands: a model call becomes events; context spans (agent, workflow,
 * chain, tool, the AI SDK's outer `ai.generateText`) are kept as the calls' context. */
export type SpanKind = 'model' | 'context';

export interface TokenCounts {
  /** All prompt tokens, cached ones included (OpenAI's `prompt_tokens`). */
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
}

export interface SpanReading {
  family: Family;
  kind: SpanKind;
  /** A GenAI operation name: `chat`, `text_completion`, `embeddings`, `invoke_agent`, … */
  operation?: string;
  requestModel?: string;
  responseModel?: string;
  provider?: string;
  tokens: TokenCounts;
  input?: unknown;
  output?: unknown;
  /** Context spans: a name worth showing (agent, workflow, tool). */
  entity?: string;
}

export type Family = 'gen-ai' | 'openinference' | 'traceloop' | 'vercel-ai';

/** What a reader sees of a span: its own attributes (not the resource's) and events. */
export interface SpanView {
  name: string;
  attrs: Attributes;
  events: { name: string; attrs: Attributes }[];
}

/** One span's attributes, with typed getters that never throw on client data. */
export class Attributes {
  constructor(readonly map: Map<string, unknown>) {}

  has(key: string): boolean {
    return this.map.has(key);
  }

  str(key: string): string | undefined {
    const v = this.map.get(key);
    return typeof v === 'string' && v.length ? v : undefined;
  }

  int(key: string): number | undefined {
    return nonNegativeInt(this.map.get(key));
  }

  /** A JSON-encoded attribute (OTel JS attributes are primitives, so structured values
   * arrive as strings); an already structured value (kvlist from other SDKs) as is. */
  json(key: string): unknown {
    const v = this.map.get(key);
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }

  /** Flattened lists (`llm.input_messages.0.message.role`, `gen_ai.prompt.1.content`)
   * back into objects: prefix `llm.input_messages.` gives `[{ 'message.role': … }]`. */
  indexed(prefix: string): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const [k, v] of this.map) {
      if (!k.startsWith(prefix)) continue;
      const m = /^(\d{1,4})\.(.+)$/.exec(k.slice(prefix.length));
      if (!m) continue;
      const i = Number(m[1]);
      out[i] ??= {};
      (out[i] as Record<string, unknown>)[m[2] as string] = v;
    }
    return out.filter(Boolean);
  }

  some(prefix: string): boolean {
    for (const k of this.map.keys()) if (k.startsWith(prefix)) return true;
    return false;
  }
}

export function nonNegativeInt(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d{1,12}$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.round(n) : undefined;
}

export const text = (v: unknown): string | undefined => {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return undefined;
  return JSON.stringify(v);
};

/** A JSON string parsed when it is JSON, else kept as the string. */
export function maybeJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return v;
  try {
    return JSON.parse(t);
  } catch {
    return v;
  }
}

/** Drops undefined fields so stored messages stay small and compare cleanly. */
export function message(m: ChatMessage): ChatMessage {
  const out: ChatMessage = { role: m.role };
  if (m.content !== undefined) out.content = m.content;
  if (m.tool_calls?.length) out.tool_calls = m.tool_calls;
  if (m.tool_call_id !== undefined) out.tool_call_id = m.tool_call_id;
  if (m.finish_reason !== undefined) out.finish_reason = m.finish_reason;
  return out;
}

/** The trace's input/output for a conversation. */
export const conversation = (messages: ChatMessage[]) => (messages.length ? { messages } : undefined);
