import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type DocumentFrequencyTable, HashTfidfVectorizer } from './hash-tfidf.ts';
import type { ModelIdentity, StageModel, Usage } from './model.ts';
import { stageDelay } from './model.ts';

/**
 * Embed stage: one vector per chunk. Two implementations of one `Embedder`
 * contract, chosen by `createEmbedderFromEnv`:
 *
 * - remote: any OpenAI-compatible `/v1/embeddings` endpoint (e.g. Ollama
 *   serving `nomic-embed-text`) when `EMBEDDINGS_URL` is set;
 * - local: a deterministic hashed TF-IDF embedder whose model name says what it
 *   is (`frostbyte-hash-tfidf-256`), so nobody mistakes its vectors for a
 *   neural model's in a trace.
 */

export interface EmbedInput {
  document_id: string;
  chunks: readonly { index: number; text: string }[];
}

export interface EmbedOutput {
  /** vectors[i] embeds chunks[i]. */
  vectors: number[][];
  dim: number;
}

export type Embedder = StageModel<EmbedInput, EmbedOutput>;

export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new RangeError(`vectors differ in length: ${a.length} vs ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

// ---------------------------------------------------------------- local

export type LocalEmbedderConfig = {
  dim: number;
  /** Seeds both feature hashing and the projection; changing it changes every vector. */
  seed: number;
  delay_ms: number;
};

export const DEFAULT_LOCAL_EMBEDDER_CONFIG: LocalEmbedderConfig = Object.freeze({ dim: 256, seed: 0x0f0b7e, delay_ms: 0 });
export const LOCAL_EMBEDDER_VERSION = '1.0.0';

const DF_TABLE_URL = new URL('./hash-tfidf-df.json', import.meta.url);

function loadDocumentFrequencyTable(): { table: DocumentFrequencyTable; sha256: string } {
  const raw = readFileSync(DF_TABLE_URL);
  return { table: JSON.parse(raw.toString('utf8')) as DocumentFrequencyTable, sha256: createHash('sha256').update(raw).digest('hex') };
}

let dfTable: { table: DocumentFrequencyTable; sha256: string } | undefined;

export function createLocalEmbedder(overrides: Partial<LocalEmbedderConfig> = {}): Embedder {
  const config: LocalEmbedderConfig = { ...DEFAULT_LOCAL_EMBEDDER_CONFIG, ...overrides };
  dfTable ??= loadDocumentFrequencyTable();
  const vectorizer = new HashTfidfVectorizer({ dim: config.dim, seed: config.seed, table: dfTable.table });
  const identity: ModelIdentity = {
    name: `frostbyte-hash-tfidf-${config.dim}`,
    version: LOCAL_EMBEDDER_VERSION,
    stage: 'embed',
    operation: 'embeddings',
    config: {
      ...config,
      features: 'word unigrams + bigrams, feature-hashed',
      tf: 'sublinear (1 + ln tf)',
      idf: {
        source: dfTable.table.source,
        documents: dfTable.table.documents,
        terms: Object.keys(dfTable.table.df).length,
        sha256: dfTable.sha256.slice(0, 16),
      },
      projection: 'seeded rademacher',
      normalisation: 'l2',
    },
  };
  return {
    identity,
    async invoke(input, signal) {
      signal?.throwIfAborted();
      const vectors = input.chunks.map((chunk) => vectorizer.embed(chunk.text));
      await stageDelay(config.delay_ms, signal);
      // No tokenizer is involved; usage is left out rather than invented.
      return { output: { vectors, dim: config.dim } };
    },
  };
}

// ---------------------------------------------------------------- remote

export type RemoteEmbedderConfig = {
  /** Base URL (`http://localhost:11434`), `/v1` URL, or the full `/v1/embeddings` URL. */
  url: string;
  model: string;
  /** The registry's version of the model; the endpoint does not report one. */
  model_version: string;
  /** Sent as a Bearer token; never part of the identity. */
  api_key?: string | undefined;
  /** Inputs per request. */
  batch_size: number;
  timeout_ms: number;
  /** Extra attempts for 429, 5xx and network errors. */
  max_retries: number;
  delay_ms: number;
};

