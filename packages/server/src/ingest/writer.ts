import type { FastifyBaseLogger } from 'fastify';
import type { Bus } from '../bus/bus.ts';
import { parseSeq } from '../kernel/seq.ts';
import type { Storage } from '../storage/storage.ts';
import type { BusRecord } from '../kernel/event-record.ts';
import { pgSafeText, type QuarantineRepository } from '../storage/quarantine.ts';

/** What one writer loop reports (`/readyz`, `/metrics`; posted across the thread
 * boundary by compose/writer.ts, so plain data only). */
export interface WriterStats {
  batches: number;
  written: number;
  /** Attempts of a batch repeated because the database was away. */
  retries: number;
  /** Records that failed alone for a data reason and went to the quarantine. */
  quarantined: number;
  /** Records that could not even be quarantined (logged without params, then acked). */
  quarantineFailures: number;
  lastBatchSize: number;
  /** When this loop last committed a batch (epoch ms; null: not yet). */
  lastCommitAt: number | null;
  /** Since when the batch it is writing now has been in hand (epoch ms; null: idle). */
  busySince: number | null;
}

/**
 * What to do with a write that failed, decided here and nowhere else:
 *
 * - `'retry'` — the database is away or cannot run the statement right now, whatever
 *   the rows: connection errors (class 08; ECONNREFUSED/RESET, timeouts, a closed
 *   pool), insufficient resources (53), operator intervention and cancelled statements
 *   (57: shutdown, statement timeout), system/IO errors (58, XX), transaction
 *   rollbacks (40: serialisation failure, deadlock), locks not available (55), a
 *   read-only transaction (25: a standby after a failover), configuration (F0), and
 *   a statement the schema cannot run (42: a missing table or privilege is not the
 *   record's fault; splitting would quarantine every record). The same batch is tried
 *   again with backoff; `/readyz` reports the stall.
 * - `'split'` — the rows are at fault: every other SQLSTATE (22 data exceptions such as
 *   NUL in text or numeric overflow, 23 integrity violations such as a missing
 *   partition, …) and anything our own code threw without one (TypeError, RangeError,
 *   CanonicalJsonError from audit hashing, encryption or serialisation). The batch is
 *   bisected to isolate the record(s); one that fails alone is quarantined.
 */
export function classifyWriteError(e: unknown): 'retry' | 'split' {
  const code = sqlstate(e);
  if (code !== null) return /^(08|53|57|58|XX|40|55|25|F0|42)/.test(code) ? 'retry' : 'split';
  const sys = String((e as { code?: unknown } | null)?.code ?? '');
  if (/^(ECONN|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ENETDOWN|ESOCKET|ERR_SOCKET)/.test(sys)) return 'retry';
  const message = String((e as Error | null)?.message ?? e);
  if (
    /connection (terminated|ended|timeout|refused|reset|error)|timeout exceeded when trying to connect|cannot use a pool after calling end|client has encountered a connection error|pglite is closed|not queryable|socket (hang up|disconnected|closed)|terminating connection|database system is (starting|shutting) up|the database system is in recovery/i.test(
      message,
    )
  )
    return 'retry';
  return 'split';
}

