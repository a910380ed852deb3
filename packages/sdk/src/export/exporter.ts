import type { ModelEventInput } from '@frostbyte/contracts';

/**
 * Where batches of model events go. Three methods, as OpenTelemetry JS's
 * `SpanExporter`. `export` must be safe to call concurrently: under load the SDK keeps
 * up to `maxConcurrentExports` full batches in flight (and a spool replay beside them).
 *
 * @example
 * class ConsoleExporter implements EventExporter {
 *   async export(events) { console.log(events); return { code: ExportResultCode.SUCCESS, accepted: events.length }; }
 *   async forceFlush() {}
 *   async shutdown() {}
 * }
 */
export interface EventExporter {
  /** Delivers `events`; resolves (never rejects) with what happened to them. */
  export(events: readonly ModelEventInput[]): Promise<ExportResult>;
  /** Finishes anything the exporter itself buffers. */
  forceFlush(): Promise<void>;
  /** Releases connections; later exports fail with `retryable: true`. */
  shutdown(): Promise<void>;
}

export const ExportResultCode = { SUCCESS: 0, FAILED: 1 } as const;
export type ExportResultCode = (typeof ExportResultCode)[keyof typeof ExportResultCode];

export interface ExportResult {
  code: ExportResultCode;
  /** For FAILED: true when trying again later may succeed (network, 5xx, 429, 408) —
   * the batch is spooled; false when the server refused it (other 4xx) — it is counted
   * as rejected and dropped. */
  retryable?: boolean;
  /** Events the server took, first time or again (as the server counts them: duplicates included). */
  accepted?: number;
  duplicates?: number;
  /** Events the server refused individually (schema errors). */
  rejected?: number;
  error?: Error;
}
