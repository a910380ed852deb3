import type { EventKind, Invocation } from './invocation.ts';

/** A queued event: the invocation record plus which of its events it stands for. */
export interface QueuedEvent {
  invocation: Invocation;
  kind: EventKind;
}

/**
 * Bounded FIFO of pending events: a ring buffer over two parallel arrays, so a push
 * allocates nothing and a full queue refuses instead of growing. Memory is bounded
 * by `capacity` references (the payloads they point at belong to the caller).
 */
export class EventQueue {
  readonly #items: (Invocation | undefined)[];
  readonly #kinds: Uint8Array;
  #head = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('queue capacity must be a positive integer');
    this.#items = new Array<Invocation | undefined>(capacity).fill(undefined);
    this.#kinds = new Uint8Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** False when full; the caller decides what a refusal means (spill or drop). */
  push(invocation: Invocation, kind: EventKind): boolean {
    if (this.#size === this.capacity) return false;
    let tail = this.#head + this.#size;
    if (tail >= this.capacity) tail -= this.capacity;
    this.#items[tail] = invocation;
    this.#kinds[tail] = kind;
    this.#size++;
    return true;
  }

  /** Removes and returns up to `max` events, oldest first. */
  drain(max: number): QueuedEvent[] {
    const n = Math.min(max, this.#size);
    const out = new Array<QueuedEvent>(n);
    for (let i = 0; i < n; i++) {
      const at = this.#head;
      out[i] = { invocation: this.#items[at] as Invocation, kind: this.#kinds[at] as EventKind };
      this.#items[at] = undefined; // let the payload be collected
      this.#head = at + 1 === this.capacity ? 0 : at + 1;
    }
    this.#size -= n;
    return out;
  }
}
