import type { Alert, ModelEvent, SseFrame } from '@frostbyte/contracts';
import { type QueryValue, withAccessToken } from './api-client.ts';
import { compareSeq, maxSeq } from './seq.ts';

/**
 * Live model events over Server-Sent Events, shaped for a React view:
 *
 * 1. `StreamBuffer` (pure, no timers, no DOM) takes frames as they arrive, drops any
 *    event it has already seen (by event id, across reconnects and resumes) and
 *    remembers the highest stream position (`lastEventId`).
 * 2. `SseClient` owns the browser `EventSource`: it resumes with `Last-Event-ID`
 *    (the browser sends the header itself on automatic reconnect; when we recreate
 *    the source for a filter change or a manual retry we pass `lastEventId` in the
 *    query), reports the connection state, and hands the buffer's contents to
 *    listeners at most once per `flushMs` (250–500 ms), so the view renders in
 *    batches instead of once per event.
 *
 * Invariant: an event reaches listeners at most once per client, and a resume
 * point never moves backwards, so a reconnect shows neither duplicates nor a hole
 * (a hole the server cannot fill arrives as an explicit `gap` frame).
 */

export type GapFrame = Extract<SseFrame, { type: 'gap' }>;

export interface StreamBatch {
  /** In arrival order; each id appears once across the client's lifetime. */
  events: ModelEvent[];
  alerts: Alert[];
  gaps: GapFrame[];
}

/** A set that forgets its oldest entries, so dedup memory stays bounded on a
 * stream that runs for days. 200k ids ≈ a few minutes at 1k events/s — far longer
 * than any reconnect overlap. */
export class BoundedIdSet {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity = 200_000) {}
  has(id: string): boolean {
    return this.ids.has(id);
  }
  /** Returns false when the id was already present. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return true;
  }
  get size(): number {
    return this.ids.size;
  }
}

export interface BufferStats {
  accepted: number;
  duplicates: number;
  malformed: number;
}

export class StreamBuffer {
  private readonly seen: BoundedIdSet;
  private pending: StreamBatch = { events: [], alerts: [], gaps: [] };
  private count = 0;
  lastEventId: string | null = null;
  readonly stats: BufferStats = { accepted: 0, duplicates: 0, malformed: 0 };

  constructor(opts: { lastEventId?: string | null; dedupCapacity?: number } = {}) {
    this.seen = new BoundedIdSet(opts.dedupCapacity);
    this.lastEventId = opts.lastEventId ?? null;
  }

  /** One SSE message: its `event:` name, `data:` text and `id:` (may be empty).
   * Returns whether it added something for listeners. */
  accept(type: string, data: string, id?: string | null): boolean {
    let frame: SseFrame;
    try {
      frame = JSON.parse(data) as SseFrame;
    } catch {
      this.stats.malformed++;
      return false;
    }
    if (id) this.lastEventId = maxSeq(this.lastEventId, id);
    switch (type === 'message' ? frame.type : type) {
      case 'model_event': {
        const event = (frame as Extract<SseFrame, { type: 'model_event' }>).event;
        if (!event || typeof event.id !== 'string') {
          this.stats.malformed++;
          return false;
        }
        if (event.seq) this.lastEventId = maxSeq(this.lastEventId, event.seq);
        if (!this.seen.add(event.id)) {
          this.stats.duplicates++;
          return false;
        }
        this.stats.accepted++;
        this.pending.events.push(event);
        break;
      }
      case 'alert':
        this.pending.alerts.push((frame as Extract<SseFrame, { type: 'alert' }>).alert);
        break;
      case 'gap':
        this.pending.gaps.push(frame as GapFrame);
        break;
      case 'ready':
        return false; // its id (the stream position) is all it carries
      case 'end':
        return false; // the connection's business, handled by SseClient
      default:
        this.stats.malformed++;
        return false;
    }
    this.count++;
    return true;
  }

  /** Marks events fetched from history as seen, so the live stream does not repeat them. */
  markSeen(events: readonly ModelEvent[]): void {
    for (const e of events) this.seen.add(e.id);
  }

  get hasPending(): boolean {
    return this.count > 0;
  }

  drain(): StreamBatch | null {
    if (this.count === 0) return null;
    const out = this.pending;
    this.pending = { events: [], alerts: [], gaps: [] };
    this.count = 0;
    return out;
  }
}

