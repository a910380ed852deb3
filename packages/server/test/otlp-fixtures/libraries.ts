import { createOpenAI } from '@ai-sdk/openai';
import { OpenAIInstrumentation as OpenInferenceInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { SpanStatusCode, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenAIInstrumentation as TraceloopInstrumentation } from '@traceloop/instrumentation-openai';
import { embed, generateText, stepCountIs, tool } from 'ai';
import * as openaiModule from 'openai';
import OpenAI from 'openai';
import { z } from 'zod';
import { FAIL_MARKER } from './openai-compatible-server.ts';

/**
 * What a team that "already runs an instrumentation library" does, once per family:
 * the real library around the real client, against the local OpenAI-compatible server.
 * Used by record.ts (fixtures for the mapping unit tests) and by the e2e test (live,
 * through the official OTLP exporters). Every run wraps its calls in a workflow span
 * carrying `frostbyte.document_id`, so inheritance is exercised on real span trees.
 *
 * The prompts carry an e-mail address: the server must redact it in the trace.
 */

export const PII_EMAIL = 'jane.doe@example.com';
export const CHAT_PROMPT = `Summarise the invoice sent by ${PII_EMAIL}.`;
export const SYSTEM_PROMPT = 'You are a careful invoice assistant.';
export type Family = 'traceloop' | 'openinference' | 'vercel-ai' | 'gen-ai';
export const FAMILIES: Family[] = ['traceloop', 'openinference', 'vercel-ai', 'gen-ai'];

let contextRegistered = false;
/** Parent/child links need a context manager; one registration per process (the API
 * refuses a second one), and every run passes its own provider explicitly. */
export function registerContextOnce() {
  if (contextRegistered) return;
  contextRegistered = true;
  new NodeTracerProvider().register();
}

type Unpatchable = { unpatch(moduleExports: unknown): void };

const client = (baseURL: string) => new OpenAI({ baseURL, apiKey: 'sk-local-test', maxRetries: 0 });

/** A workflow span around the calls, as an agent framework or the app would make. */
async function inWorkflow(tracer: Tracer, name: string, documentId: string, fn: () => Promise<void>) {
  await tracer.startActiveSpan(`workflow ${name}`, { attributes: { 'frostbyte.document_id': documentId, 'traceloop.span.kind': 'workflow', 'traceloop.entity.name': name } }, async (span) => {
    try {
      await fn();
    } finally {
      span.end();
    }
  });
}

async function openAiCalls(baseURL: string, withEmbedding: boolean) {
  const c = client(baseURL);
  await c.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: SYSTEM_PROMPT }, { role: 'user', content: CHAT_PROMPT }] });
  const tools = [{ type: 'function' as const, function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
  const first = await c.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather in Oslo?' }], tools });
  const call = first.choices[0]?.message.tool_calls?.[0];
  if (call) {
    await c.chat.completions.create({
      model: 'gpt-4o-mini',
      tools,
      messages: [{ role: 'user', content: 'Weather in Oslo?' }, first.choices[0]?.message as never, { role: 'tool', tool_call_id: call.id, content: '{"celsius":3}' }],
    });
  }
  const stream = await c.chat.completions.create({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Stream the total.' }] });
  for await (const _ of stream) {
    // drain
  }
  // The failing sibling: same request model, no response model.
  // Neither OpenAI instrumentation ends its span when openai 6's APIPromise rejects (their
  // error hooks only see synchronous throws), so this call leaves no span: kept to show it.
  await c.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `${CHAT_PROMPT} ${FAIL_MARKER}` }] }).catch(() => undefined);
  if (withEmbedding) await c.embeddings.create({ model: 'text-embedding-3-small', input: 'invoice total' });
}

export async function runTraceloop(provider: TracerProvider, baseURL: string, documentId: string) {
  const inst = new TraceloopInstrumentation({ traceContent: true });
  inst.setTracerProvider(provider);
  inst.manuallyInstrument(OpenAI as never);
  try {
    await inWorkflow(provider.getTracer('app'), 'invoice-summary', documentId, () => openAiCalls(baseURL, false));
  } finally {
    // unpatch is private in the typings: manuallyInstrument registers no module to undo.
    (inst as unknown as Unpatchable).unpatch({ OpenAI });
  }
}

export async function runOpenInference(provider: TracerProvider, baseURL: string, documentId: string) {
  const inst = new OpenInferenceInstrumentation({ tracerProvider: provider });
  inst.manuallyInstrument(openaiModule as never);
  try {
    await inWorkflow(provider.getTracer('app'), 'invoice-summary', documentId, () => openAiCalls(baseURL, true));
  } finally {
    (inst as unknown as Unpatchable).unpatch(openaiModule);
  }
}