export const DEFAULT_REMOTE_EMBEDDER_CONFIG: Omit<RemoteEmbedderConfig, 'url'> = Object.freeze({
  model: 'nomic-embed-text',
  model_version: 'v1.5',
  batch_size: 64,
  timeout_ms: 30_000,
  max_retries: 2,
  delay_ms: 0,
});

export class EmbeddingServiceError extends Error {
  override readonly name = 'EmbeddingServiceError';
  readonly endpoint: string;
  readonly status: number | undefined;
  readonly retryable: boolean;
  constructor(message: string, details: { endpoint: string; status?: number; retryable: boolean }, options?: ErrorOptions) {
    super(message, options);
    this.endpoint = details.endpoint;
    this.status = details.status;
    this.retryable = details.retryable;
  }
}

/** `http://h:11434` → `http://h:11434/v1/embeddings`; a URL already ending in `/embeddings` is used as given. */
export function resolveEmbeddingsEndpoint(url: string): string {
  const parsed = new URL(url);
  const path = parsed.pathname.replace(/\/+$/, '');
  if (path.endsWith('/embeddings')) parsed.pathname = path;
  else if (path.endsWith('/v1')) parsed.pathname = `${path}/embeddings`;
  else parsed.pathname = `${path}/v1/embeddings`;
  return parsed.toString();
}

interface OpenAIEmbeddingsResponse {
  data: { embedding: number[]; index: number }[];
  model?: string;
  usage?: { prompt_tokens?: number; total_tokens?: number };
}

export function createRemoteEmbedder(options: Partial<RemoteEmbedderConfig> & { url: string }): Embedder {
  const config: RemoteEmbedderConfig = { ...DEFAULT_REMOTE_EMBEDDER_CONFIG, ...options };
  const endpoint = resolveEmbeddingsEndpoint(config.url);
  // Credentials in the URL would otherwise end up in every trace.
  const publicEndpoint = (() => {
    const u = new URL(endpoint);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString();
  })();
  const { api_key, url: _url, ...visible } = config;
  const identity: ModelIdentity = {
    name: config.model,
    version: config.model_version,
    stage: 'embed',
    operation: 'embeddings',
    config: { ...visible, provider: 'openai-compatible', endpoint: publicEndpoint, authenticated: api_key !== undefined },
  };

  async function request(batch: string[], signal: AbortSignal | undefined): Promise<OpenAIEmbeddingsResponse> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await requestOnce(batch, signal);
      } catch (error) {
        const retryable = error instanceof EmbeddingServiceError && error.retryable;
        if (!retryable || attempt >= config.max_retries || signal?.aborted) throw error;
        await stageDelay(200 * 2 ** attempt, signal);
      }
    }
  }

  async function requestOnce(batch: string[], signal: AbortSignal | undefined): Promise<OpenAIEmbeddingsResponse> {
    const timeout = AbortSignal.timeout(config.timeout_ms);
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (api_key) headers.authorization = `Bearer ${api_key}`;
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: config.model, input: batch }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const timedOut = timeout.aborted;
      throw new EmbeddingServiceError(
        timedOut
          ? `embeddings endpoint ${publicEndpoint} did not answer within ${config.timeout_ms} ms`
          : `embeddings endpoint ${publicEndpoint} is unreachable: ${(error as Error).message}`,
        { endpoint: publicEndpoint, retryable: true },
        { cause: error },
      );
    }
    const body = await response.text();
    if (!response.ok) {
      throw new EmbeddingServiceError(
        `embeddings endpoint ${publicEndpoint} answered ${response.status}: ${body.slice(0, 300)}`,
        { endpoint: publicEndpoint, status: response.status, retryable: response.status === 429 || response.status >= 500 },
      );
    }
    let parsed: OpenAIEmbeddingsResponse;
    try {
      parsed = JSON.parse(body) as OpenAIEmbeddingsResponse;
    } catch (error) {
      throw new EmbeddingServiceError(`embeddings endpoint ${publicEndpoint} returned invalid JSON`, {
        endpoint: publicEndpoint,
        status: response.status,
        retryable: false,
      }, { cause: error });
    }
    validateResponse(parsed, batch.length, publicEndpoint);
    return parsed;
  }

  return {
    identity,
    async invoke(input, signal) {
      signal?.throwIfAborted();
      const texts = input.chunks.map((chunk) => chunk.text);
      const vectors: number[][] = [];
      let promptTokens: number | undefined;
      for (let from = 0; from < texts.length; from += config.batch_size) {
        const batch = texts.slice(from, from + config.batch_size);
        const response = await request(batch, signal);
        // The spec lets servers return data out of order; `index` is authoritative.
        const ordered = [...response.data].sort((a, b) => a.index - b.index);
        for (const item of ordered) vectors.push(item.embedding);
        const tokens = response.usage?.prompt_tokens ?? response.usage?.total_tokens;
        if (tokens !== undefined) promptTokens = (promptTokens ?? 0) + tokens;
      }
      const dim = vectors[0]?.length ?? 0;
      if (vectors.some((vector) => vector.length !== dim)) {
        throw new EmbeddingServiceError(`embeddings endpoint ${publicEndpoint} returned vectors of different dimensions`, {
          endpoint: publicEndpoint,
          retryable: false,
        });
      }
      await stageDelay(config.delay_ms, signal);
      const usage: Usage | undefined = promptTokens === undefined ? undefined : { input_tokens: promptTokens };
      return usage ? { output: { vectors, dim }, usage } : { output: { vectors, dim } };
    },
  };
}

