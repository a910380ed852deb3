import type { CaptureOptions } from './context.ts';
import type { EventExporter } from './export/exporter.ts';
import type { Redactor } from './redaction.ts';

/** Everything configurable in code. Unset fields fall back to the environment, then to defaults. */
export interface TelemetryConfig {
  /** `FMO_TELEMETRY=0` disables telemetry whatever this says (an operator's kill switch). */
  enabled?: boolean;
  /** Ingest base URL. Env `FMO_ENDPOINT`, default `http://localhost:8000`. */
  endpoint?: string;
  /** Bearer key for ingest. Env `FMO_API_KEY`. */
  apiKey?: string;
  /** Spool directory, or `false` for none. Env `FMO_SPOOL_DIR`, default `./.fmo-spool`. */
  spoolDir?: string | false;
  /** Cap on unacknowledged spool bytes. Default 1 GiB. */
  spoolMaxBytes?: number;
  /** Replaces the HTTP exporter (e.g. `MemoryExporter` in tests). */
  exporter?: EventExporter;
  /** Replaces the default redactor (`@frostbyte/redact`'s `redactValue`). */
  redactor?: Redactor;
  /** Apply the tenant's own recognizers and allow-list terms, read from the server's
   * `GET /v1/redaction/config` with `apiKey` (at start-up, then every 60 s). Default false. */
  serverRedactionRules?: boolean;
  /** Global capture switch; models and calls can only narrow it. */
  capture?: CaptureOptions;
  /** Count tokens with tiktoken when a model reports no usage. Default true. */
  countTokens?: boolean;
  /** Events per batch. Default 500. */
  batchSize?: number;
  /** Longest wait before a partial batch is sent. Default 25 ms. */
  flushIntervalMs?: number;
  /**
   * Full batches in flight at once while the server is up. Default 4. One at a time caps a
   * process at `batchSize / round trip` events/s (500 / 40 ms = 12.5k/s); partial batches
   * still go one at a time, so a quiet process sends as few requests as before.
   */
  maxConcurrentExports?: number;
  /** In-memory queue bound. Default 100,000 events. */
  maxQueueSize?: number;
  /** First and longest delay between spool replay probes. Defaults 500 ms / 15 s. */
  probeIntervalMs?: number;
  probeMaxIntervalMs?: number;
  /** HTTP exporter tuning (ignored with a custom exporter). */
  http?: { timeoutMs?: number; maxAttempts?: number; backoffBaseMs?: number; backoffMaxMs?: number; gzipLevel?: number };
  /** Flush on the process's `beforeExit`. Default true. */
  flushOnExit?: boolean;
  /** Where warnings go (once per distinct problem). Default `console.warn`. */
  warn?: (message: string) => void;
  /** Environment to read instead of `process.env` (tests). */
  env?: Record<string, string | undefined>;
}

export interface ResolvedConfig {
  enabled: boolean;
  endpoint: string;
  apiKey: string | undefined;
  spoolDir: string | undefined;
  spoolMaxBytes: number;
  batchSize: number;
  flushIntervalMs: number;
  maxConcurrentExports: number;
  maxQueueSize: number;
  probeIntervalMs: number;
  probeMaxIntervalMs: number;
  countTokens: boolean;
  flushOnExit: boolean;
  warn: (message: string) => void;
}

export function resolveConfig(config: TelemetryConfig): ResolvedConfig {
  const env = config.env ?? process.env;
  const killSwitch = env.FMO_TELEMETRY !== undefined && ['0', 'false', 'off', 'no'].includes(env.FMO_TELEMETRY.toLowerCase());
  const spoolDir = config.spoolDir === false ? undefined : (config.spoolDir ?? (env.FMO_SPOOL_DIR || './.fmo-spool'));
  return {
    enabled: !killSwitch && config.enabled !== false,
    endpoint: config.endpoint ?? (env.FMO_ENDPOINT || 'http://localhost:8000'),
    apiKey: config.apiKey ?? (env.FMO_API_KEY || undefined),
    spoolDir,
    spoolMaxBytes: positive(config.spoolMaxBytes, 1024 ** 3),
    batchSize: positive(config.batchSize, 500),
    flushIntervalMs: positive(config.flushIntervalMs, 25),
    maxConcurrentExports: Math.floor(positive(config.maxConcurrentExports, 4)),
    maxQueueSize: positive(config.maxQueueSize, 100_000),
    probeIntervalMs: positive(config.probeIntervalMs, 500),
    probeMaxIntervalMs: positive(config.probeMaxIntervalMs, 15_000),
    countTokens: config.countTokens !== false,
    flushOnExit: config.flushOnExit !== false,
    warn: config.warn ?? ((message) => console.warn(`[fmo-telemetry] ${message}`)),
  };
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}
