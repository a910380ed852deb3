import type { ModelEvent } from '@frostbyte/contracts';
import { compareSeq } from '../../../lib/seq.ts';
import type { GapFrame } from '../../../lib/sse-client.ts';

/**
 * The feed's rows, outside React: batches from the stream and pages of history are
 * merged here (newest first by server order, each event id once) and the view reads
 * an immutable snapshot through `useSyncExternalStore`, so it renders once per
 * batch, not once per event.
 *
 * While the user has paused, has scrolled away from the top, or is moving through
 * the rows with the keyboard, live events are held back rather than inserted above
 * what they are reading; the view offers "N new events" and `release()` merges them.
 */
export interface FeedSnapshot {
  rows: readonly ModelEvent[];
  held: number;
  paused: boolean;
  atTop: boolean;
  /** Keyboard focus is on a row. */
  focusInside: boolean;
  gaps: readonly GapFrame[];
  /** Live events received since the store was created / reset (for the aria-live summary). */
  received: number;
  receivedFailed: number;
}

export const MAX_ROWS = 150_000;

/** Merges two newest-first lists. The common case — a live batch newer than every
 * row — is a single concat; the general case is one linear merge, never a sort of
 * the whole feed. */
export function mergeNewestFirst(a: readonly ModelEvent[], b: readonly ModelEvent[]): ModelEvent[] {
  if (b.length === 0) return a as ModelEvent[];
  if (a.length === 0) return b as ModelEvent[];
  if (compareSeq((b[b.length - 1] as ModelEvent).seq, (a[0] as ModelEvent).seq) > 0) return [...b, ...a];
  if (compareSeq((a[a.length - 1] as ModelEvent).seq, (b[0] as ModelEvent).seq) > 0) return [...a, ...b];
  const out: ModelEvent[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as ModelEvent;
    const y = b[j] as ModelEvent;
    if (compareSeq(x.seq, y.seq) >= 0) {
      out[k++] = x;
      i++;
    } else {
      out[k++] = y;
      j++;
    }
  }
  while (i < a.length) out[k++] = a[i++] as ModelEvent;
  while (j < b.length) out[k++] = b[j++] as ModelEvent;
  return out;
}

const newestFirst = (a: ModelEvent, b: ModelEvent) => compareSeq(b.seq, a.seq);

export class FeedStore {
  private ids = new Set<string>();
  private rows: ModelEvent[] = [];
  private held: ModelEvent[] = [];
  private snap: FeedSnapshot = {
    rows: [],
    held: 0,
    paused: false,
    atTop: true,
    focusInside: false,
    gaps: [],
    received: 0,
    receivedFailed: 0,
  };
  private readonly listeners = new Set<() => void>();

  constructor(private readonly maxRows = MAX_ROWS) {}

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
  getSnapshot = (): FeedSnapshot => this.snap;

  /** Keeps only unseen events, newest first. */
  private fresh(events: readonly ModelEvent[]): ModelEvent[] {
    const out: ModelEvent[] = [];
    for (const e of events) {
      if (this.ids.has(e.id)) continue;
      this.ids.add(e.id);
      out.push(e);
    }
    return out.sort(newestFirst);
  }

  receiveLive(events: readonly ModelEvent[], gaps: readonly GapFrame[] = []): void {
    const fresh = this.fresh(events);
    if (fresh.length === 0 && gaps.length === 0) return;
    let failed = 0;
    for (const e of fresh) if (e.status === 'failed') failed++;
    if (this.holding) this.held = mergeNewestFirst(this.held, fresh);
    else this.rows = this.cap(mergeNewestFirst(this.rows, fresh));
    this.emit({
      gaps: gaps.length ? [...this.snap.gaps, ...gaps].slice(-20) : this.snap.gaps,
      received: this.snap.received + fresh.length,
      receivedFailed: this.snap.receivedFailed + failed,
    });
  }

  /** A page of `GET /v1/events` (any order). History is never held back: it is
   * what the user asked to see, below or among the live rows. */
  receiveHistory(events: readonly ModelEvent[]): void {
    const fresh = this.fresh(events);
    if (fresh.length === 0) return;
    this.rows = this.cap(mergeNewestFirst(this.rows, fresh));
    this.emit({});
  }

  private get holding(): boolean {
    return this.snap.paused || !this.snap.atTop || this.snap.focusInside;
  }

  pause(): void {
    if (!this.snap.paused) this.emit({ paused: true });
  }
  resume(): void {
    if (!this.snap.paused) return;
    this.snap = { ...this.snap, paused: false };
    this.releaseUnlessHolding();
  }
  setAtTop(atTop: boolean): void {
    if (atTop === this.snap.atTop) return;
    this.snap = { ...this.snap, atTop };
    this.releaseUnlessHolding();
  }
  setFocusInside(focusInside: boolean): void {
    if (focusInside === this.snap.focusInside) return;
    this.snap = { ...this.snap, focusInside };
    this.releaseUnlessHolding();
  }
  private releaseUnlessHolding(): void {
    if (this.holding) this.emit({});
    else this.release();
  }
  /** Moves held live events into the feed. */
  release(): void {
    if (this.held.length) {
      this.rows = this.cap(mergeNewestFirst(this.rows, this.held));
      this.held = [];
    }
    this.emit({});
  }
  reset(): void {
    this.ids = new Set();
    this.rows = [];
    this.held = [];
    this.emit({ gaps: [], received: 0, receivedFailed: 0 });
  }
  dismissGaps(): void {
    this.emit({ gaps: [] });
  }

  /** Oldest rows go first; their ids are forgotten so dedup memory stays bounded too. */
  private cap(rows: ModelEvent[]): ModelEvent[] {
    if (rows.length <= this.maxRows * 1.1) return rows;
    const kept = rows.slice(0, this.maxRows);
    this.ids = new Set(kept.map((e) => e.id));
    for (const e of this.held) this.ids.add(e.id);
    return kept;
  }

  private emit(patch: Partial<FeedSnapshot>): void {
    this.snap = { ...this.snap, ...patch, rows: this.rows, held: this.held.length };
    for (const l of this.listeners) l();
  }
}
