import { MAX_BATCH_EVENTS, type ModelEventInput } from '@frostbyte/contracts';
import { type BuildEnv, buildEvent } from './event-builder.ts';
import { type EventExporter, type ExportResult, ExportResultCode } from './export/exporter.ts';
import { Spool } from './export/spool.ts';
import type { EventKind, Invocation } from './invocation.ts';
import { EventQueue, type QueuedEvent } from './queue.ts';

export interface ProcessorOptions {
  exporter: EventExporter;
  /** Where to spool when the exporter fails; undefined = no spool (failed batches are dropped and counted). */
  spoolDir: string | undefined;
  spoolMaxBytes: number;
  batchSize: number;
  flushIntervalMs: number;
  /** Full batches exported at once in `live` mode (partial batches and the spool: one). */
  maxConcurrentExports: number;
  maxQueueSize: number;
  probeIntervalMs: number;
  probeMaxIntervalMs: number;
  /** Resolves once the redactor and token counter are ready. */
  buildEnv: () => Promise<BuildEnv>;
  warn: (message: string) => void;
}

/** Counters; all monotonic except `queued` and `spool_bytes`. */
export interface TelemetryStats {
  /** Events produced by wrapped calls (including any later dropped). */
  emitted: number;
  /** Events the server acknowledged on first delivery (accepted or duplicate). */
  exported: number;
  /** Events lost for good: queue full with no spool, spool full, unbuildable. */
  dropped: number;
  /** Events the server refused (4xx or per-item schema errors); not retried. */
  rejected: number;
  /** Events written to the spool. */
  spooled: number;
  /** Spooled events the server acknowledged on replay. */
  replayed: number;
  /** Internal errors swallowed (redactor threw, exporter threw, spool I/O failed, …). */
  failures: number;
  /** Events waiting in memory. */
  queued: number;
  /** Unacknowledged bytes in the spool. */
  spool_bytes: number;
  /** `live`: batches go to the exporter; `spool`: to disk until the backlog is replayed. */
  mode: 'live' | 'spool';
}

type Counters = Omit<TelemetryStats, 'queued' | 'spool_bytes' | 'mode'>;

/**
 * Moves events from the in-memory queue to the exporter, in batches of at most
 * `batchSize`, at most `flushIntervalMs` after the first one waits.
 *
 * Delivery has two modes. `live`: batches go to the exporter. When a batch fails with a
 * retryable error (or the queue passes its high-water mark), the processor switches to
 * `spool`: that batch and every later one are appended to the spool, and a background
 * probe replays the spool, oldest first, with backoff. Only when the spool is empty does
 * it switch back to `live` — so events reach the server in the order they were emitted,
 * and none is acknowledged-then-lost.
 */
export class EventProcessor {
  readonly queue: EventQueue;
  readonly #o: ProcessorOptions;
  readonly #counters: Counters = { emitted: 0, exported: 0, dropped: 0, rejected: 0, spooled: 0, replayed: 0, failures: 0 };
  readonly #highWater: number;
  readonly #spool: Promise<Spool | undefined>;
  #spoolNow: Spool | undefined;
  #mode: 'live' | 'spool' = 'live';
  #timer: NodeJS.Timeout | undefined;
  #armed = false;
  #immediate = false;
  #pumping: Promise<void> | undefined;
  #spilling: Promise<void> | undefined;
  #replaying: Promise<void> | undefined;
  #probeTimer: NodeJS.Timeout | undefined;
  #probeDelay: number;
  #pendingSpoolWrites = 0;
  #closed = false;

  constructor(options: ProcessorOptions) {
    this.#o = options;
    this.queue = new EventQueue(options.maxQueueSize);
    this.#highWater = Math.max(options.batchSize, Math.floor((options.maxQueueSize * 3) / 4));
    this.#probeDelay = options.probeIntervalMs;
    this.#spool = this.#openSpool();
  }

