import type { ModelEvent } from '@frostbyte/contracts';
import { type BusRecord, type EventRecord, withSeq } from '../kernel/event-record.ts';
import { parseSeq } from '../kernel/seq.ts';
import { type Bus, BusFullError, type BusNotice } from './bus.ts';

/**
 * A ring buffer in this process (embedded mode). Positions use the Redis shape
 * `<ms>-<n>` so SSE ids mean the same in both modes. Records leave the ring only
 * after the writer acked them, so a full ring refuses appends (503 upstream) rather
 * than dropping anything accepted.
 */
export class MemoryBus implements Bus {
  readonly kind = 'memory';
  readonly durable = false;
  /** Each record with its event as the live side sees it (seq filled in), made once. */
  private ring: (BusRecord & { live: ModelEvent })[] = [];
  private head = 0; // index in `ring` of the oldest held record
  private delivered = 0; // absolute index (from head 0) of the next record for the group
  private base = 0; // absolute index of ring[0]
  private unacked = new Set<string>();
  private lastMs = 0;
  private lastN = -1;
  private tails = new Set<(events: ModelEvent[]) => void>();
  private waiters: (() => void)[] = [];
  private noticeListeners = new Set<(n: BusNotice) => void>();

  constructor(private readonly maxLen = 100_000) {}

  private nextSeq(): string {
    const now = Date.now();
    if (now > this.lastMs) {
      this.lastMs = now;
      this.lastN = 0;
    } else this.lastN++;
    return `${this.lastMs}-${this.lastN}`;
  }

  /** Continue positions above what the database already holds after a restart. */
  resumeAfter(seq: string | null) {
    if (!seq) return;
    const [ms, n] = seq.split('-').map(Number) as [number, number];
    if (ms > this.lastMs || (ms === this.lastMs && n > this.lastN)) {
      this.lastMs = ms;
      this.lastN = n;
    }
  }

  async append(records: readonly EventRecord[]): Promise<string[]> {
    this.evict(records.length);
    if (this.ring.length - this.head + records.length > this.maxLen) throw new BusFullError(await this.backlog());
    const out = records.map((record) => {
      const r = { seq: this.nextSeq(), record };
      return { ...r, live: withSeq(r) };
    });
    for (const r of out) this.ring.push(r);
    for (const w of this.waiters.splice(0)) w();
    if (this.tails.size) {
      const events = out.map((r) => r.live);
      for (const t of this.tails) t(events);
    }
    return out.map((r) => r.seq);
  }

  /** Makes room for `incoming` by dropping acked records from the front; unacked ones
   * stay, so a full ring refuses instead of losing them. */
  private evict(incoming: number) {
    while (this.ring.length - this.head + incoming > this.maxLen) {
      const r = this.ring[this.head];
      if (!r || this.base + this.head >= this.delivered || this.unacked.has(r.seq)) break;
      this.head++;
    }
    if (this.head > 4096 && this.head > this.ring.length / 2) {
      this.ring = this.ring.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
  }

  tail(after: string | null, onEvents: (events: ModelEvent[]) => void): () => void {
    if (after !== null) {
      const missed = this.after(after, Number.MAX_SAFE_INTEGER);
      if (missed.length) onEvents(missed.map((r) => r.live));
    }
    this.tails.add(onEvents);
    return () => this.tails.delete(onEvents);
  }

  private indexAfter(after: string): number {
    const target = parseSeq(after);
    if (target === null) return this.ring.length;
    // Binary search: positions are increasing.
    let lo = this.head;
    let hi = this.ring.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((parseSeq((this.ring[mid] as BusRecord).seq) as bigint) <= target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private after(after: string, limit: number) {
    const i = this.indexAfter(after);
    return this.ring.slice(i, i + limit);
  }

  async range(after: string, limit: number) {
    return this.after(after, limit).map((r) => r.live);
  }

  async oldestSeq() {
    return this.ring[this.head]?.seq ?? null;
  }

  async newestSeq() {
    return this.lastN < 0 ? null : `${this.lastMs}-${this.lastN}`;
  }

  async readGroup(_consumer: string, count: number, blockMs: number): Promise<BusRecord[]> {
    if (this.delivered >= this.base + this.ring.length && blockMs > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, blockMs);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    const start = this.delivered - this.base;
    const out = this.ring.slice(start, start + count).map(({ seq, record }) => ({ seq, record }));
    this.delivered += out.length;
    for (const r of out) this.unacked.add(r.seq);
    return out;
  }

  async ack(seqs: readonly string[]) {
    for (const s of seqs) this.unacked.delete(s);
  }

  async backlog() {
    return this.unacked.size + (this.base + this.ring.length - this.delivered);
  }

  async ping() {}

  async announce(notice: BusNotice) {
    // Delivered on a later tick, as Redis would, so an announcer never re-enters itself.
    queueMicrotask(() => {
      for (const l of this.noticeListeners) l(notice);
    });
  }

  onNotice(listener: (n: BusNotice) => void) {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  async close() {
    this.noticeListeners.clear();
    this.tails.clear();
    for (const w of this.waiters.splice(0)) w();
  }
}
