import { randomFillSync } from 'node:crypto';
import { V7Generator } from 'uuidv7';

/**
 * UUIDv7 event ids, in the export step. The same generator as `newId()` in
 * `@frostbyte/contracts` (the `uuidv7` package: 48-bit ms timestamp, monotonic counter,
 * CSPRNG tail), but fed from a 4 KiB random pool: the package's default refills 32
 * bytes per `crypto.getRandomValues()` call, which at 40k events/s was ~5 % of the
 * SDK's CPU. Ids stay monotonic within the process, so the order of ids is the order
 * events were built — which is the order they were emitted.
 */
class PooledRandom {
  readonly #pool = new Uint32Array(1024);
  #next = this.#pool.length;
  nextUint32(): number {
    if (this.#next === this.#pool.length) {
      randomFillSync(this.#pool);
      this.#next = 0;
    }
    return this.#pool[this.#next++] as number;
  }
}

const generator = new V7Generator(new PooledRandom());

export const newEventId = (): string => generator.generate().toString();