export type ConnectionStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface ConnectionState {
  status: ConnectionStatus;
  /** Why the stream is down, from the server when it said so. */
  error: { status: number; message: string } | null;
  lastEventId: string | null;
  /** When an automatic retry is scheduled after the browser gave up (ms epoch). */
  retryAt: number | null;
}

/** The subset of the WHATWG EventSource this client uses; tests pass a fake. */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((ev: Event) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
  addEventListener(type: string, listener: (ev: MessageEvent) => void): void;
  close(): void;
}
export type EventSourceFactory = (url: string) => EventSourceLike;

export type StreamQuery = Record<string, QueryValue>;

export interface SseClientOptions {
  path?: string;
  flushMs?: number;
  createEventSource?: EventSourceFactory;
  /** Asks the server why the stream was refused (EventSource hides the status). */
  probe?: (url: string) => Promise<{ status: number; message: string } | null>;
  /** Backoff after the browser stops retrying on its own (HTTP error, not a drop). */
  retryDelaysMs?: readonly number[];
  /** The browser retries a dropped stream forever; after this long without success
   * we call it offline (it keeps retrying). */
  offlineAfterMs?: number;
}

const CLOSED = 2;
const CONNECTING = 0;

export async function probeStream(url: string): Promise<{ status: number; message: string } | null> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), 5000);
  try {
    const res = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: ctrl.signal });
    if (res.ok) return null;
    let message = `${res.status} ${res.statusText}`.trim();
    try {
      const body = (await res.json()) as { message?: string };
      if (body.message) message = body.message;
    } catch {
      /* not JSON */
    }
    return { status: res.status, message };
  } catch {
    return { status: 0, message: 'The observatory server could not be reached.' };
  } finally {
    clearTimeout(timer);
    ctrl.abort(); // never keep a second stream open
  }
}

export class SseClient {
  private readonly path: string;
  private readonly flushMs: number;
  private readonly createEventSource: EventSourceFactory;
  private readonly probe: NonNullable<SseClientOptions['probe']>;
  private readonly retryDelaysMs: readonly number[];
  private buffer = new StreamBuffer();
  private source: EventSourceLike | null = null;
  private query: StreamQuery = {};
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private offlineTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly offlineAfterMs: number;
  private failures = 0;
  private generation = 0;
  private state: ConnectionState = { status: 'idle', error: null, lastEventId: null, retryAt: null };
  private readonly batchListeners = new Set<(b: StreamBatch) => void>();
  private readonly stateListeners = new Set<() => void>();

  constructor(opts: SseClientOptions = {}) {
    this.path = opts.path ?? '/telemetry/stream';
    this.flushMs = Math.min(500, Math.max(250, opts.flushMs ?? 300));
    this.createEventSource = opts.createEventSource ?? ((url) => new EventSource(url) as unknown as EventSourceLike);
    this.probe = opts.probe ?? probeStream;
    this.retryDelaysMs = opts.retryDelaysMs ?? [1000, 2000, 5000, 10_000, 30_000];
    this.offlineAfterMs = opts.offlineAfterMs ?? 8_000;
  }

  subscribe(listener: (b: StreamBatch) => void): () => void {
    this.batchListeners.add(listener);
    return () => this.batchListeners.delete(listener);
  }
  subscribeState = (listener: () => void): (() => void) => {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  };
  getState = (): ConnectionState => this.state;
  get stats(): BufferStats {
    return this.buffer.stats;
  }
  get lastEventId(): string | null {
    return this.buffer.lastEventId;
  }
  currentQuery(): StreamQuery {
    return this.query;
  }

  /** Opens (or re-opens with new filters) the stream, resuming after the last event seen. */
  open(query: StreamQuery): void {
    const same = queryKey(query) === queryKey(this.query);
    this.query = query;
    // Re-rendering views call open() freely; only a real change recreates the source.
    if (same && this.source && this.state.status !== 'offline' && this.state.status !== 'idle') return;
    if (!same) {
      // Events buffered for the old filters must not land in the new view; alerts still do.
      const stale = this.buffer.drain();
      if (stale?.alerts.length) for (const l of this.batchListeners) l({ events: [], alerts: stale.alerts, gaps: [] });
    }
    this.connect();
  }

  /** Manual retry: a new EventSource resuming from `lastEventId`. */
  retry(): void {
    this.failures = 0;
    this.connect();
  }

  /** Events from a history fetch: remembered so the stream never repeats them. */
  markSeen(events: readonly ModelEvent[]): void {
    this.buffer.markSeen(events);
  }

