import { assertMeta, getTelemetry, type ModelFn, NOOP_TELEMETRY, type ObserveOptions, setGlobalTelemetry, type Telemetry } from './api.ts';
import { type ResolvedConfig, resolveConfig, type TelemetryConfig } from './config.ts';
import { currentContext } from './context.ts';
import type { BuildEnv } from './event-builder.ts';
import type { EventExporter } from './export/exporter.ts';
import { HttpExporter } from './export/http-exporter.ts';
import { COMPLETED, checkMeta, FAILED, Invocation, type InvocationHandle, type ModelMeta, STARTED } from './invocation.ts';
import { EventProcessor, type TelemetryStats } from './processor.ts';
import { customRedaction, loadDefaultRedaction, type RedactionHook } from './redaction.ts';
import { TokenCounter } from './tokens.ts';

/**
 * The SDK: records each wrapped call as a `started` event and a `completed`/`failed`
 * event, and hands them to an `EventProcessor` for batching, export and spooling.
 *
 * On a caller's path it does only this: read the async context, allocate one
 * `Invocation`, read two clocks, push twice onto a ring buffer. Ids, ISO timestamps,
 * tokens, redaction and JSON happen in the export step. Telemetry errors are counted
 * (`stats().failures`) and swallowed; the model's own result or error always reaches
 * the caller unchanged.
 */
export class TelemetrySdk implements Telemetry {
  readonly enabled = true;
  readonly config: ResolvedConfig;
  readonly exporter: EventExporter;
  readonly #processor: EventProcessor;
  readonly #tokens: TokenCounter;
  readonly #redaction: Promise<RedactionHook>;
  readonly #checkedMeta = new WeakSet<ModelMeta>();
  #buildEnv: Promise<BuildEnv> | undefined;
  #exitHook: (() => void) | undefined;
  #shutdown: Promise<void> | undefined;

  constructor(config: TelemetryConfig = {}) {
    const c = resolveConfig(config);
    this.config = c;
    this.exporter = config.exporter ?? new HttpExporter({ endpoint: c.endpoint, apiKey: c.apiKey, warn: c.warn, ...(config.http ?? {}) });
    this.#tokens = new TokenCounter();
    // Start loading both now (start-up), not when the first batch is due.
    if (c.countTokens) void this.#tokens.load();
    this.#redaction =
      config.redactor !== undefined
        ? Promise.resolve(customRedaction(config.redactor))
        : loadDefaultRedaction(c.warn, config.serverRedactionRules === true ? { endpoint: c.endpoint, apiKey: c.apiKey } : undefined);
    const capture = config.capture;
    this.#processor = new EventProcessor({
      exporter: this.exporter,
      spoolDir: c.spoolDir,
      spoolMaxBytes: c.spoolMaxBytes,
      batchSize: c.batchSize,
      flushIntervalMs: c.flushIntervalMs,
      maxConcurrentExports: c.maxConcurrentExports,
      maxQueueSize: c.maxQueueSize,
      probeIntervalMs: c.probeIntervalMs,
      probeMaxIntervalMs: c.probeMaxIntervalMs,
      warn: c.warn,
      buildEnv: () =>
        (this.#buildEnv ??= (async () => ({
          redaction: await this.#redaction,
          tokens: this.#tokens,
          capture,
          countTokens: c.countTokens && (await this.#tokens.load().then(() => true)),
          onFailure: this.#processor.countFailure,
        }))()),
    });
    if (c.flushOnExit) {
      this.#exitHook = () => this.#processor.onBeforeExit();
      process.on('beforeExit', this.#exitHook);
    }
  }

  wrapModel<A extends unknown[], R>(model: ModelFn<A, R>, meta: ModelMeta): (...args: A) => Promise<R> {
    const m = assertMeta(meta);
    const sdk = this;
    return function wrappedModel(this: unknown, ...args: A): Promise<R> {
      return sdk.invoke(model, this, args, m);
    };
  }

  async invoke<A extends unknown[], R>(model: ModelFn<A, R>, thisArg: unknown, args: A, meta: ModelMeta): Promise<R> {
    const invocation = this.#begin(meta, args, undefined);
    let result: R;
    try {
      result = await model.apply(thisArg, args);
    } catch (error) {
      if (invocation !== undefined) this.#end(invocation, FAILED, undefined, error);
      throw error;
    }
    if (invocation !== undefined) this.#end(invocation, COMPLETED, result, undefined);
    return result;
  }

  async observe<R>(meta: ModelMeta, fn: (invocation: InvocationHandle) => R | PromiseLike<R>, options?: ObserveOptions): Promise<R> {
    const invocation = this.#metaOk(meta) ? this.#begin(meta, undefined, options?.capture) : undefined;
    if (invocation !== undefined && options !== undefined && 'input' in options) invocation.setInput(options.input);
    let result: R;
    try {
      result = await fn(invocation ?? DETACHED_HANDLE);
    } catch (error) {
      if (invocation !== undefined) this.#end(invocation, FAILED, undefined, error);
      throw error;
    }
    if (invocation !== undefined) this.#end(invocation, COMPLETED, result, undefined);
    return result;
  }

  flush(): Promise<void> {
    return this.#processor.flush();
  }

  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      if (this.#exitHook !== undefined) process.off('beforeExit', this.#exitHook);
      await this.#processor.shutdown();
    })();
    return this.#shutdown;
  }

  stats(): TelemetryStats {
    return this.#processor.stats();
  }

  #begin(meta: ModelMeta, args: readonly unknown[] | undefined, capture: ObserveOptions['capture']): Invocation | undefined {
    try {
      const invocation = new Invocation(meta, currentContext(), args, capture);
      this.#processor.enqueue(invocation, STARTED);
      return invocation;
    } catch (error) {
      this.#processor.countFailure(error);
      return undefined;
    }
  }

  #end(invocation: Invocation, kind: typeof COMPLETED | typeof FAILED, result: unknown, error: unknown): void {
    try {
      invocation.end();
      invocation.result = result;
      invocation.error = error;
      this.#processor.enqueue(invocation, kind);
    } catch (e) {
      this.#processor.countFailure(e);
    }
  }

  /** `observe()` takes meta per call, so a bad one is reported once and the call runs
   * unrecorded — never a throw into the caller. */
  #metaOk(meta: ModelMeta): boolean {
    if (this.#checkedMeta.has(meta)) return true;
    const problem = checkMeta(meta);
    if (problem !== undefined) {
      this.#processor.countFailure(new TypeError(problem));
      this.config.warn(`observe(): ${problem}; this call is not recorded`);
      return false;
    }
    this.#checkedMeta.add(meta);
    return true;
  }
}

