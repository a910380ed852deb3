import type { Alert, ModelEvent } from '@frostbyte/contracts';
import type { Bus } from '../bus/bus.ts';
import { parseSeq, seqToString } from '../kernel/seq.ts';
import type { TenantScope } from '../kernel/tenant-scope.ts';

/** A live subscriber: an SSE connection or a WebSocket tracer session. */
export interface LiveClient {
  /** The tenants the client's credential may read. */
  scope: TenantScope;
  match(e: ModelEvent): boolean;
  /** Gets every matching event of one bus batch at once (one socket write). */
  deliver(events: ModelEvent[]): void;
  alert?(a: Alert): void;
}

/**
 * LiveFanoutProcessor: one bus tail per process, shared by all live clients, so a
 * thousand browsers cost one Redis reader. Events are matched per client and
 * delivered per bus batch, which coalesces frames under load without delaying them
 * when it is quiet.
 */
export class Fanout {
  private readonly clients = new Set<LiveClient>();
  private stop: (() => void) | null = null;
  /** The tail's position: every event after it reaches the clients added from now on,
   * every event up to it reached the clients there were. A fresh SSE client is told it
   * (its `ready` frame) so that even a cut before its first event resumes without a hole. */
  lastSeq = 0n;

  constructor(private readonly bus: Bus) {}

  /** Tails from the newest position the bus gave out, or `floor` (the newest stored)
   * when that is higher, e.g. a Redis stream that came back empty. */
  async start(floor: bigint | null = null) {
    if (this.stop) return;
    const newest = await this.bus.newestSeq();
    let from = newest === null ? 0n : (parseSeq(newest) ?? 0n);
    if (floor !== null && floor > from) from = floor;
    if (this.stop) return;
    this.lastSeq = from;
    this.stop = this.bus.tail(seqToString(from), (events) => {
      const last = events[events.length - 1];
      if (last) this.lastSeq = parseSeq(last.seq) ?? this.lastSeq;
      for (const c of this.clients) {
        const mine = events.filter((e) => c.match(e));
        if (mine.length) c.deliver(mine);
      }
    });
  }

  add(c: LiveClient): () => void {
    this.clients.add(c);
    return () => this.clients.delete(c);
  }

  /** Alerts are not on the event bus; the alerting service pushes them here. */
  broadcastAlert(a: Alert, visible: (c: LiveClient) => boolean) {
    for (const c of this.clients) if (c.alert && visible(c)) c.alert(a);
  }

  get size() {
    return this.clients.size;
  }

  close() {
    this.stop?.();
    this.stop = null;
    this.clients.clear();
  }
}
