import { promisify } from 'node:util';
import { gzip as gzipCallback, constants as zlibConstants } from 'node:zlib';
import { type IngestResponse, MAX_BATCH_EVENTS, type ModelEventInput } from '@frostbyte/contracts';
import { shrinkEvent } from '../event-builder.ts';
import { type EventExporter, type ExportResult, ExportResultCode } from './exporter.ts';

const gzip = promisify(gzipCallback);

export interface HttpExporterOptions {
  /** Base URL; batches go to `{endpoint}/v1/events`. */
  endpoint: string;
  apiKey?: string;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
  /** Attempts per batch before giving up (the batch is then spooled). Default 3. */
  maxAttempts?: number;
  /** Backoff: `min(max, base · 2^n)` with full jitter. Defaults 100 ms / 2 s. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Uncompressed body cap; larger batches are split. Default 8 MiB (server takes 10). */
  maxBodyBytes?: number;
  /** gzip level (1 = fastest; JSON compresses ~8× even so). Default 1. 0 = no compression. */
  gzipLevel?: number;
  /** Called once per distinct problem (bad key, schema rejections), not per batch. */
  warn?: (message: string) => void;
}

/**
 * `POST {endpoint}/v1/events` with `{"events":[...]}`, gzip, bearer key.
 * Retries network errors, 5xx, 408 and 429 with capped exponential backoff and full
 * jitter (honouring `Retry-After`); other 4xx are final. Uses Node's global `fetch`,
 * whose undici pool keeps connections alive between batches.
 */
export class HttpExporter implements EventExporter {
  readonly url: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #backoffBaseMs: number;
  readonly #backoffMaxMs: number;
  readonly #maxBodyBytes: number;
  readonly #gzipLevel: number;
  readonly #warn: (message: string) => void;
  readonly #warned = new Set<string>();
  readonly #inFlight = new Set<AbortController>();
  #stopped = false;

  constructor(options: HttpExporterOptions) {
    this.url = `${options.endpoint.replace(/\/+$/, '')}/v1/events`;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.#backoffBaseMs = options.backoffBaseMs ?? 100;
    this.#backoffMaxMs = options.backoffMaxMs ?? 2_000;
    this.#maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
    this.#gzipLevel = options.gzipLevel ?? zlibConstants.Z_BEST_SPEED;
    this.#warn = options.warn ?? ((m) => console.warn(`[fmo-telemetry] ${m}`));
    this.#headers = { 'content-type': 'application/json' };
    if (this.#gzipLevel > 0) this.#headers['content-encoding'] = 'gzip';
    if (options.apiKey) this.#headers.authorization = `Bearer ${options.apiKey}`;
  }

  async export(events: readonly ModelEventInput[]): Promise<ExportResult> {
    if (this.#stopped) return { code: ExportResultCode.FAILED, retryable: true, error: new Error('exporter is shut down') };
    const total: ExportResult = { code: ExportResultCode.SUCCESS, accepted: 0, duplicates: 0, rejected: 0 };
    for (const { body, count } of this.#bodies(events)) {
      const r = await this.#send(body, count);
      if (r.code !== ExportResultCode.SUCCESS) {
        // Chunks already sent are acknowledged; resending them with the rest is safe
        // because the server deduplicates on event id.
        return r;
      }
      total.accepted = (total.accepted ?? 0) + (r.accepted ?? 0);
      total.duplicates = (total.duplicates ?? 0) + (r.duplicates ?? 0);
      total.rejected = (total.rejected ?? 0) + (r.rejected ?? 0);
    }
    return total;
  }

  /** Serialises the batch once; only a batch over the size or count cap is packed event
   * by event into several bodies (the rare path, so the common one is one stringify). */
  *#bodies(events: readonly ModelEventInput[]): Generator<{ body: string; count: number }> {
    if (events.length <= MAX_BATCH_EVENTS) {
      const body = JSON.stringify({ events });
      if (body.length <= this.#maxBodyBytes) {
        yield { body, count: events.length };
        return;
      }
    }
    let parts: string[] = [];
    let bytes = 12;
    for (const event of events) {
      let json = JSON.stringify(event);
      if (json.length > this.#maxBodyBytes / 4) json = JSON.stringify(shrinkEvent(event, 64 * 1024));
      if (parts.length > 0 && (bytes + json.length + 1 > this.#maxBodyBytes || parts.length >= MAX_BATCH_EVENTS)) {
        yield { body: `{"events":[${parts.join(',')}]}`, count: parts.length };
        parts = [];
        bytes = 12;
      }
      parts.push(json);
      bytes += json.length + 1;
    }
    if (parts.length > 0) yield { body: `{"events":[${parts.join(',')}]}`, count: parts.length };
  }

  async #send(body: string, count: number): Promise<ExportResult> {
    const payload = this.#gzipLevel > 0 ? await gzip(body, { level: this.#gzipLevel }) : body;
    let lastError: Error = new Error('not sent');
    for (let attempt = 0; attempt < this.#maxAttempts; attempt++) {
      if (this.#stopped) break;
      let retryAfterMs: number | undefined;
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(new Error(`timed out after ${this.#timeoutMs} ms`)), this.#timeoutMs);
      this.#inFlight.add(abort);
      try {
        const res = await fetch(this.url, { method: 'POST', headers: this.#headers, body: payload, signal: abort.signal });
        const text = await res.text();
        if (res.ok) return this.#accepted(text, count);
        lastError = new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
        if (res.status !== 408 && res.status !== 429 && res.status < 500) {
          this.#warnOnce(
            `status-${res.status}`,
            `ingest refused a batch with HTTP ${res.status} (${text.slice(0, 200)}); such batches are not retried`,
          );
          return { code: ExportResultCode.FAILED, retryable: false, error: lastError };
        }
        retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      } catch (error) {
        lastError = error instanceof Error ? error : new Error(String(error));
      } finally {
        clearTimeout(timer);
        this.#inFlight.delete(abort);
      }
      if (attempt + 1 < this.#maxAttempts && !this.#stopped) {
        const cap = Math.min(this.#backoffMaxMs, this.#backoffBaseMs * 2 ** attempt);
        await sleep(Math.min(this.#backoffMaxMs, retryAfterMs ?? Math.random() * cap));
      }
    }
    return { code: ExportResultCode.FAILED, retryable: true, error: lastError };
  }

  #accepted(text: string, count: number): ExportResult {
    let reply: Partial<IngestResponse> = {};
    try {
      reply = JSON.parse(text) as Partial<IngestResponse>;
    } catch {
      // A 2xx without a body still means the batch was taken.
    }
    const rejected = Array.isArray(reply.rejected) ? reply.rejected : [];
    if (rejected.length > 0) {
      const first = rejected[0];
      this.#warnOnce(
        'rejected',
        `ingest rejected ${rejected.length} event(s); first: ${JSON.stringify(first?.errors ?? first).slice(0, 300)}`,
      );
    }
    const duplicates = typeof reply.duplicates === 'number' ? reply.duplicates : 0;
    // The server's `accepted` already counts the duplicates (ingest/ingest-events.ts).
    // A reply without counts (a 2xx from a proxy, say) means the whole chunk was taken.
    const accepted = typeof reply.accepted === 'number' ? reply.accepted : count - rejected.length;
    return {
      code: ExportResultCode.SUCCESS,
      accepted,
      duplicates,
      rejected: rejected.length,
    };
  }

  #warnOnce(key: string, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#warn(message);
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {
    this.#stopped = true;
    for (const abort of this.#inFlight) abort.abort(new Error('exporter shut down'));
  }
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
