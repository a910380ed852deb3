import type { ModelEventInput } from '@frostbyte/contracts';
import type { CaptureOptions } from './context.ts';
import { newEventId } from './ids.ts';
import { COMPLETED, isModelResult, type ModelUsage, STARTED } from './invocation.ts';
import type { QueuedEvent } from './queue.ts';
import type { RedactionHook } from './redaction.ts';
import type { TokenCounter, TokenSource } from './tokens.ts';

// Limits from the ingest schema (packages/contracts/src/event.ts): an event over any of
// them would be rejected whole, so the SDK trims instead.
const MAX_ERROR_TYPE = 200;
const MAX_ERROR_MESSAGE = 4000;
const MAX_RATIONALE = 20000;
const MAX_METADATA_KEYS = 64;
const MAX_METADATA_KEY = 128;
const MAX_TOKENS = 100_000_000;

export interface BuildEnv {
  redaction: RedactionHook;
  tokens: TokenCounter;
  /** Global capture switch from the config. */
  capture: CaptureOptions | undefined;
  countTokens: boolean;
  /** Counts internal failures (a redactor that throws, an unreadable error). */
  onFailure: (error: unknown) => void;
}

/** Turns a queued event into its wire form. Runs in the export step, never on a caller's path.
 * Allocates little on purpose: at full rate this runs ~40k times a second. */
export function buildEvent({ invocation: inv, kind }: QueuedEvent, env: BuildEnv): ModelEventInput {
  const ctx = inv.context;
  const meta = inv.meta;
  const isStart = kind === STARTED;
  const iso = isoAt(isStart ? inv.startWall : inv.startWall + inv.durationMs);
  const event: ModelEventInput = {
    id: newEventId(),
    invocation_id: inv.invocation_id,
    timestamp: iso,
    emitted_at: iso,
    stage: meta.stage,
    model_name: meta.model_name,
    model_version: meta.model_version,
    operation: meta.operation,
    status: isStart ? 'started' : kind === COMPLETED ? 'completed' : 'failed',
  };
  if (ctx !== undefined) {
    if (ctx.tenant_id !== undefined) event.tenant_id = ctx.tenant_id;
    if (ctx.pipeline_run_id !== undefined) event.pipeline_run_id = ctx.pipeline_run_id;
    if (ctx.document_id !== undefined) event.document_id = ctx.document_id;
  }

  let metadata: Record<string, unknown> | undefined;
  if (meta.metadata !== undefined) metadata = { ...meta.metadata };
  if (ctx?.attributes !== undefined) metadata = Object.assign(metadata ?? {}, ctx.attributes);
  if (isStart) {
    if (metadata !== undefined) setMetadata(event, metadata);
    return event;
  }

  event.duration_ms = Math.round(inv.durationMs * 1000) / 1000;
  const result = kind === COMPLETED ? inv.result : undefined;
  const shaped = isModelResult(result) ? result : undefined;
  const output = shaped !== undefined ? shaped.output : result;
  const usage: ModelUsage | undefined = inv.usage ?? shaped?.usage;
  if (shaped?.metadata !== undefined) metadata = Object.assign(metadata ?? {}, shaped.metadata);
  if (inv.extra !== undefined) metadata = Object.assign(metadata ?? {}, inv.extra);
  if (typeof usage?.pages === 'number') (metadata ??= {}).pages = usage.pages;

  // Tokens: the model's own report wins; otherwise count what went in and came out.
  const sources: TokenSources = { model: false, tiktoken: false, estimate: false };
  const inputTokens = tokenCount(usage?.input_tokens, inv.hasInput ? inv.input : undefined, env, sources);
  if (inputTokens !== undefined) event.input_tokens = inputTokens;
  if (kind === COMPLETED) {
    const outputTokens = tokenCount(usage?.output_tokens, output, env, sources);
    if (outputTokens !== undefined) event.output_tokens = outputTokens;
  }
  // Token parts, only as the model reported them and only inside their totals (the
  // server refuses a part larger than its total).
  const inputParts = tokenPart(usage?.cached_input_tokens) + tokenPart(usage?.cache_write_tokens);
  if (inputParts > 0 && (event.input_tokens == null || inputParts <= event.input_tokens)) {
    if (tokenPart(usage?.cached_input_tokens)) event.cached_input_tokens = tokenPart(usage?.cached_input_tokens);
    if (tokenPart(usage?.cache_write_tokens)) event.cache_write_tokens = tokenPart(usage?.cache_write_tokens);
  }
  const reasoning = tokenPart(usage?.reasoning_tokens);
  if (reasoning > 0 && kind === COMPLETED && (event.output_tokens == null || reasoning <= event.output_tokens)) event.reasoning_tokens = reasoning;
  const tokenSource = describeSources(sources);
  if (tokenSource !== undefined) (metadata ??= {}).token_source = tokenSource;

  const captureInput = allows(env.capture?.input, meta.capture?.input, ctx?.capture?.input, inv.callCapture?.input);
  const captureOutput = allows(env.capture?.output, meta.capture?.output, ctx?.capture?.output, inv.callCapture?.output);
  const scope = env.redaction.newScope();
  let trace: NonNullable<ModelEventInput['trace']> | undefined;
  if (captureInput && inv.hasInput && inv.input !== undefined) (trace ??= {}).input = redact(inv.input, scope, env);
  if (kind === COMPLETED) {
    if (captureOutput && output !== undefined) (trace ??= {}).output = redact(output, scope, env);
    const rationale = inv.rationale ?? shaped?.rationale;
    if (typeof rationale === 'string') (trace ??= {}).decision_rationale = truncate(String(redact(rationale, scope, env)), MAX_RATIONALE);
    const confidence = inv.confidence ?? shaped?.confidence;
    if (typeof confidence === 'number') {
      if (confidence >= 0 && confidence <= 1) (trace ??= {}).confidence_score = confidence;
      else (metadata ??= {}).invalid_confidence = Number.isFinite(confidence) ? confidence : String(confidence);
    }
  } else {
    event.error = describeError(inv.error, scope, env);
  }
  if (trace !== undefined) event.trace = trace;
  if (metadata !== undefined) setMetadata(event, metadata);
  return event;
}

