/**
 * The math of the local embedder: hashed TF-IDF over word unigrams and bigrams,
 * projected to a fixed dimension with a seeded Rademacher (±1) random
 * projection, then L2-normalised.
 *
 * Why this shape: feature hashing needs no vocabulary file, the random
 * projection preserves cosine geometry (Johnson–Lindenstrauss) while giving a
 * small dense vector like a neural embedder's, and every step is a pure
 * function of (text, seed, document-frequency table), so the same input gives
 * the same vector on every machine. It captures word overlap, not meaning.
 */

export interface DocumentFrequencyTable {
  /** Where the counts come from, e.g. 'samples/documents'. */
  source: string;
  /** Number of documents counted. */
  documents: number;
  /** Document frequency per unigram term; terms seen in fewer than 2 documents are left out. */
  df: Record<string, number>;
}

export interface HashTfidfOptions {
  dim: number;
  seed: number;
  table: DocumentFrequencyTable;
}

/** Lower-cased NFKC word tokens (letters/digits, inner apostrophes kept); single characters dropped. */
export function embeddingTerms(text: string): string[] {
  const words = text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu) ?? [];
  return words.filter((word) => word.length > 1);
}

export class HashTfidfVectorizer {
  readonly dim: number;
  readonly #seed: number;
  readonly #table: DocumentFrequencyTable;
  readonly #unknownIdf: number;
  readonly #words: number;

  constructor(options: HashTfidfOptions) {
    if (!Number.isInteger(options.dim) || options.dim < 8) throw new RangeError(`dim must be an integer >= 8, got ${options.dim}`);
    this.dim = options.dim;
    this.#seed = options.seed >>> 0;
    this.#table = options.table;
    // Smoothed idf, as in scikit-learn: ln((1 + N) / (1 + df)) + 1. Unseen terms get df = 0.
    this.#unknownIdf = Math.log(1 + options.table.documents) + 1;
    this.#words = Math.ceil(options.dim / 32);
  }

  idf(term: string): number {
    const df = this.#table.df[term];
    return df === undefined ? this.#unknownIdf : Math.log((1 + this.#table.documents) / (1 + df)) + 1;
  }

  /** Unit-length vector; the zero vector for text with no terms. */
  embed(text: string): number[] {
    const terms = embeddingTerms(text);
    const counts = new Map<string, number>();
    for (let i = 0; i < terms.length; i++) {
      const unigram = terms[i] as string;
      counts.set(unigram, (counts.get(unigram) ?? 0) + 1);
      if (i + 1 < terms.length) {
        const bigram = `${unigram} ${terms[i + 1]}`;
        counts.set(bigram, (counts.get(bigram) ?? 0) + 1);
      }
    }
    const vector = new Float64Array(this.dim);
    for (const [feature, tf] of counts) {
      const space = feature.indexOf(' ');
      const idf =
        space < 0 ? this.idf(feature) : (this.idf(feature.slice(0, space)) + this.idf(feature.slice(space + 1))) / 2;
      const weight = (1 + Math.log(tf)) * idf; // sublinear tf
      this.#addProjection(vector, hash32(feature, this.#seed), weight);
    }
    let norm = 0;
    for (const value of vector) norm += value * value;
    norm = Math.sqrt(norm);
    return Array.from(vector, (value) => (norm > 0 ? value / norm : 0));
  }

  /**
   * Adds weight × (row of the projection matrix for this feature). The row is never
   * stored: it is regenerated from the feature hash, 32 signs per PRNG draw, so the
   * matrix is effectively 2^32 × dim at no memory cost.
   */
  #addProjection(vector: Float64Array, featureHash: number, weight: number): void {
    const next = mulberry32(featureHash ^ Math.imul(this.#seed, 0x9e3779b1));
    for (let w = 0; w < this.#words; w++) {
      const bits = next();
      const base = w * 32;
      const limit = Math.min(32, this.dim - base);
      for (let b = 0; b < limit; b++) vector[base + b] = (vector[base + b] as number) + ((bits >>> b) & 1 ? weight : -weight);
    }
  }
}

/** FNV-1a over UTF-16 code units, seeded, with murmur3's finaliser for avalanche. */
export function hash32(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: tiny, fast, well-distributed 32-bit PRNG; returns unsigned 32-bit ints. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}
