import { readGenAi } from './gen-ai.ts';
import { readOpenInference } from './openinference.ts';
import type { SpanReading, SpanView } from './reading.ts';
import { readTraceloop } from './traceloop.ts';
import { readVercelAi } from './vercel-ai.ts';

/**
 * A span that carries several families is read once: every family's reader looks at
 * it, and each field takes the value of the first family, in this order, that has one:
 *
 *   1. OpenInference  (`openinference.span.kind`) — complete on its own;
 *   2. Vercel AI SDK  (`ai.operationId`) — its `gen_ai.*` copies are a subset
 *      (`gen_ai.system` is `openai.chat`, no cache counts);
 *   3. OpenLLMetry    (`traceloop.*`, `llm.request.type`, `gen_ai.prompt.N.*`) — only
 *      what is its own: span kind, request type, indexed messages;
 *   4. GenAI semantic conventions (`gen_ai.*`) — the common ground, filling the rest.
 *
 * Tokens are taken per count with the same order, so a family that reports input and
 * output but no cache reads does not hide another's cache reads.
 * A span is context (not a model call) when any family reading it says so: the outer
 * AI SDK span, an OpenInference CHAIN/AGENT, a Traceloop workflow, a GenAI
 * `invoke_agent` all repeat or wrap their children's usage, and counting them would
 * double a trace's tokens.
 */

const READERS = [readOpenInference, readVercelAi, readTraceloop, readGenAi];

export function readSpan(span: SpanView): SpanReading | null {
  const readings = READERS.map((r) => r(span)).filter((r): r is SpanReading => r !== null);
  const [first] = readings;
  if (!first) return null;
  const pick = <K extends keyof SpanReading>(key: K): SpanReading[K] => readings.find((r) => r[key] !== undefined)?.[key] as SpanReading[K];
  const token = (key: keyof SpanReading['tokens']) => readings.find((r) => r.tokens[key] !== undefined)?.tokens[key];
  return {
    family: first.family,
    kind: readings.some((r) => r.kind === 'context') ? 'context' : 'model',
    operation: pick('operation'),
    requestModel: pick('requestModel'),
    responseModel: pick('responseModel'),
    provider: pick('provider'),
    tokens: { input: token('input'), output: token('output'), cacheRead: token('cacheRead'), cacheWrite: token('cacheWrite'), reasoning: token('reasoning') },
    input: pick('input'),
    output: pick('output'),
    entity: pick('entity'),
  };
}