export async function runVercelAi(provider: TracerProvider, baseURL: string, documentId: string) {
  const tracer = provider.getTracer('app');
  const openai = createOpenAI({ baseURL, apiKey: 'sk-local-test' });
  const telemetry = (functionId: string) => ({ isEnabled: true, tracer, functionId, metadata: { document: documentId } });
  await inWorkflow(tracer, 'invoice-summary', documentId, async () => {
    await generateText({ model: openai.chat('gpt-4o-mini'), system: SYSTEM_PROMPT, prompt: CHAT_PROMPT, experimental_telemetry: telemetry('summarise') });
    await generateText({
      model: openai.chat('gpt-4o-mini'),
      prompt: 'Weather in Oslo?',
      tools: { get_weather: tool({ description: 'Weather for a city', inputSchema: z.object({ city: z.string() }), execute: async () => ({ celsius: 3 }) }) },
      stopWhen: stepCountIs(2),
      experimental_telemetry: telemetry('weather'),
    });
    await embed({ model: openai.embedding('text-embedding-3-small'), value: 'invoice total', experimental_telemetry: telemetry('embed-total') });
    await generateText({ model: openai.chat('gpt-4o-mini'), prompt: `${CHAT_PROMPT} ${FAIL_MARKER}`, maxRetries: 0, experimental_telemetry: telemetry('summarise') }).catch(() => undefined);
  });
}

/**
 * Hand-made spans with the current GenAI semantic conventions (no JS library emits all
 * of them yet; this is what a team on the spec writes), through the real SDK: an
 * `invoke_agent` parent, a chat with messages as attributes and cache/reasoning counts,
 * one with the messages on the `gen_ai.client.inference.operation.details` event, a
 * failure, deprecated names still emitted in the wild, and a Bedrock ARN as model.
 */
export async function runGenAi(provider: TracerProvider, _baseURL: string, documentId: string) {
  const tracer = provider.getTracer('app');
  const messagesIn = JSON.stringify([
    { role: 'system', parts: [{ type: 'text', content: SYSTEM_PROMPT }] },
    { role: 'user', parts: [{ type: 'text', content: CHAT_PROMPT }] },
  ]);
  const messagesOut = JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'The invoice total is 42 EUR.' }], finish_reason: 'stop' }]);
  await tracer.startActiveSpan('invoke_agent invoice-agent', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'invoice-agent', 'gen_ai.provider.name': 'openai', 'frostbyte.document_id': documentId } }, async (agent) => {
      const chat = tracer.startSpan('chat gpt-4o-mini', {
        attributes: {
          'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
          'gen_ai.usage.input_tokens': 1200, 'gen_ai.usage.output_tokens': 40, 'gen_ai.usage.cache_read.input_tokens': 1024, 'gen_ai.usage.cache_creation.input_tokens': 0,
          'gen_ai.usage.reasoning.output_tokens': 8, 'gen_ai.input.messages': messagesIn, 'gen_ai.output.messages': messagesOut, 'gen_ai.response.finish_reasons': ['stop'],
        },
      });
      chat.end();
      const withEvent = tracer.startSpan('chat claude', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'aws.bedrock', 'gen_ai.request.model': BEDROCK_ARN, 'gen_ai.usage.input_tokens': 300, 'gen_ai.usage.output_tokens': 20 } });
      withEvent.addEvent('gen_ai.client.inference.operation.details', { 'gen_ai.input.messages': messagesIn, 'gen_ai.output.messages': messagesOut });
      withEvent.end();
      const failed = tracer.startSpan('chat gpt-4o-mini', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'error.type': 'RateLimitError', 'gen_ai.input.messages': messagesIn } });
      failed.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited' });
      failed.end();
      const legacy = tracer.startSpan('openai.chat', {
        attributes: { 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.response.model': 'gpt-4o-mini-2024-07-18', 'gen_ai.usage.prompt_tokens': 50, 'gen_ai.usage.completion_tokens': 7 },
      });
      legacy.addEvent('gen_ai.user.message', { content: CHAT_PROMPT });
      legacy.addEvent('gen_ai.choice', { index: 0, finish_reason: 'stop', message: JSON.stringify({ content: 'The invoice total is 42 EUR.' }) });
      legacy.end();
      const toolSpan = tracer.startSpan('execute_tool get_weather', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather' } });
      toolSpan.end();
      agent.end();
    });
}

export const BEDROCK_ARN = 'arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0';

export const RUNNERS: Record<Family, (provider: TracerProvider, baseURL: string, documentId: string) => Promise<void>> = {
  traceloop: runTraceloop,
  openinference: runOpenInference,
  'vercel-ai': runVercelAi,
  'gen-ai': runGenAi,
};
