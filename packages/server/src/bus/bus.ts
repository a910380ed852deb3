import type { ModelEvent } from '@frostbyte/contracts';
import { HttpError } from '../kernel/errors.ts';
import type { BusRecord, EventRecord } from '../kernel/event-record.ts';

/**
 * The live buffer between ingest and everything downstream. Two consumers read it:
 * the DB writer through a consumer group (each record written once, acked after the
 * commit) and the SSE fan-out through a plain tail (every process sees everything).
 * The tail and `range` see events only: a record's sealed trace goes to the writer
 * and nowhere else (and the live side does not pay for decoding it).
 *
 *   const seqs = await bus.append([record]);              // durable when `durable`
 *   const stop = bus.tail(null, (events) => fanout(events)); // live, from now
 *   const batch = await bus.readGroup('writer-1', 1000, 100);
 *   await storage.insertRecords(batch); await bus.ack(batch.map((r) => r.seq));
 */
export interface Bus {
  readonly kind: 'memory' | 'redis';
  /** Whether an appended record survives this process dying. When false, ingest
   * acknowledges only after the writer has committed the record to the database. */
  readonly durable: boolean;
  /** Appends in order and returns each record's stream position. */
  append(records: readonly EventRecord[]): Promise<string[]>;
  /** Calls `onEvents` with every event after `after` (null: from now), in order, until stopped. */
  tail(after: string | null, onEvents: (events: ModelEvent[]) => void): () => void;
  /** Events after `after`, oldest first, from what the bus still holds. */
  range(after: string, limit: number): Promise<ModelEvent[]>;
  /** The oldest position still held, or null when empty. */
  oldestSeq(): Promise<string | null>;
  /** The newest position given out (held or already trimmed), or null when none was. */
  newestSeq(): Promise<string | null>;
  /** Next records for this consumer of the writer group: its own unacked ones first
   * (after a restart), then ones a dead consumer left idle, then new ones. */
  readGroup(consumer: string, count: number, blockMs: number): Promise<BusRecord[]>;
  ack(seqs: readonly string[]): Promise<void>;
  /** Records appended but not yet acked by the writer group. */
  backlog(): Promise<number>;
  ping(): Promise<void>;
  /** Tells every process on this bus (this one included) that something changed. At
   * most once: a notice sent while a process is disconnected is not replayed, so
   * whatever relies on one keeps a periodic fallback (live sessions re-check their
   * credentials every 2 s). */
  announce(notice: BusNotice): Promise<void>;
  /** Calls `listener` with every notice announced from now on; returns the unsubscribe. */
  onNotice(listener: (notice: BusNotice) => void): () => void;
  close(): Promise<void>;
}

/** A notice between processes. It names no credential or tenant: a listener re-reads
 * what it holds from the database, so a notice cannot grant or reveal anything. */
export type BusNotice = { kind: 'credentials-changed' };

const NOTICE_KINDS: ReadonlySet<string> = new Set(['credentials-changed']);

/** A notice decoded from the wire, or null for anything else (another version, noise). */
export function parseNotice(raw: string): BusNotice | null {
  try {
    const v = JSON.parse(raw) as { kind?: unknown };
    return typeof v?.kind === 'string' && NOTICE_KINDS.has(v.kind) ? ({ kind: v.kind } as BusNotice) : null;
  } catch {
    return null;
  }
}

/** Raised when the bus cannot take more without losing unwritten records. */
export class BusFullError extends HttpError {
  constructor(readonly backlog: number) {
    super(503, `the live buffer holds ${backlog} records not yet written to the database; retry shortly`, 1);
  }
}

/** Raised when the bus cannot be reached (Redis restarting, network): nothing was
 * acknowledged, and the client should retry shortly (503, not a 500 "bug"). */
export class BusUnavailableError extends HttpError {
  constructor(cause: unknown) {
    super(503, `the live buffer (Redis) is unreachable: ${String((cause as Error)?.message ?? cause).slice(0, 200)}; retry shortly`, 1);
    this.cause = cause;
  }
}
