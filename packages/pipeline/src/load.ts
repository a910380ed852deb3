import { getTelemetry, type Telemetry } from '@frostbyte/telemetry';
import { generateDocument } from './corpus/generate.ts';
import { DefaultModels, type ModelResolver } from './registry-client.ts';
import { type DocumentResult, newRunId, processDocument } from './run.ts';

/**
 * The load generator: `concurrency` workers run the real stage code (parse, embed,
 * policy — the output stage is off unless asked for) on generated documents until the
 * duration is up. Each worker has exactly one model call in flight at a time, so
 * `concurrency` is the number of concurrent in-flight model operations; the gauge
 * (`peak_in_flight`, `mean_in_flight`) measures it rather than assuming it.
 *
 * Every generated document id starts with `load-<run>`, so the events one run stored
 * can be counted on the server afterwards (`countStoredEvents`) and compared with the
 * invocations made: stored must equal invocations × 2 (a `started` and a final event).
 */

export interface LoadOptions {
  concurrency: number;
  durationMs: number;
  tenant: string;
  /** Corpus seed. Default 1. */
  seed?: number;
  /** Simulated inference latency per stage call (the stages' `delay_ms`). Default 25 ms. */
  latencyMs?: number;
  /** Also store results (JSONL) — off by default: it measures the disk, not the pipeline. */
  store?: boolean;
  telemetry?: Telemetry;
  models?: ModelResolver;
  pipelineRunId?: string;
  signal?: AbortSignal;
  /** Called about every `progressEveryMs` (default 1 s) while running. */
  onProgress?: (progress: LoadProgress) => void;
  progressEveryMs?: number;
}

export interface LoadProgress {
  elapsed_ms: number;
  /** `running` until the duration is up, then `draining` while started documents finish. */
  phase: 'running' | 'draining';
  documents: number;
  failed: number;
  /** Model calls started so far (each ends as completed or failed). */
  invocations: number;
  in_flight: number;
  peak_in_flight: number;
}

export interface LoadResult {
  pipeline_run_id: string;
  tenant: string;
  /** Prefix of every document id of this run (`document_prefix` filter on the server). */
  document_prefix: string;
  concurrency: number;
  /** Whole run: the load phase plus the drain of documents still in the pipeline. */
  duration_ms: number;
  /** Time new documents were started (the requested duration). */
  load_ms: number;
  /** Time the documents in flight at the deadline took to finish. */
  drain_ms: number;
  documents: number;
  ok: number;
  failed: number;
  failures_by_type: Record<string, number>;
  invocations: number;
  /** invocations × 2. */
  events_expected: number;
  peak_in_flight: number;
  /** Time-weighted mean of the in-flight gauge. */
  mean_in_flight: number;
  documents_per_s: number;
  invocations_per_s: number;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const pipelineRunId = o.pipelineRunId ?? newRunId();
  const documentPrefix = `load-${pipelineRunId.replace(/-/g, '').slice(-10)}`;
  const latency = o.latencyMs ?? 25;
  const models = o.models ?? new DefaultModels({ delay_ms: { parse: latency, embed: latency, policy: latency, output: latency } });
  const telemetry = o.telemetry ?? getTelemetry();
  const seed = o.seed ?? 1;

  let inFlight = 0;
  let started_calls = 0;
  let peak = 0;
  let area = 0; // ∫ inFlight dt, for the mean
  let lastChange = performance.now();
  const onInFlight = (delta: 1 | -1) => {
    const now = performance.now();
    area += inFlight * (now - lastChange);
    lastChange = now;
    inFlight += delta;
    if (delta === 1) started_calls++;
    if (inFlight > peak) peak = inFlight;
  };

  let nextIndex = 0;
  let documents = 0;
  let ok = 0;
  let invocations = 0;
  const failuresByType: Record<string, number> = {};
  const started = performance.now();
  const deadline = started + o.durationMs;
  const record = (r: DocumentResult) => {
    documents++;
    invocations += r.invocations;
    if (r.status === 'ok') ok++;
    else {
      const key = `${r.failed_stage}:${r.error?.type}`;
      failuresByType[key] = (failuresByType[key] ?? 0) + 1;
    }
  };

  const progress = (): LoadProgress => ({
    elapsed_ms: performance.now() - started,
    phase: performance.now() < deadline ? 'running' : 'draining',
    documents,
    failed: documents - ok,
    invocations: started_calls,
    in_flight: inFlight,
    peak_in_flight: peak,
  });
  const ticker = o.onProgress ? setInterval(() => o.onProgress?.(progress()), o.progressEveryMs ?? 1000) : undefined;