  /** Hot path: O(1), allocation-free, never throws. */
  enqueue(invocation: Invocation, kind: EventKind): void {
    this.#counters.emitted++;
    if (this.#closed || !this.queue.push(invocation, kind)) {
      this.#counters.dropped++;
      return;
    }
    const size = this.queue.size;
    if (this.#pumping !== undefined) {
      if (size >= this.#highWater && this.#spilling === undefined && this.#spoolNow !== undefined) this.#startSpill();
      return; // the running pump picks it up
    }
    if (size >= this.#o.batchSize) {
      if (!this.#immediate) {
        this.#immediate = true;
        setImmediate(this.#onTimer);
      }
    } else if (!this.#armed) {
      this.#armed = true;
      if (this.#timer === undefined) {
        this.#timer = setTimeout(this.#onTimer, this.#o.flushIntervalMs);
        this.#timer.unref();
      } else {
        this.#timer.refresh(); // re-arms the same Timeout object: no allocation per window
      }
    }
  }

  stats(): TelemetryStats {
    return {
      ...this.#counters,
      queued: this.queue.size,
      spool_bytes: this.#spoolNow?.pendingBytes ?? 0,
      mode: this.#mode,
    };
  }

  countFailure = (_error?: unknown): void => {
    this.#counters.failures++;
  };

  /**
   * Delivers (or spools) everything queued so far, then makes one replay pass over the
   * spool. Resolves when done or after `timeoutMs`; never rejects.
   */
  async flush(timeoutMs = 30_000): Promise<void> {
    const work = (async () => {
      await this.#pump();
      await this.#pumpingDone();
      if (this.#mode === 'spool' || this.#spoolNow?.isEmpty === false) await this.#replay();
      await this.#o.exporter.forceFlush().catch(this.countFailure);
    })();
    await withTimeout(work, timeoutMs);
  }

  /** Flushes (bounded by `timeoutMs`), spools what could not be sent, then stops. */
  async shutdown(timeoutMs = 5_000): Promise<void> {
    if (this.#closed) return;
    const deadline = Date.now() + timeoutMs;
    await this.flush(timeoutMs);
    this.#closed = true;
    this.#clearTimers();
    await this.#o.exporter.shutdown().catch(this.countFailure);
    // Whatever is still in memory (a slow server ate the budget) goes to disk. Local
    // work — a batch still being built (the redactor and tokenizer load at start-up,
    // slow on a busy machine), the spool write — gets a grace beyond the budget, so a
    // short script's last events are spooled, not dropped.
    this.#mode = 'spool';
    const grace = () => Math.max(SHUTDOWN_GRACE_MS, deadline - Date.now());
    await withTimeout(this.#pumpingDone(), grace());
    await withTimeout(this.#pump(), grace());
    const spool = this.#spoolNow;
    if (spool !== undefined) await spool.close().catch(this.countFailure);
  }

  /** Drains the queue on `beforeExit`; does not retry the spool (that would keep the loop alive). */
  onBeforeExit(): void {
    if (!this.#closed && this.queue.size > 0) void this.#pump();
  }

  readonly #onTimer = (): void => {
    this.#armed = false;
    this.#immediate = false;
    void this.#pump();
  };

  #pump(): Promise<void> {
    if (this.#pumping !== undefined) return this.#pumping;
    if (this.queue.size === 0) return Promise.resolve();
    this.#pumping = (async () => {
      try {
        // Leftovers from an earlier run go first: wait until the spool is open and the
        // mode reflects them before sending anything live.
        await this.#spool;
        const inFlight = new Set<Promise<void>>();
        while (this.queue.size > 0 || inFlight.size > 0) {
          // Another batch goes out beside those in flight only when it is full and the
          // server is up; a partial one waits for a slot to free, so it can still fill.
          while (
            this.queue.size > 0 &&
            (inFlight.size === 0 ||
              (this.#mode === 'live' && inFlight.size < this.#o.maxConcurrentExports && this.queue.size >= this.#o.batchSize))
          ) {
            const delivery: Promise<void> = this.#deliver(this.queue.drain(this.#chunk()))
              .catch(this.countFailure)
              .finally(() => inFlight.delete(delivery));
            inFlight.add(delivery);
          }
          await Promise.race(inFlight);
        }
      } catch (error) {
        this.countFailure(error);
      } finally {
        this.#pumping = undefined;
      }
    })();
    return this.#pumping;
  }

  async #pumpingDone(): Promise<void> {
    while (this.#pumping !== undefined || this.#spilling !== undefined) await Promise.all([this.#pumping, this.#spilling]);
  }

  async #deliver(items: QueuedEvent[]): Promise<void> {
    const events = await this.#build(items);
    if (events.length === 0) return;
    if (this.#mode === 'spool') {
      await this.#toSpool(events);
      return;
    }
    const result = await this.#export(events);
    if (result.code === ExportResultCode.SUCCESS) {
      this.#account(result, events.length, 'exported');
    } else if (result.retryable) {
      this.#enterSpoolMode(this.#o.probeIntervalMs);
      await this.#toSpool(events);
    } else {
      this.#counters.rejected += events.length;
    }
  }

  async #build(items: QueuedEvent[]): Promise<ModelEventInput[]> {
    const env = await this.#o.buildEnv();
    const events: ModelEventInput[] = [];
    let sliceStart = performance.now();
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as QueuedEvent;
      // Token counting and redaction can be slow; give the event loop (the callers'
      // model calls) a turn every few milliseconds of export work.
      if ((i & 63) === 63 && performance.now() - sliceStart > BUILD_SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
      try {
        events.push(buildEvent(item, env));
      } catch (error) {
        this.countFailure(error);
        this.#counters.dropped++;
      }
    }
    return events;
  }

  async #export(events: readonly ModelEventInput[]): Promise<ExportResult> {
    try {
      return await this.#o.exporter.export(events);
    } catch (error) {
      // An exporter should resolve with FAILED, but one that throws must not lose the batch.
      this.countFailure(error);
      return { code: ExportResultCode.FAILED, retryable: true, error: error as Error };
    }
  }

  #account(result: ExportResult, sent: number, counter: 'exported' | 'replayed'): void {
    const rejected = result.rejected ?? 0;
    this.#counters.rejected += rejected;
    this.#counters[counter] += result.accepted ?? sent - rejected;
  }

  async #toSpool(events: ModelEventInput[]): Promise<void> {
    this.#pendingSpoolWrites++;
    try {
      const spool = await this.#spool;
      let written = false;
      if (spool !== undefined) {
        try {
          written = await spool.append(events);
          if (!written && spool.closed)
            this.#warnOnce(
              'spool-closed',
              `shut down before ${events.length} events could be sent or spooled: they are lost (give shutdown more time)`,
            );
          else if (!written)
            this.#warnOnce('spool-full', `spool at ${spool.dir} is full (${this.#o.spoolMaxBytes} bytes); dropping batches`);
        } catch (error) {
          this.countFailure(error);
          this.#warnOnce('spool-io', `spool write failed: ${String(error)}`);
        }
      }
      if (written) this.#counters.spooled += events.length;
      else this.#counters.dropped += events.length;
    } finally {
      this.#pendingSpoolWrites--;
    }
    if (this.#mode === 'live') this.#scheduleProbe(0); // written after the replayer went live: pick it up
  }

  #enterSpoolMode(probeDelay: number): void {
    if (this.#mode === 'spool') return;
    this.#mode = 'spool';
    this.#probeDelay = this.#o.probeIntervalMs;
    this.#scheduleProbe(probeDelay);
  }

  /**
   * Queue past its high-water mark while an export is in flight: move the oldest batches
   * to disk so memory stays bounded, instead of dropping. Unlike an outage this does not
   * switch to `spool` mode: the exporter still works, so new events keep going live and
   * the spilled backlog is replayed when the queue has room. (Sticking to `spool` mode
   * here would route everything through disk while the process is CPU-bound — more work
   * exactly when there is least to spare.) The price: spilled events may reach the server
   * after newer ones; the server orders by timestamp.
   */
  #startSpill(): void {
    this.#spilling = (async () => {
      try {
        await this.#spool;
        // Build the next chunk while the previous one is being fsynced (the spool
        // serialises the writes, so order holds); at most two chunks in flight.
        const writes: Promise<void>[] = [];
        while (this.queue.size >= this.#o.batchSize) {
          const events = await this.#build(this.queue.drain(SPOOL_CHUNK));
          writes.push(this.#toSpool(events));
          if (writes.length >= 2) await writes.shift();
          else await new Promise((resolve) => setImmediate(resolve));
        }
        await Promise.all(writes);
      } catch (error) {
        this.countFailure(error);
      } finally {
        this.#spilling = undefined;
      }
    })();
  }

  /** Live batches stay at `batchSize`; writes to disk take everything waiting (up to one
   * server batch), so one fsync covers as many events as possible. */
  #chunk(): number {
    return this.#mode === 'spool' ? Math.max(this.#o.batchSize, SPOOL_CHUNK) : this.#o.batchSize;
  }

  #scheduleProbe(delayMs: number): void {
    if (this.#closed || this.#probeTimer !== undefined || this.#replaying !== undefined) return;
    this.#probeTimer = setTimeout(() => {
      this.#probeTimer = undefined;
      void this.#replay();
    }, delayMs);
    this.#probeTimer.unref();
  }

  /** Replays the spool oldest-first until it is empty (→ `live`) or a send fails (→ probe later). */
  #replay(): Promise<void> {
    if (this.#replaying !== undefined) return this.#replaying;
    this.#replaying = (async () => {
      let failed = false;
      try {
        const spool = await this.#spool;
        if (spool === undefined) {
          this.#mode = 'live';
          return;
        }
        for (;;) {
          const entry = await spool.next();
          if (entry === undefined) {
            if (this.#pendingSpoolWrites > 0) {
              await new Promise((resolve) => setImmediate(resolve));
              continue;
            }
            this.#mode = 'live';
            this.#probeDelay = this.#o.probeIntervalMs;
            return;
          }
          // A spilled backlog (live mode) yields to live traffic.
          while (this.#mode === 'live' && !this.#closed && this.queue.size >= this.#highWater / 2) {
            await new Promise((resolve) => setTimeout(resolve, this.#o.flushIntervalMs));
          }
          const result = await this.#export(entry.events);
          if (result.code === ExportResultCode.SUCCESS) {
            this.#account(result, entry.events.length, 'replayed');
          } else if (result.retryable) {
            failed = true;
            this.#mode = 'spool';
            return;
          } else {
            this.#counters.rejected += entry.events.length; // refused for good: do not block the spool on it
          }
          await spool.commit(entry);
        }
      } catch (error) {
        this.countFailure(error);
        failed = true;
      } finally {
        this.#replaying = undefined;
        if (failed && !this.#closed) {
          // Capped exponential backoff with jitter between probes.
          const delay = this.#probeDelay * (0.5 + Math.random() / 2);
          this.#probeDelay = Math.min(this.#o.probeMaxIntervalMs, this.#probeDelay * 2);
          this.#scheduleProbe(delay);
        }
      }
    })();
    return this.#replaying;
  }

  async #openSpool(): Promise<Spool | undefined> {
    if (this.#o.spoolDir === undefined) return undefined;
    try {
      const spool = await Spool.open(this.#o.spoolDir, { maxBytes: this.#o.spoolMaxBytes, warn: this.#o.warn });
      this.#spoolNow = spool;
      if (!spool.isEmpty) this.#enterSpoolMode(0); // a previous run left batches: replay them first
      return spool;
    } catch (error) {
      this.countFailure(error);
      this.#o.warn(`spool directory ${this.#o.spoolDir} is unusable (${String(error)}); batches that cannot be sent will be dropped`);
      return undefined;
    }
  }

  readonly #warned = new Set<string>();
  #warnOnce(key: string, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#o.warn(message);
  }

  #clearTimers(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#probeTimer !== undefined) clearTimeout(this.#probeTimer);
    this.#probeTimer = undefined;
    this.#armed = true; // nothing re-arms after close
  }
}

/** Longest stretch of event building before yielding to the event loop. */
const BUILD_SLICE_MS = 4;
/** Past the shutdown budget, how long local work (build, spool write) may still run. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Events per spool line when writing to disk in bulk (the server's batch limit). */
const SPOOL_CHUNK = MAX_BATCH_EVENTS;

async function withTimeout(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}
