import { type ChatMessage, conversation, maybeJson, message, type SpanReading, type SpanView, text } from './reading.ts';

/**
 * OpenInference (Arize Phoenix): `openinference.span.kind` marks the family.
 * Model calls: `LLM`, `EMBEDDING`, `RERANKER`; every other kind (CHAIN, AGENT, TOOL,
 * RETRIEVER, GUARDRAIL, EVALUATOR, PROMPT) is context.
 * Read: `llm.model_name` / `embedding.model_name`, the request model inside
 * `llm.invocation_parameters` (the OpenAI instrumentation overwrites `llm.model_name`
 * with the response snapshot once the answer is in), `llm.provider` / `llm.system`,
 * `llm.token_count.{prompt,completion}`, `llm.token_count.prompt_details.cache_read` /
 * `cache_write`, `llm.token_count.completion_details.reasoning`, the flattened
 * `llm.input_messages.N.message.*` / `llm.output_messages.N.message.*` (content,
 * contents, tool_calls, tool_call_id), else `input.value` / `output.value`, and
 * `embedding.embeddings.N.embedding.text` for an embedding's input.
 */

const MODEL_KINDS: Record<string, string> = { LLM: 'chat', EMBEDDING: 'embeddings', RERANKER: 'rerank' };

export function isOpenInference(span: SpanView): boolean {
  return span.attrs.has('openinference.span.kind');
}

export function readOpenInference(span: SpanView): SpanReading | null {
  const a = span.attrs;
  const kind = a.str('openinference.span.kind')?.toUpperCase();
  if (!kind) return null;
  const params = a.json('llm.invocation_parameters');
  const paramModel = params && typeof params === 'object' && typeof (params as { model?: unknown }).model === 'string' ? ((params as { model: string }).model) : undefined;
  const named = a.str('llm.model_name') ?? a.str('embedding.model_name');
  const operation = MODEL_KINDS[kind] ?? kind.toLowerCase();
  const inMessages = oiMessages(a.indexed('llm.input_messages.'));
  const outMessages = oiMessages(a.indexed('llm.output_messages.'));
  const embedded = a.indexed('embedding.embeddings.').map((e) => e['embedding.text']).filter((t) => typeof t === 'string');
  let input: unknown = conversation(inMessages);
  if (!input && embedded.length) input = { texts: embedded };
  if (!input && a.has('input.value')) input = { value: maybeJson(a.map.get('input.value')) };
  let output: unknown = conversation(outMessages);
  // An embedding's output is its vectors: not worth a trace (and huge).
  if (!output && kind !== 'EMBEDDING' && a.has('output.value')) output = { value: maybeJson(a.map.get('output.value')) };
  return {
    family: 'openinference',
    kind: kind in MODEL_KINDS ? 'model' : 'context',
    operation: operation === 'chat' && !inMessages.length && a.some('llm.prompts.') ? 'text_completion' : operation,
    requestModel: paramModel ?? named,
    responseModel: paramModel && named !== paramModel ? named : undefined,
    provider: a.str('llm.provider') ?? a.str('llm.system'),
    tokens: {
      input: a.int('llm.token_count.prompt'),
      output: a.int('llm.token_count.completion'),
      cacheRead: a.int('llm.token_count.prompt_details.cache_read'),
      cacheWrite: a.int('llm.token_count.prompt_details.cache_write'),
      reasoning: a.int('llm.token_count.completion_details.reasoning'),
    },
    input,
    output,
    entity: a.str('tool.name') ?? a.str('agent.name') ?? (kind in MODEL_KINDS ? undefined : span.name),
  };
}

/** `{ 'message.role', 'message.content', 'message.contents.0.message_content.text',
 * 'message.tool_calls.0.tool_call.function.name', … }` → a ChatMessage. */
function oiMessages(rows: Record<string, unknown>[]): ChatMessage[] {
  return rows.map((r) => {
    const calls: { id?: string; name: string; arguments?: unknown }[] = [];
    const contents: string[] = [];
    for (const [k, v] of Object.entries(r)) {
      const call = /^message\.tool_calls\.(\d{1,3})\.tool_call\.(id|function\.name|function\.arguments)$/.exec(k);
      if (call) {
        const c = (calls[Number(call[1])] ??= { name: 'tool' });
        if (call[2] === 'id') c.id = String(v);
        else if (call[2] === 'function.name') c.name = String(v);
        else c.arguments = maybeJson(v);
        continue;
      }
      if (/^message\.contents\.\d{1,3}\.message_content\.text$/.test(k) && typeof v === 'string') contents.push(v);
    }
    return message({
      role: typeof r['message.role'] === 'string' ? (r['message.role'] as string) : 'user',
      content: text(r['message.content']) ?? (contents.length ? contents.join('\n') : undefined),
      tool_calls: calls.filter(Boolean),
      tool_call_id: typeof r['message.tool_call_id'] === 'string' ? (r['message.tool_call_id'] as string) : undefined,
    });
  });
}
