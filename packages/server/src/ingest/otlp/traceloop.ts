import { type ChatMessage, conversation, maybeJson, message, type SpanReading, type SpanView, text } from './reading.ts';

/**
 * OpenLLMetry / Traceloop. Its current JS instrumentation (0.27) writes the GenAI
 * conventions (read by gen-ai.ts); what is its own, and read here:
 * - `traceloop.span.kind` (`workflow`, `task`, `agent`, `tool`) with
 *   `traceloop.entity.name`: context spans, never model calls;
 * - `llm.request.type` (`chat`, `completion`, `embedding`, `rerank`) as the operation;
 * - the indexed messages of its older releases and of its Python SDK:
 *   `gen_ai.prompt.N.{role,content,tool_call_id}` and
 *   `gen_ai.completion.N.{role,content,finish_reason,tool_calls.M.{id,name,arguments}}`.
 * Model names and token counts are `gen_ai.*` names, so gen-ai.ts fills them in.
 */

const REQUEST_TYPES: Record<string, string> = { chat: 'chat', completion: 'text_completion', embedding: 'embeddings', rerank: 'rerank' };
const CONTEXT_KINDS = new Set(['workflow', 'task', 'agent', 'tool']);

export function isTraceloop(span: SpanView): boolean {
  const a = span.attrs;
  return a.some('traceloop.') || a.has('llm.request.type') || a.some('gen_ai.prompt.') || a.some('gen_ai.completion.');
}

export function readTraceloop(span: SpanView): SpanReading | null {
  if (!isTraceloop(span)) return null;
  const a = span.attrs;
  const spanKind = a.str('traceloop.span.kind');
  const requestType = a.str('llm.request.type');
  const input = indexedMessages(a.indexed('gen_ai.prompt.'));
  const output = indexedMessages(a.indexed('gen_ai.completion.'));
  const context = spanKind !== undefined && CONTEXT_KINDS.has(spanKind);
  // `traceloop.association.properties.*` alone rides on any span (HTTP included): only a
  // kind, a request type or messages make it a span of this family.
  if (!context && !requestType && !input.length && !output.length) return null;
  return {
    family: 'traceloop',
    kind: context ? 'context' : 'model',
    operation: context ? spanKind : requestType ? (REQUEST_TYPES[requestType] ?? requestType) : undefined,
    tokens: {},
    input: conversation(input),
    output: conversation(output),
    entity: a.str('traceloop.entity.name'),
  };
}

function indexedMessages(rows: Record<string, unknown>[]): ChatMessage[] {
  return rows.map((r) => {
    const calls: { id?: string; name: string; arguments?: unknown }[] = [];
    for (const [k, v] of Object.entries(r)) {
      const m = /^tool_calls\.(\d{1,3})\.(id|name|arguments)$/.exec(k);
      if (!m) continue;
      const c = (calls[Number(m[1])] ??= { name: 'tool' });
      if (m[2] === 'id') c.id = String(v);
      else if (m[2] === 'name') c.name = String(v);
      else c.arguments = maybeJson(v);
    }
    return message({
      role: typeof r.role === 'string' ? r.role : 'user',
      content: text(r.content),
      tool_calls: calls.filter(Boolean),
      tool_call_id: typeof r.tool_call_id === 'string' ? r.tool_call_id : undefined,
      finish_reason: typeof r.finish_reason === 'string' ? r.finish_reason : undefined,
    });
  });
}
