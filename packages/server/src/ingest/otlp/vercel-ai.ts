import { type ChatMessage, conversation, maybeJson, message, type SpanReading, type SpanView, text } from './reading.ts';

/**
 * The Vercel AI SDK's `experimental_telemetry` (`ai.*`); `ai.operationId` marks it.
 * Model calls are the provider-level spans `ai.<fn>.doGenerate`, `.doStream`, `.doEmbed`;
 * the outer `ai.generateText`, `ai.streamText`, `ai.generateObject`, `ai.embed`, … spans
 * repeat the summed usage of their steps, so counting them too would double a trace's
 * tokens: they, and `ai.toolCall`, are context.
 * Read: `ai.model.id`, `ai.response.model`, `ai.model.provider` (`openai.chat` → `openai`),
 * `ai.usage.inputTokens` / `outputTokens` (v5+; `promptTokens` / `completionTokens` in v4),
 * `ai.usage.inputTokenDetails.cacheReadTokens` / `cacheWriteTokens`,
 * `ai.usage.cachedInputTokens`, `ai.usage.outputTokenDetails.reasoningTokens` /
 * `ai.usage.reasoningTokens`, `ai.usage.tokens` (embeddings); content from
 * `ai.prompt.messages` (else `ai.prompt`), `ai.response.text`, `ai.response.toolCalls`,
 * `ai.response.object`, and `ai.values` / `ai.value` for embeddings.
 */

export function isVercelAi(span: SpanView): boolean {
  return span.attrs.has('ai.operationId');
}

export function readVercelAi(span: SpanView): SpanReading | null {
  const a = span.attrs;
  const op = a.str('ai.operationId');
  if (!op) return null;
  const model = /\.do(Generate|Stream|Embed)$/.exec(op);
  const embedding = model?.[1] === 'Embed';
  const provider = a.str('ai.model.provider');
  let input: unknown;
  let output: unknown;
  if (embedding) {
    const values = a.json('ai.values');
    // Each value is JSON-encoded (`"invoice total"`), in an array attribute.
    const texts = Array.isArray(values) ? values.map(parseJson) : a.has('ai.value') ? [a.json('ai.value')] : [];
    if (texts.length) input = { texts };
  } else {
    input = conversation(aiMessages(a.json('ai.prompt.messages'))) ?? promptInput(a.json('ai.prompt'));
    output = responseOutput(span);
  }
  return {
    family: 'vercel-ai',
    kind: model ? 'model' : 'context',
    operation: model ? (embedding ? 'embeddings' : 'chat') : op === 'ai.toolCall' ? 'execute_tool' : op,
    requestModel: a.str('ai.model.id'),
    responseModel: a.str('ai.response.model'),
    provider: provider?.split('.')[0],
    tokens: {
      input: a.int('ai.usage.inputTokens') ?? a.int('ai.usage.promptTokens') ?? (embedding ? a.int('ai.usage.tokens') : undefined),
      output: a.int('ai.usage.outputTokens') ?? a.int('ai.usage.completionTokens'),
      cacheRead: a.int('ai.usage.inputTokenDetails.cacheReadTokens') ?? a.int('ai.usage.cachedInputTokens'),
      cacheWrite: a.int('ai.usage.inputTokenDetails.cacheWriteTokens'),
      reasoning: a.int('ai.usage.outputTokenDetails.reasoningTokens') ?? a.int('ai.usage.reasoningTokens'),
    },
    input,
    output,
    entity: a.str('ai.toolCall.name') ?? a.str('ai.telemetry.functionId'),
  };
}

function parseJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

type AiPart = { type?: string; text?: string; toolCallId?: string; toolName?: string; input?: unknown; args?: unknown; output?: unknown; result?: unknown };

/** `[{ role, content: string | [{type:'text'|'tool-call'|'tool-result', …}] }]`. */
function aiMessages(v: unknown): ChatMessage[] {
  if (!Array.isArray(v)) return [];
  const out: ChatMessage[] = [];
  for (const m of v as { role?: string; content?: unknown }[]) {
    if (!m || typeof m !== 'object') continue;
    const role = typeof m.role === 'string' ? m.role : 'user';
    if (typeof m.content === 'string') {
      out.push(message({ role, content: m.content }));
      continue;
    }
    const parts = Array.isArray(m.content) ? (m.content as AiPart[]) : [];
    const texts = parts.filter((p) => p?.type === 'text' && typeof p.text === 'string').map((p) => p.text as string);
    const calls = parts.filter((p) => p?.type === 'tool-call').map((p) => ({ id: p.toolCallId, name: String(p.toolName ?? 'tool'), arguments: maybeJson(p.input ?? p.args) }));
    const results = parts.filter((p) => p?.type === 'tool-result');
    if (results.length) {
      for (const r of results) out.push(message({ role: 'tool', tool_call_id: r.toolCallId, content: text(unwrapOutput(r.output ?? r.result)) }));
      continue;
    }
    out.push(message({ role, content: texts.length ? texts.join('\n') : undefined, tool_calls: calls }));
  }
  return out;
}

/** AI SDK 5+ tool results are `{ type: 'json' | 'text', value }`. */
function unwrapOutput(v: unknown): unknown {
  return v && typeof v === 'object' && 'value' in v && 'type' in v ? (v as { value: unknown }).value : v;
}

/** The outer spans' `ai.prompt`: `{ system?, prompt? , messages? }`. */
function promptInput(v: unknown) {
  if (!v || typeof v !== 'object') return undefined;
  const p = v as { system?: unknown; prompt?: unknown; messages?: unknown };
  const messages: ChatMessage[] = [];
  if (typeof p.system === 'string') messages.push({ role: 'system', content: p.system });
  if (typeof p.prompt === 'string') messages.push({ role: 'user', content: p.prompt });
  messages.push(...aiMessages(p.messages));
  return conversation(messages);
}

function responseOutput(span: SpanView) {
  const a = span.attrs;
  const calls = a.json('ai.response.toolCalls');
  const toolCalls = Array.isArray(calls)
    ? (calls as AiPart[]).map((c) => ({ id: c.toolCallId, name: String(c.toolName ?? 'tool'), arguments: maybeJson(c.input ?? c.args) }))
    : [];
  const content = a.str('ai.response.text') ?? text(a.json('ai.response.object'));
  if (content === undefined && !toolCalls.length) return undefined;
  return conversation([message({ role: 'assistant', content, tool_calls: toolCalls, finish_reason: a.str('ai.response.finishReason') })]);
}