  close(): void {
    this.generation++;
    this.source?.close();
    this.source = null;
    this.clearTimers();
    this.flush();
    this.setState({ status: 'idle', retryAt: null });
  }

  private connect(): void {
    const gen = ++this.generation;
    this.source?.close();
    this.clearOfflineTimer();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const url = withAccessToken(this.path, { ...this.query, lastEventId: this.buffer.lastEventId });
    const es = this.createEventSource(url);
    this.source = es;
    this.setState({ status: 'connecting', retryAt: null });
    es.onopen = () => {
      if (gen !== this.generation) return;
      this.failures = 0;
      this.clearOfflineTimer();
      this.setState({ status: 'live', error: null, retryAt: null });
    };
    es.onerror = () => {
      if (gen !== this.generation) return;
      if (es.readyState === CONNECTING) {
        // The browser retries by itself and sends Last-Event-ID: keep what we show.
        if (this.state.status !== 'offline') this.setState({ status: 'reconnecting' });
        if (!this.offlineTimer)
          this.offlineTimer = setTimeout(() => {
            this.offlineTimer = null;
            if (gen === this.generation && this.state.status === 'reconnecting')
              this.setState({ status: 'offline', error: { status: 0, message: 'no connection to the server; still retrying' } });
          }, this.offlineAfterMs);
        return;
      }
      if (es.readyState === CLOSED) void this.onClosed(gen, url);
    };
    const onFrame = (ev: MessageEvent) => {
      if (gen !== this.generation) return;
      if (this.buffer.accept(ev.type, String(ev.data), ev.lastEventId)) this.scheduleFlush();
      if (this.state.status !== 'live') {
        this.clearOfflineTimer();
        this.setState({ status: 'live', error: null, retryAt: null });
      }
    };
    es.addEventListener('model_event', onFrame);
    es.addEventListener('alert', onFrame);
    es.addEventListener('gap', onFrame);
    es.addEventListener('ready', onFrame);
    es.addEventListener('message', onFrame);
    // The server ended the stream because the credential no longer covers it: a
    // reconnect would only be refused, so stop here and say why.
    es.addEventListener('end', (ev: MessageEvent) => {
      if (gen !== this.generation) return;
      let reason = 'The live stream was ended by the server.';
      try {
        const frame = JSON.parse(String(ev.data)) as Extract<SseFrame, { type: 'end' }>;
        if (typeof frame.reason === 'string' && frame.reason) reason = frame.reason;
      } catch {
        /* keep the generic reason */
      }
      this.generation++;
      es.close();
      this.source = null;
      this.clearTimers();
      this.flush();
      this.setState({ status: 'offline', error: { status: 401, message: reason }, retryAt: null });
    });
  }

  private async onClosed(gen: number, url: string): Promise<void> {
    this.source?.close();
    const delay = this.retryDelaysMs[Math.min(this.failures, this.retryDelaysMs.length - 1)] ?? 30_000;
    this.failures++;
    this.setState({ status: 'offline', retryAt: Date.now() + delay });
    const error = await this.probe(url);
    if (gen !== this.generation) return;
    this.setState({ error: error ?? { status: 0, message: 'The live stream closed.' } });
    // Auth and filter errors do not fix themselves: wait for the user.
    if (error && (error.status === 400 || error.status === 401 || error.status === 403)) {
      this.setState({ retryAt: null });
      return;
    }
    this.retryTimer = setTimeout(() => {
      if (gen === this.generation) this.connect();
    }, delay);
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flush();
    }, this.flushMs);
  }

  /** Hands everything buffered to listeners now (also used by tests). */
  flush(): void {
    const batch = this.buffer.drain();
    if (this.state.lastEventId !== this.buffer.lastEventId) this.setState({ lastEventId: this.buffer.lastEventId });
    if (!batch) return;
    for (const l of this.batchListeners) l(batch);
  }

  private clearOfflineTimer(): void {
    if (this.offlineTimer) clearTimeout(this.offlineTimer);
    this.offlineTimer = null;
  }

  private clearTimers(): void {
    this.clearOfflineTimer();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.flushTimer = null;
    this.retryTimer = null;
  }

  private setState(patch: Partial<ConnectionState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.stateListeners) l();
  }
}

function queryKey(q: StreamQuery): string {
  return Object.entries(q)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('&');
}

/** Newest first by server order; used by views that merge history with live frames. */
export const byNewestSeq = (a: ModelEvent, b: ModelEvent): number => compareSeq(b.seq, a.seq);