const DETACHED_HANDLE: InvocationHandle = {
  invocation_id: '00000000-0000-0000-0000-000000000000',
  setInput() {},
  setUsage() {},
  setRationale() {},
  setConfidence() {},
  setMetadata() {},
};

/**
 * Creates the SDK from `config` (+ `FMO_*` environment) and registers it globally, so
 * every `wrapModel()`/`observe()` starts recording. A previously registered SDK is shut
 * down. With `FMO_TELEMETRY=0` (or `enabled: false`) the no-op stays registered.
 */
export function initTelemetry(config: TelemetryConfig = {}): Telemetry {
  const resolved = resolveConfig(config);
  const telemetry = resolved.enabled ? new TelemetrySdk(config) : NOOP_TELEMETRY;
  const previous = setGlobalTelemetry(telemetry);
  if (previous !== telemetry) void previous.shutdown();
  return telemetry;
}

/** Shuts the global telemetry down and puts the no-op back. */
export async function shutdownTelemetry(): Promise<void> {
  const current = setGlobalTelemetry(NOOP_TELEMETRY);
  await current.shutdown();
}

/**
 * Flushes telemetry on SIGINT/SIGTERM (within `timeoutMs`), then lets the signal do
 * what it would have done: if no other listener handles it, it is re-raised so the
 * process exits with the usual signal status. Returns an uninstall function.
 */
export function installShutdownHooks(options: { signals?: NodeJS.Signals[]; timeoutMs?: number } = {}): () => void {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const timeoutMs = options.timeoutMs ?? 5_000;
  const handlers = new Map<NodeJS.Signals, () => void>();
  const uninstall = () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    handlers.clear();
  };
  for (const signal of signals) {
    const handler = () => {
      uninstall();
      const done = () => {
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      };
      const timer = setTimeout(done, timeoutMs);
      getTelemetry()
        .shutdown()
        .catch(() => undefined)
        .finally(() => {
          clearTimeout(timer);
          done();
        });
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  return uninstall;
}
