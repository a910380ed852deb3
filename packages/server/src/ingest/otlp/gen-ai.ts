import { type Attributes, type ChatMessage, conversation, maybeJson, message, type SpanReading, type SpanView, text } from './reading.ts';

/**
 * OpenTelemetry GenAI semantic conventions (`gen_ai.*`), current and deprecated names.
 *
 * Current: `gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.request.model`,
 * `gen_ai.response.model`, `gen_ai.usage.{input,output}_tokens`,
 * `gen_ai.usage.cache_read.input_tokens`, `gen_ai.usage.cache_creation.input_tokens`,
 * `gen_ai.usage.reasoning.output_tokens`, `gen_ai.system_instructions`,
 * `gen_ai.input.messages` / `gen_ai.output.messages` as attributes or on the
 * `gen_ai.client.inference.operation.details` event.
 * Deprecated but still emitted: `gen_ai.system`, `gen_ai.usage.prompt_tokens` /
 * `completion_tokens`, `gen_ai.usage.cache_read_input_tokens` /
 * `cache_creation_input_tokens`, and the per-message events `gen_ai.system.message`,
 * `gen_ai.user.message`, `gen_ai.assistant.message`, `gen_ai.tool.message`, `gen_ai.choice`.
 */

/** Operations that are not a model call: the spans around and beside the calls. */
const CONTEXT_OPERATIONS = new Set(['invoke_agent', 'create_agent', 'execute_tool', 'invoke_workflow', 'retrieval']);

export const DETAILS_EVENT = 'gen_ai.client.inference.operation.details';

export function isGenAi(span: SpanView): boolean {
  return span.attrs.some('gen_ai.');
}

export function readGenAi(span: SpanView): SpanReading | null {
  const a = span.attrs;
  if (!isGenAi(span)) return null;
  const operation = a.str('gen_ai.operation.name') ?? operationFromName(span.name);
  const { input, output } = genAiContent(span);
  return {
    family: 'gen-ai',
    kind: operation && CONTEXT_OPERATIONS.has(operation) ? 'context' : 'model',
    operation,
    requestModel: a.str('gen_ai.request.model'),
    responseModel: a.str('gen_ai.response.model'),
    provider: a.str('gen_ai.provider.name') ?? a.str('gen_ai.system'),
    tokens: genAiTokens(a),
    input,
    output,
    entity: a.str('gen_ai.agent.name') ?? a.str('gen_ai.tool.name'),
  };
}

/** Spans written before `gen_ai.operation.name` existed name the operation only in the
 * span name: `chat gpt-4o-mini` (the conventions' `{operation} {model}`) or
 * `openai.chat` / `openai.completion` / `openai.embeddings` (older instrumentations). */
const NAMED_OPERATIONS: Record<string, string> = { chat: 'chat', completion: 'text_completion', text_completion: 'text_completion', embeddings: 'embeddings', embedding: 'embeddings' };
function operationFromName(name: string): string | undefined {
  const m = /^(\w+)\s|\.(\w+)$/.exec(name);
  const word = m?.[1] ?? m?.[2];
  return word ? NAMED_OPERATIONS[word] : undefined;
}

/** The conversation a span (or, for OTLP logs, the events of one span: log-content.ts)
 * carries: `gen_ai.input.messages` / `gen_ai.output.messages` on the span, else on the
 * details event, else the deprecated one-event-per-message form. */
export function genAiContent(span: SpanView): { input: { messages: ChatMessage[] } | undefined; output: { messages: ChatMessage[] } | undefined } {
  const a = span.attrs;
  const details = span.events.find((e) => e.name === DETAILS_EVENT)?.attrs;
  const pick = (key: string) => (a.has(key) ? a.json(key) : details?.json(key));
  const system = partsToText(pick('gen_ai.system_instructions'));
  const input = [...(system ? [{ role: 'system', content: system }] : []), ...semconvMessages(pick('gen_ai.input.messages'))];
  const output = semconvMessages(pick('gen_ai.output.messages'));
  const legacy = legacyEventMessages(span);
  return { input: conversation(input.length ? input : legacy.input), output: conversation(output.length ? output : legacy.output) };
}

