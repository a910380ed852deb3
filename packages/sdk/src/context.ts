import { AsyncLocalStorage } from 'node:async_hooks';

/** Which parts of a call's payload may leave the process. Every level (global config,
 * model, context, call) can only turn capture *off*: a model marked sensitive stays
 * uncaptured whatever a caller's context says. */
export interface CaptureOptions {
  input?: boolean;
  output?: boolean;
}

/** Who and what a model call belongs to. Flows through awaits, timers and
 * `Promise.all` via `AsyncLocalStorage`, so stages deep in the pipeline need not
 * thread ids through their signatures. */
export interface TelemetryContext {
  tenant_id?: string;
  pipeline_run_id?: string;
  document_id?: string;
  /** Free attributes; copied into each event's `metadata`. */
  attributes?: Readonly<Record<string, unknown>>;
  /** Per-call capture switch for everything run inside this context. */
  capture?: CaptureOptions;
}

// One store per process, even if this module is loaded twice (two copies of the
// package in node_modules would otherwise split the context, as OTel guards against).
const STORAGE_KEY = Symbol.for('frostbyte.telemetry.context');
const g = globalThis as { [STORAGE_KEY]?: AsyncLocalStorage<TelemetryContext> };
const storage: AsyncLocalStorage<TelemetryContext> = (g[STORAGE_KEY] ??= new AsyncLocalStorage<TelemetryContext>());

/** The context of the current async execution, if any. */
export const currentContext = (): TelemetryContext | undefined => storage.getStore();

/**
 * Runs `fn` with `context` merged over the current one (inner values win; attributes
 * are merged key by key; capture switches accumulate, so an outer "off" stays off).
 *
 * @example
 * await withContext({ tenant_id: 'acme', document_id: 'doc-1' }, () => parse(doc));
 */
export function withContext<R>(context: TelemetryContext, fn: () => R): R {
  const parent = storage.getStore();
  return storage.run(parent === undefined ? { ...context } : mergeContext(parent, context), fn);
}

function mergeContext(parent: TelemetryContext, child: TelemetryContext): TelemetryContext {
  const merged: TelemetryContext = { ...parent, ...child };
  if (parent.attributes !== undefined && child.attributes !== undefined) {
    merged.attributes = { ...parent.attributes, ...child.attributes };
  }
  if (parent.capture !== undefined && child.capture !== undefined) {
    merged.capture = {
      input: parent.capture.input !== false && child.capture.input !== false,
      output: parent.capture.output !== false && child.capture.output !== false,
    };
  }
  return merged;
}