function redact(value: unknown, scope: object, env: BuildEnv): unknown {
  try {
    return env.redaction.redact(value, scope);
  } catch (error) {
    env.onFailure(error);
    return '[redaction failed]'; // fail closed: never send what could not be redacted
  }
}

// Events from one batch mostly share a millisecond; formatting a Date costs ~0.5 µs.
let lastIsoMs = Number.NaN;
let lastIso = '';
function isoAt(wallMs: number): string {
  const ms = Math.round(wallMs);
  if (ms !== lastIsoMs) {
    lastIsoMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

interface TokenSources {
  model: boolean;
  tiktoken: boolean;
  estimate: boolean;
}

function describeSources(s: TokenSources): string | undefined {
  const names: TokenSource[] = [];
  if (s.estimate) names.push('estimate');
  if (s.model) names.push('model');
  if (s.tiktoken) names.push('tiktoken');
  return names.length === 0 ? undefined : names.join('+');
}

/**
 * Replaces the captured input/output of an event that is too large to send with a
 * preview, so one huge document cannot get a whole batch rejected.
 */
export function shrinkEvent(event: ModelEventInput, maxFieldChars: number): ModelEventInput {
  const trace = event.trace;
  if (trace === undefined) return event;
  const shrunk = { ...trace };
  for (const field of ['input', 'output'] as const) {
    if (shrunk[field] === undefined) continue;
    const json = JSON.stringify(shrunk[field]) ?? '';
    if (json.length > maxFieldChars) shrunk[field] = { truncated: true, chars: json.length, preview: json.slice(0, maxFieldChars) };
  }
  return { ...event, trace: shrunk, metadata: { ...event.metadata, trace_truncated: true } };
}

const tokenPart = (v: unknown): number => (typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= MAX_TOKENS ? v : 0);

function tokenCount(reported: unknown, value: unknown, env: BuildEnv, sources: TokenSources): number | undefined {
  if (typeof reported === 'number' && Number.isInteger(reported) && reported >= 0 && reported <= MAX_TOKENS) {
    sources.model = true;
    return reported;
  }
  if (!env.countTokens || value === undefined) return undefined;
  const counted = env.tokens.count(value);
  if (counted === undefined) return undefined;
  sources[counted.source] = true;
  return Math.min(counted.tokens, MAX_TOKENS);
}

function allows(...switches: (boolean | undefined)[]): boolean {
  for (const s of switches) if (s === false) return false;
  return true;
}

function describeError(error: unknown, scope: object, env: BuildEnv): { type: string; message: string } {
  let type: string;
  let message: string;
  if (error instanceof Error) {
    const ctorName = error.constructor?.name;
    type = ctorName !== undefined && ctorName !== '' && ctorName !== 'Error' ? ctorName : error.name || 'Error';
    message = error.message;
  } else {
    type = error === null ? 'null' : typeof error;
    try {
      message = String(error);
    } catch {
      message = '';
    }
  }
  const redacted = redact(message, scope, env);
  return {
    type: truncate(type, MAX_ERROR_TYPE) || 'Error',
    message: truncate(typeof redacted === 'string' ? redacted : String(redacted), MAX_ERROR_MESSAGE),
  };
}

function setMetadata(event: ModelEventInput, metadata: Record<string, unknown>): void {
  const keys = Object.keys(metadata);
  if (keys.length === 0) return;
  if (keys.length <= MAX_METADATA_KEYS && keys.every((k) => k.length <= MAX_METADATA_KEY)) {
    event.metadata = metadata;
    return;
  }
  const kept: Record<string, unknown> = {};
  let n = 0;
  for (const k of keys) {
    if (k.length > MAX_METADATA_KEY) continue;
    if (n === MAX_METADATA_KEYS - 1) {
      kept.metadata_truncated = true;
      break;
    }
    kept[k] = metadata[k];
    n++;
  }
  event.metadata = kept;
}

const truncate = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);
