import type { Tiktoken } from 'js-tiktoken/lite';

/** Where a token count came from; recorded in `metadata.token_source`. */
export type TokenSource = 'model' | 'tiktoken' | 'estimate';

export interface TokenCount {
  tokens: number;
  source: TokenSource;
}

/**
 * Counts tokens with `js-tiktoken` (cl100k_base) when a model does not report usage.
 * The encoder (≈1 MB of ranks, ~0.4 s to load) is imported on first use in the export
 * step, never on a caller's path. Encoding is pure JS at ~3 MB/s on the event loop, so
 * text longer than `maxExactChars` is estimated (chars / 4) instead of stalling it.
 */
export class TokenCounter {
  #encoder: Tiktoken | undefined;
  #loading: Promise<void> | undefined;
  #failed = false;

  constructor(readonly maxExactChars = 64 * 1024) {}

  get ready(): boolean {
    return this.#encoder !== undefined || this.#failed;
  }

  /** Loads the encoder once; never rejects (a load failure falls back to estimates). */
  load(): Promise<void> {
    this.#loading ??= loadEncoder().then(
      (encoder) => {
        this.#encoder = encoder;
      },
      () => {
        this.#failed = true;
      },
    );
    return this.#loading;
  }

  /** Tokens in a model input or output, or undefined for values that are not text
   * (embedding vectors, binary data, nothing). Objects are counted as their JSON. */
  count(value: unknown): TokenCount | undefined {
    const text = textOf(value);
    if (text === undefined) return undefined;
    if (this.#encoder === undefined || text.length > this.maxExactChars) {
      return { tokens: Math.ceil(text.length / 4), source: 'estimate' };
    }
    // `encode(text)` would throw on text containing a special token ("<|endoftext|>" in a
    // user's document) and builds an extra RegExp per call; count them as plain text.
    return { tokens: this.#encoder.encode(text, [], []).length, source: 'tiktoken' };
  }
}

// Building the encoder costs ~0.3 s of CPU and ~20 MB; share one per process.
let encoderPromise: Promise<Tiktoken> | undefined;
function loadEncoder(): Promise<Tiktoken> {
  encoderPromise ??= Promise.all([import('js-tiktoken/lite'), import('js-tiktoken/ranks/cl100k_base')]).then(
    ([{ Tiktoken }, ranks]) => new Tiktoken(ranks.default),
  );
  return encoderPromise;
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return undefined;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return undefined;
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    if (typeof value[0] === 'number') return undefined; // a vector
    if (value.every((v) => typeof v === 'string')) return value.join('\n');
  }
  try {
    return JSON.stringify(value);
  } catch {
    return undefined; // cyclic or otherwise unserialisable
  }
}
