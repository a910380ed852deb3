import type { CaptureOptions } from './context.ts';
import { checkMeta, type InvocationHandle, type ModelMeta } from './invocation.ts';
import type { TelemetryStats } from './processor.ts';

/** A model function: any sync or async function. */
export type ModelFn<A extends unknown[], R> = (...args: A) => R | PromiseLike<R>;

export interface ObserveOptions {
  /** The input to record (and count tokens of) for this call. */
  input?: unknown;
  /** Per-call capture switch; can only narrow the model's and the context's. */
  capture?: CaptureOptions;
}

/**
 * The telemetry API. Instrumented code depends on this only; until `initTelemetry()`
 * registers the SDK, `getTelemetry()` returns a no-op that just calls the model — the
 * OpenTelemetry API/SDK split, so libraries can be instrumented without a backend.
 */
export interface Telemetry {
  readonly enabled: boolean;
  /** Returns a function that calls `model` and records one invocation per call. */
  wrapModel<A extends unknown[], R>(model: ModelFn<A, R>, meta: ModelMeta): (...args: A) => Promise<R>;
  /** Runs `fn` as one model invocation; `fn` can annotate it through the handle. */
  observe<R>(meta: ModelMeta, fn: (invocation: InvocationHandle) => R | PromiseLike<R>, options?: ObserveOptions): Promise<R>;
  /** The primitive under `wrapModel`: one call of `model` with `thisArg` and `args`. */
  invoke<A extends unknown[], R>(model: ModelFn<A, R>, thisArg: unknown, args: A, meta: ModelMeta): Promise<R>;
  /** Sends (or spools) everything recorded so far and makes one spool replay pass. */
  flush(): Promise<void>;
  /** Flushes within a deadline, spools the rest, releases the spool and stops. */
  shutdown(): Promise<void>;
  stats(): TelemetryStats;
}

const NIL_ID = '00000000-0000-0000-0000-000000000000';
const NOOP_HANDLE: InvocationHandle = {
  invocation_id: NIL_ID,
  setInput() {},
  setUsage() {},
  setRationale() {},
  setConfidence() {},
  setMetadata() {},
};

/** Calls the model and records nothing. */
export class NoopTelemetry implements Telemetry {
  readonly enabled = false;
  wrapModel<A extends unknown[], R>(model: ModelFn<A, R>, meta: ModelMeta): (...args: A) => Promise<R> {
    assertMeta(meta);
    return async function noopWrapped(this: unknown, ...args: A): Promise<R> {
      return model.apply(this, args);
    };
  }
  async observe<R>(_meta: ModelMeta, fn: (invocation: InvocationHandle) => R | PromiseLike<R>): Promise<R> {
    return fn(NOOP_HANDLE);
  }
  async invoke<A extends unknown[], R>(model: ModelFn<A, R>, thisArg: unknown, args: A): Promise<R> {
    return model.apply(thisArg, args);
  }
  async flush(): Promise<void> {}
  async shutdown(): Promise<void> {}
  stats(): TelemetryStats {
    return {
      emitted: 0,
      exported: 0,
      dropped: 0,
      rejected: 0,
      spooled: 0,
      replayed: 0,
      failures: 0,
      queued: 0,
      spool_bytes: 0,
      mode: 'live',
    };
  }
}

export const NOOP_TELEMETRY: Telemetry = new NoopTelemetry();

// The registered instance lives on globalThis so two copies of this package (a
// duplicated node_modules) still share one registration.
const SLOT_KEY = Symbol.for('frostbyte.telemetry.global');
const g = globalThis as { [SLOT_KEY]?: { telemetry: Telemetry } };
const slot = (g[SLOT_KEY] ??= { telemetry: NOOP_TELEMETRY });

/** The registered telemetry, or the no-op before `initTelemetry()`. */
export const getTelemetry = (): Telemetry => slot.telemetry;

/** Registers `telemetry` globally and returns the one it replaced. */
export function setGlobalTelemetry(telemetry: Telemetry): Telemetry {
  const previous = slot.telemetry;
  slot.telemetry = telemetry;
  return previous;
}

/**
 * Wraps `model` against the *global* telemetry, looked up on each call — so modules
 * can wrap at import time, before `initTelemetry()` runs. Throws a TypeError here,
 * at wrap time, if `meta` would be rejected by the ingest schema.
 *
 * @example
 * export const parse = wrapModel(parseDocument, {
 *   model_name: 'frostbyte-docparse', model_version: '1.0.0', stage: 'parse', operation: 'parse',
 * });
 */
export function wrapModel<A extends unknown[], R>(model: ModelFn<A, R>, meta: ModelMeta): (...args: A) => Promise<R> {
  const m = assertMeta(meta);
  return function wrappedModel(this: unknown, ...args: A): Promise<R> {
    return slot.telemetry.invoke(model, this, args, m);
  };
}

/** Runs `fn` as one invocation of the model described by `meta`, on the global telemetry. */
export function observe<R>(
  meta: ModelMeta,
  fn: (invocation: InvocationHandle) => R | PromiseLike<R>,
  options?: ObserveOptions,
): Promise<R> {
  return slot.telemetry.observe(meta, fn, options);
}

/** Validates and copies `meta` (a later mutation by the caller must not change events). */
export function assertMeta(meta: ModelMeta): ModelMeta {
  const problem = checkMeta(meta);
  if (problem !== undefined) throw new TypeError(`@frostbyte/telemetry: ${problem}`);
  return Object.freeze({ ...meta });
}
