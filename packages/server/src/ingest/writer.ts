import type { FastifyBaseLogger } from 'fastify';
import type { Bus } from '../bus/bus.ts';
import { parseSeq } from '../kernel/seq.ts';
import type { Storage } from '../storage/storage.ts';
import type { BusRecord } from '../kernel/event-record.ts';

export interface WriterStats {
  batches: number;
  written: number;
  retries: number;
  deadLetters: number;
  lastBatchSize: number;
}

/** PostgreSQL error classes that mean "this row is bad", not "the database is away":
 * data exceptions (22) and integrity violations (23). */
const isDataError = (e: unknown) => /^2[23]/.test(String((e as { code?: string }).code ?? ''));

/**
 * EventWriterProcessor: bus → database. Reads the writer consumer group in batches,
 * writes each batch in one statement, and acks only after the commit, so a crash
 * between the two replays the batch (idempotent on event id) instead of losing it.
 * While the database is down it retries the same batch with capped exponential
 * backoff and the bus holds everything behind it.
 */
export class EventWriter {
  readonly stats: WriterStats = { batches: 0, written: 0, retries: 0, deadLetters: 0, lastBatchSize: 0 };
  private running = false;
  private loopDone: Promise<void> | null = null;
  private committed = -1n;
  private waiters: { seq: bigint; resolve: () => void }[] = [];

  constructor(
    private readonly bus: Bus,
    private readonly storage: Storage,
    private readonly log: FastifyBaseLogger,
    private readonly consumer: string,
    /** Hears each committed batch's size (metrics). */
    private readonly onBatch: ((size: number) => void) | null = null,
    private readonly batchSize = 2000,
  ) {}

  start() {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  async stop() {
    this.running = false;
    await this.loopDone;
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  /** Resolves once everything up to `seq` is committed (used when the bus is not durable). */
  waitCommitted(seq: string): Promise<void> {
    const s = parseSeq(seq) as bigint;
    if (s <= this.committed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ seq: s, resolve }));
  }

  private async loop() {
    let backoff = 50;
    while (this.running) {
      let batch: BusRecord[];
      try {
        batch = await this.bus.readGroup(this.consumer, this.batchSize, 200);
      } catch (e) {
        this.log.warn({ err: e }, 'writer: bus read failed; retrying');
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 5000);
        continue;
      }
      if (batch.length === 0) continue;
      await this.write(batch);
      backoff = 50;
    }
  }

  private async write(batch: BusRecord[]) {
    let backoff = 50;
    for (;;) {
      try {
        const { inserted } = await this.storage.insertRecords(batch);
        this.stats.written += inserted;
        break;
      } catch (e) {
        if (isDataError(e)) {
          await this.writeOneByOne(batch);
          break;
        }
        this.stats.retries++;
        this.log.warn({ err: e, size: batch.length, backoff }, 'writer: database write failed; retrying the same batch');
        // Not while stopping: the unacked batch stays on the bus for the next start.
        if (!this.running) return;
        await sleep(backoff + Math.random() * backoff);
        backoff = Math.min(backoff * 2, 5000);
      }
    }
    await this.ackWithRetry(batch.map((r) => r.seq));
    this.stats.batches++;
    this.stats.lastBatchSize = batch.length;
    this.onBatch?.(batch.length);
    let max = this.committed;
    for (const r of batch) {
      const s = parseSeq(r.seq) as bigint;
      if (s > max) max = s;
    }
    this.committed = max;
    if (this.waiters.length) {
      const still: typeof this.waiters = [];
      for (const w of this.waiters) (w.seq <= max ? w.resolve() : still.push(w));
      this.waiters = still;
    }
  }

  /** A batch the database refuses as data: isolate the bad rows so the rest land. */
  private async writeOneByOne(batch: BusRecord[]) {
    for (const r of batch) {
      try {
        this.stats.written += (await this.storage.insertRecords([r])).inserted;
      } catch (e) {
        if (!isDataError(e)) throw e;
        this.stats.deadLetters++;
        this.log.error({ err: e, seq: r.seq, event_id: r.record.event.id }, 'writer: record refused by the database');
      }
    }
  }

  private async ackWithRetry(seqs: string[]) {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.bus.ack(seqs);
        return;
      } catch (e) {
        // Not acking only means a replay later, which the database ignores.
        if (attempt > 20 || !this.running) return;
        this.log.warn({ err: e }, 'writer: ack failed; retrying');
        await sleep(Math.min(50 * 2 ** attempt, 2000));
      }
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `loops` writers sharing the bus's consumer group, each its own consumer: `name`
 * alone for one loop, `<name>-<i>` for several (the names a restart reuses, so a new
 * process or thread reads its predecessor's unacked entries first). */
export function writerLoops(
  bus: Bus,
  storage: Storage,
  log: FastifyBaseLogger,
  o: { consumerName: string; loops: number; onBatch: (size: number) => void },
): EventWriter[] {
  return Array.from({ length: o.loops }, (_, i) => {
    return new EventWriter(bus, storage, log, o.loops === 1 ? o.consumerName : `${o.consumerName}-${i}`, o.onBatch);
  });
}
