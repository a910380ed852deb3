import type { CaptureOptions, TelemetryContext } from './context.ts';
import { newEventId } from './ids.ts';

/** What a wrapped model is. Checked once, when the model is wrapped. */
export interface ModelMeta {
  model_name: string;
  model_version: string;
  stage: string;
  operation: string;
  /** Per-model capture switch (e.g. `{ input: false }` for a model that sees raw PII). */
  capture?: CaptureOptions;
  /** Static metadata copied into every event of this model. */
  metadata?: Readonly<Record<string, unknown>>;
}

/** Token usage as a model reports it. */
export interface ModelUsage {
  /** Every prompt token, cached reads and cache writes included. */
  input_tokens?: number;
  /** Every generated token, reasoning included. */
  output_tokens?: number;
  /** Parts of the totals, priced apart by the registry (contracts TOKEN_DETAILS). */
  cached_input_tokens?: number;
  cache_write_tokens?: number;
  reasoning_tokens?: number;
  pages?: number;
}

/**
 * The richer result shape a model may return. When a wrapped model returns an object
 * whose keys are all among these (and include `output`), the SDK reads usage,
 * rationale and confidence from it; the caller still receives the object unchanged.
 */
export interface ModelResult<O = unknown> {
  output: O;
  usage?: ModelUsage;
  rationale?: string;
  confidence?: number;
  metadata?: Record<string, unknown>;
}

/** What `observe()` hands to the observed function, to annotate the invocation. */
export interface InvocationHandle {
  /** UUIDv7 shared by the `started` and the final event; generated on first read. */
  readonly invocation_id: string;
  setInput(input: unknown): void;
  setUsage(usage: ModelUsage): void;
  setRationale(rationale: string): void;
  setConfidence(confidence: number): void;
  setMetadata(key: string, value: unknown): void;
}

/** Event kinds as queued; the wire status is derived from them. */
export const STARTED = 0;
export const COMPLETED = 1;
export const FAILED = 2;
export type EventKind = typeof STARTED | typeof COMPLETED | typeof FAILED;

const SLUG = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$/;
const SLUG_LIMITS = { model_name: 128, model_version: 64, stage: 64, operation: 64 } as const;

/** The reason `meta` would be rejected by the ingest schema, or undefined if it is fine. */
export function checkMeta(meta: ModelMeta): string | undefined {
  if (meta === null || typeof meta !== 'object') return 'meta must be an object';
  for (const [key, max] of Object.entries(SLUG_LIMITS)) {
    const value = (meta as unknown as Record<string, unknown>)[key];
    if (typeof value !== 'string' || value.length === 0 || value.length > max || !SLUG.test(value)) {
      return `meta.${key} must be a slug (letters, digits, . _ : / @ + -) of 1..${max} characters, got ${JSON.stringify(value)}`;
    }
  }
  return undefined;
}

/**
 * One model call, from start to end. Both queued events point at the same record, so
 * the hot path allocates one object and does no formatting: ids, ISO timestamps,
 * token counts, redaction and JSON all happen later, in the export step.
 *
 * Invariant: fields read by the `started` event (`meta`, `context`, `startWall`) are
 * never written after construction, so building it after the call ended is safe.
 */
export class Invocation implements InvocationHandle {
  #id: string | undefined = undefined;
  /** `Date.now()` at start. Wall clock for timestamps; durations use `performance.now()`. */
  readonly startWall: number;
  readonly startMono: number;
  durationMs = 0;
  result: unknown = undefined;
  error: unknown = undefined;
  input: unknown;
  hasInput: boolean;
  usage: ModelUsage | undefined = undefined;
  rationale: string | undefined = undefined;
  confidence: number | undefined = undefined;
  extra: Record<string, unknown> | undefined = undefined;

  constructor(
    readonly meta: ModelMeta,
    readonly context: TelemetryContext | undefined,
    /** The call's arguments (or `observe()`'s `input`), referenced, not copied. */
    args: readonly unknown[] | undefined,
    readonly callCapture: CaptureOptions | undefined,
  ) {
    this.startWall = Date.now();
    this.startMono = performance.now();
    this.hasInput = args !== undefined && args.length > 0;
    this.input = args === undefined ? undefined : args.length === 1 ? args[0] : args;
  }

  get invocation_id(): string {
    if (this.#id === undefined) this.#id = newEventId();
    return this.#id;
  }

  end(): void {
    this.durationMs = performance.now() - this.startMono;
  }

  setInput(input: unknown): void {
    this.input = input;
    this.hasInput = true;
  }
  setUsage(usage: ModelUsage): void {
    this.usage = usage;
  }
  setRationale(rationale: string): void {
    this.rationale = rationale;
  }
  setConfidence(confidence: number): void {
    this.confidence = confidence;
  }
  setMetadata(key: string, value: unknown): void {
    (this.extra ??= {})[key] = value;
  }
}

const RESULT_KEYS = new Set(['output', 'usage', 'rationale', 'confidence', 'metadata']);

/** True when `value` has the `{ output, usage?, rationale?, confidence? }` shape. */
export function isModelResult(value: unknown): value is ModelResult {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  if (!Object.hasOwn(value, 'output')) return false;
  for (const key of Object.keys(value)) if (!RESULT_KEYS.has(key)) return false;
  return true;
}