export function genAiTokens(a: Attributes) {
  return {
    input: a.int('gen_ai.usage.input_tokens') ?? a.int('gen_ai.usage.prompt_tokens'),
    output: a.int('gen_ai.usage.output_tokens') ?? a.int('gen_ai.usage.completion_tokens'),
    cacheRead: a.int('gen_ai.usage.cache_read.input_tokens') ?? a.int('gen_ai.usage.cache_read_input_tokens'),
    cacheWrite: a.int('gen_ai.usage.cache_creation.input_tokens') ?? a.int('gen_ai.usage.cache_creation_input_tokens'),
    reasoning: a.int('gen_ai.usage.reasoning.output_tokens') ?? a.int('gen_ai.usage.reasoning_tokens'),
  };
}

type Part = { type?: string; content?: unknown; id?: string; name?: string; arguments?: unknown; response?: unknown; result?: unknown };

function partsToText(parts: unknown): string | undefined {
  if (typeof parts === 'string') return parts;
  if (!Array.isArray(parts)) return undefined;
  const texts = (parts as Part[]).filter((p) => p && (p.type === 'text' || p.type === undefined) && p.content !== undefined).map((p) => text(p.content));
  return texts.length ? texts.join('\n') : undefined;
}

/** `[{ role, parts: [{type:'text'|'tool_call'|'tool_call_response', …}], finish_reason }]`. */
export function semconvMessages(v: unknown): ChatMessage[] {
  if (!Array.isArray(v)) return [];
  const out: ChatMessage[] = [];
  for (const raw of v as { role?: unknown; parts?: unknown; content?: unknown; finish_reason?: unknown }[]) {
    if (!raw || typeof raw !== 'object') continue;
    const role = typeof raw.role === 'string' ? raw.role : 'user';
    const parts = Array.isArray(raw.parts) ? (raw.parts as Part[]) : [];
    const calls = parts.filter((p) => p?.type === 'tool_call').map((p) => ({ id: p.id, name: String(p.name ?? 'tool'), arguments: maybeJson(p.arguments) }));
    const responses = parts.filter((p) => p?.type === 'tool_call_response');
    const content = partsToText(parts) ?? (typeof raw.content === 'string' ? raw.content : undefined);
    const finish = typeof raw.finish_reason === 'string' ? raw.finish_reason : undefined;
    if (responses.length) {
      for (const r of responses) out.push(message({ role: 'tool', tool_call_id: r.id, content: text(r.response ?? r.result) }));
      continue;
    }
    out.push(message({ role, content, tool_calls: calls.length ? calls : undefined, finish_reason: finish }));
  }
  return out;
}

const LEGACY_EVENT_ROLES: Record<string, string> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};

/** The deprecated one-event-per-message form (OTel semconv ≤ 1.36). */
function legacyEventMessages(span: SpanView): { input: ChatMessage[]; output: ChatMessage[] } {
  const input: ChatMessage[] = [];
  const output: ChatMessage[] = [];
  for (const e of span.events) {
    const role = LEGACY_EVENT_ROLES[e.name];
    if (role) {
      input.push(message({ role, content: text(e.attrs.json('content')), tool_call_id: e.attrs.str('id') }));
    } else if (e.name === 'gen_ai.choice') {
      const m = (e.attrs.json('message') ?? {}) as { content?: unknown; role?: string; tool_calls?: { id?: string; function?: { name?: string; arguments?: unknown } }[] };
      output.push(
        message({
          role: m.role ?? 'assistant',
          content: text(m.content),
          tool_calls: m.tool_calls?.map((c) => ({ id: c.id, name: String(c.function?.name ?? 'tool'), arguments: maybeJson(c.function?.arguments) })),
          finish_reason: e.attrs.str('finish_reason'),
        }),
      );
    }
  }
  return { input, output };
}