/** PostgreSQL's SQLSTATE of an error, or null (thrown by our own code or the network). */
export function sqlstate(e: unknown): string | null {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

const errMessage = (e: unknown) => pgSafeText(String((e as Error | null)?.message ?? e)).slice(0, 500);

/** The fields a refused record's log line may carry: never `err.params` (the batch's
 * values), metadata or document ids. */
function refusedFields(r: BusRecord, e: unknown) {
  const event = (r.record as { event?: { id?: unknown; tenant_id?: unknown } } | undefined)?.event;
  const text = (v: unknown) => (typeof v === 'string' ? pgSafeText(v.slice(0, 100)) : null);
  return { seq: text(r.seq), event_id: text(event?.id), tenant: text(event?.tenant_id), sqlstate: sqlstate(e), message: errMessage(e) };
}

/**
 * EventWriterProcessor: bus → database. Reads the writer consumer group in batches,
 * writes each batch in one statement, and acks only after the commit, so a crash
 * between the two replays the batch (idempotent on event id) instead of losing it.
 *
 * A failed write is classified (`classifyWriteError`): while the database is away the
 * same batch is retried with capped exponential backoff and the bus holds everything
 * behind it; a batch that fails for a data reason is bisected, so one bad record in
 * 2000 costs about 2·log2(2000) ≈ 22 attempts, and the record that fails alone goes
 * to the quarantine (storage/quarantine.ts) — then the rest is written and the whole
 * batch acked. Nothing is acked that is neither stored nor quarantined, except a
 * record the quarantine itself refuses (counted, logged without params).
 */
export class EventWriter {
  readonly stats: WriterStats = {
    batches: 0,
    written: 0,
    retries: 0,
    quarantined: 0,
    quarantineFailures: 0,
    lastBatchSize: 0,
    lastCommitAt: null,
    busySince: null,
  };
  private running = false;
  private loopDone: Promise<void> | null = null;
  private committed = -1n;
  private waiters: { seq: bigint; resolve: () => void }[] = [];

  constructor(
    private readonly bus: Bus,
    private readonly storage: Storage,
    private readonly log: FastifyBaseLogger,
    private readonly consumer: string,
    private readonly links: {
      /** Where records that cannot be written go. */
      quarantine: Pick<QuarantineRepository, 'put'>;
      /** Hears each committed batch's size (metrics). */
      onBatch?: (size: number) => void;
      /** Hears each quarantined record (metrics). */
      onQuarantine?: () => void;
    },
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
        this.log.warn({ message: errMessage(e) }, 'writer: bus read failed; retrying');
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 5000);
        continue;
      }
      if (batch.length === 0) continue;
      // write() classifies every failure itself; this only keeps a bug from ending the loop.
      await this.write(batch).catch((e) =>
        this.log.error({ message: errMessage(e) }, 'writer: batch failed unexpectedly; it stays on the bus'),
      );
      backoff = 50;
    }
  }

  private async write(batch: BusRecord[]) {
    this.stats.busySince = Date.now();
    // Not stored while stopping: the unacked batch stays on the bus for the next start.
    if (!(await this.store(batch))) {
      this.stats.busySince = null;
      return;
    }
    await this.ackWithRetry(batch.map((r) => r.seq));
    this.stats.batches++;
    this.stats.lastBatchSize = batch.length;
    this.stats.lastCommitAt = Date.now();
    this.stats.busySince = null;
    this.links.onBatch?.(batch.length);
    let max = this.committed;
    for (const r of batch) {
      const s = parseSeq(r.seq);
      if (s !== null && s > max) max = s;
    }
    this.committed = max;
    if (this.waiters.length) {
      const still: typeof this.waiters = [];
      for (const w of this.waiters) w.seq <= max ? w.resolve() : still.push(w);
      this.waiters = still;
    }
  }

  /** Stores `records` (or quarantines the ones that fail alone); false when stopping
   * left some neither (the caller must not ack). */
  private async store(records: BusRecord[]): Promise<boolean> {
    let backoff = 50;
    for (;;) {
      try {
        this.stats.written += (await this.storage.insertRecords(records)).inserted;
        return true;
      } catch (e) {
        if (classifyWriteError(e) === 'split') {
          if (records.length === 1) return this.quarantine(records[0] as BusRecord, e);
          const mid = records.length >>> 1;
          return (await this.store(records.slice(0, mid))) && (await this.store(records.slice(mid)));
        }
        this.stats.retries++;
        this.log.warn(
          { sqlstate: sqlstate(e), message: errMessage(e), size: records.length, backoff },
          'writer: database unavailable; retrying the same batch',
        );
        if (!this.running) return false;
        await sleep(backoff + Math.random() * backoff);
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  /** A record that fails alone: into the quarantine, retried while the database is
   * away. True once it is there (or could not be put there even so: counted, logged). */
  private async quarantine(r: BusRecord, e: unknown): Promise<boolean> {
    const fields = refusedFields(r, e);
    this.log.error(fields, 'writer: record refused; quarantined');
    let backoff = 50;
    for (;;) {
      try {
        await this.links.quarantine.put(r, { sqlstate: fields.sqlstate, message: fields.message });
        this.stats.quarantined++;
        this.links.onQuarantine?.();
        return true;
      } catch (q) {
        // Final only when PostgreSQL refused even the escaped row as data: anything
        // else (no SQLSTATE) is not about a row of safe text, so it is waited out.
        if (classifyWriteError(q) === 'split' && sqlstate(q) !== null) {
          this.stats.quarantineFailures++;
          this.log.error({ ...refusedFields(r, q) }, 'writer: record refused and could not be quarantined; acked');
          return true;
        }
        this.stats.retries++;
        this.log.warn({ sqlstate: sqlstate(q), message: errMessage(q), backoff }, 'writer: quarantine unavailable; retrying');
        if (!this.running) return false;
        await sleep(backoff + Math.random() * backoff);
        backoff = Math.min(backoff * 2, 5000);
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
        this.log.warn({ message: errMessage(e) }, 'writer: ack failed; retrying');
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
  o: {
    consumerName: string;
    loops: number;
    quarantine: Pick<QuarantineRepository, 'put'>;
    onBatch: (size: number) => void;
    onQuarantine?: () => void;
  },
): EventWriter[] {
  return Array.from({ length: o.loops }, (_, i) => {
    const links = { quarantine: o.quarantine, onBatch: o.onBatch, onQuarantine: o.onQuarantine };
    return new EventWriter(bus, storage, log, o.loops === 1 ? o.consumerName : `${o.consumerName}-${i}`, links);
  });
}

/** Several loops' stats as one: sums, the newest commit, the oldest batch in hand. */
export function combineStats(all: readonly WriterStats[]): WriterStats {
  const out: WriterStats = {
    batches: 0,
    written: 0,
    retries: 0,
    quarantined: 0,
    quarantineFailures: 0,
    lastBatchSize: 0,
    lastCommitAt: null,
    busySince: null,
  };
  for (const s of all) {
    out.batches += s.batches;
    out.written += s.written;
    out.retries += s.retries;
    out.quarantined += s.quarantined;
    out.quarantineFailures += s.quarantineFailures;
    out.lastBatchSize = Math.max(out.lastBatchSize, s.lastBatchSize);
    if (s.lastCommitAt !== null && (out.lastCommitAt === null || s.lastCommitAt > out.lastCommitAt)) out.lastCommitAt = s.lastCommitAt;
    if (s.busySince !== null && (out.busySince === null || s.busySince < out.busySince)) out.busySince = s.busySince;
  }
  return out;
}

/**
 * Is this writer loop making progress? Stalled when it has held one batch for
 * `stallMs` or longer (the database away, or a batch it cannot get past): the records
 * in it and everything behind them wait. A reason, or null when fine.
 */
export function writerStall(s: WriterStats, now: number, stallMs: number): string | null {
  if (s.busySince === null || now - s.busySince < stallMs) return null;
  const last = s.lastCommitAt === null ? 'never committed' : `last commit ${Math.round((now - s.lastCommitAt) / 1000)} s ago`;
  return `the writer has held a batch for ${Math.round((now - s.busySince) / 1000)} s without committing it (${last}, ${s.retries} retries)`;
}