function validateResponse(response: OpenAIEmbeddingsResponse, expected: number, endpoint: string): void {
  const fail = (what: string) => {
    throw new EmbeddingServiceError(`embeddings endpoint ${endpoint} returned ${what}`, { endpoint, retryable: false });
  };
  if (!response || !Array.isArray(response.data)) fail('no data array');
  if (response.data.length !== expected) fail(`${response.data.length} embeddings for ${expected} inputs`);
  const seen = new Set<number>();
  for (const item of response.data) {
    if (!Number.isInteger(item?.index) || item.index < 0 || item.index >= expected || seen.has(item.index)) {
      fail(`an invalid or repeated index (${String(item?.index)})`);
    }
    seen.add(item.index);
    if (!Array.isArray(item.embedding) || item.embedding.length === 0 || !item.embedding.every(Number.isFinite)) {
      fail(`a non-numeric embedding at index ${item.index}`);
    }
  }
}

// ---------------------------------------------------------------- selection

/**
 * Remote when `EMBEDDINGS_URL` is set (model from `EMBEDDINGS_MODEL`, version from
 * `EMBEDDINGS_MODEL_VERSION`, key from `EMBEDDINGS_API_KEY`), local otherwise.
 */
export function createEmbedderFromEnv(
  env: Record<string, string | undefined> = process.env,
  overrides: { delay_ms?: number } = {},
): Embedder {
  const url = env.EMBEDDINGS_URL?.trim();
  if (!url) return createLocalEmbedder(overrides);
  return createRemoteEmbedder({
    url,
    model: env.EMBEDDINGS_MODEL?.trim() || DEFAULT_REMOTE_EMBEDDER_CONFIG.model,
    model_version: env.EMBEDDINGS_MODEL_VERSION?.trim() || DEFAULT_REMOTE_EMBEDDER_CONFIG.model_version,
    api_key: env.EMBEDDINGS_API_KEY?.trim() || undefined,
    ...overrides,
  });
}