  const worker = async () => {
    while (performance.now() < deadline && !o.signal?.aborted) {
      const doc = generateDocument(nextIndex++, { seed, id_prefix: documentPrefix });
      record(
        await processDocument(doc, {
          tenant: o.tenant,
          pipelineRunId,
          models,
          telemetry,
          store: o.store === true,
          ...(o.signal ? { signal: o.signal } : {}),
          onInFlight,
        }),
      );
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.floor(o.concurrency)) }, worker));
  } finally {
    if (ticker) clearInterval(ticker);
  }
  onInFlight(1); // close the integral at the end…
  inFlight--; // …without counting a call
  started_calls--;
  const duration = performance.now() - started;
  const loadMs = Math.min(duration, o.durationMs);
  return {
    pipeline_run_id: pipelineRunId,
    tenant: o.tenant,
    document_prefix: documentPrefix,
    concurrency: o.concurrency,
    duration_ms: duration,
    load_ms: loadMs,
    drain_ms: duration - loadMs,
    documents,
    ok,
    failed: documents - ok,
    failures_by_type: failuresByType,
    invocations,
    events_expected: invocations * 2,
    peak_in_flight: peak,
    mean_in_flight: duration > 0 ? area / duration : 0,
    documents_per_s: documents / (duration / 1000),
    invocations_per_s: invocations / (duration / 1000),
  };
}

export interface StoredCount {
  /** Distinct event ids stored. */
  stored: number;
  /** Rows returned (a stored duplicate would make this larger than `stored`). */
  rows: number;
  by_status: Record<string, number>;
  /** Rows whose pipeline_run_id is not the run's (must be 0). */
  foreign: number;
}

export interface CountOptions {
  endpoint: string;
  apiKey?: string | undefined;
  tenant: string;
  documentPrefix: string;
  pipelineRunId?: string;
}

/**
 * Counts the events the server stored for one run, by paging `GET /v1/events`
 * (`document_prefix` + `tenant_id`, keyset cursor) and counting distinct ids.
 */
export async function countStoredEvents(o: CountOptions): Promise<StoredCount> {
  const ids = new Set<string>();
  const byStatus: Record<string, number> = {};
  let rows = 0;
  let foreign = 0;
  let cursor: string | null = null;
  const base = o.endpoint.replace(/\/+$/, '');
  do {
    const q = new URLSearchParams({ tenant_id: o.tenant, document_prefix: o.documentPrefix, limit: '1000' });
    if (cursor) q.set('cursor', cursor);
    const res = await fetch(`${base}/v1/events?${q}`, {
      headers: { accept: 'application/json', ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}) },
    });
    if (!res.ok) throw new Error(`GET /v1/events answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    const page = (await res.json()) as {
      events: { id: string; status: string; pipeline_run_id: string | null }[];
      next_cursor: string | null;
    };
    for (const e of page.events) {
      rows++;
      if (ids.has(e.id)) continue;
      ids.add(e.id);
      byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
      if (o.pipelineRunId !== undefined && e.pipeline_run_id !== o.pipelineRunId) foreign++;
    }
    cursor = page.next_cursor;
  } while (cursor);
  return { stored: ids.size, rows, by_status: byStatus, foreign };
}

/**
 * Waits until the server has stored `expected` events for the run (the writer moves
 * them from the bus to the database asynchronously), or until `timeoutMs` passes
 * with no progress. Returns the last count.
 */
export async function awaitStoredEvents(
  o: CountOptions & { expected: number; timeoutMs?: number; everyMs?: number },
): Promise<StoredCount> {
  const idleLimit = o.timeoutMs ?? 30_000;
  let last = await countStoredEvents(o);
  let lastProgress = Date.now();
  while (last.stored < o.expected && Date.now() - lastProgress < idleLimit) {
    await new Promise((r) => setTimeout(r, o.everyMs ?? 500));
    const now = await countStoredEvents(o);
    if (now.stored > last.stored) lastProgress = Date.now();
    last = now;
  }
  return last;
}

/** Flushes until nothing is queued or spooled (or `timeoutMs` passes); true when drained. */
export async function drainTelemetry(telemetry: Telemetry, timeoutMs = 60_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    await telemetry.flush();
    const s = telemetry.stats();
    if (s.queued === 0 && s.spool_bytes === 0 && s.mode === 'live') return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
}
