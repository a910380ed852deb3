import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cosineSimilarity,
  createEmbedderFromEnv,
  createLocalEmbedder,
  createRemoteEmbedder,
  type Embedder,
  EmbeddingServiceError,
  resolveEmbeddingsEndpoint,
} from './embed.ts';
import { HashTfidfVectorizer } from './hash-tfidf.ts';

const chunks = (...texts: string[]) => texts.map((text, index) => ({ index, text }));

const INVOICE_A = 'Invoice 4471: payment of $3,150 is due within 30 days by bank transfer to the account on file.';
const INVOICE_B = 'Invoice 5120: payment of $2,400 is due within 30 days by bank transfer to our account.';
const UNRELATED = 'The patient reported a persistent cough and fever; the physician prescribed amoxicillin.';

// ---------------------------------------------------------------- a real OpenAI-compatible server

interface Recorded {
  path: string;
  authorization: string | undefined;
  body: { model: string; input: string[] };
}

/**
 * Speaks the OpenAI embeddings wire format over real HTTP. Vectors come from an
 * independent hash vectorizer so similarity still means something, data is
 * returned in reverse order (the spec allows it; `index` is authoritative), and
 * `failNext` makes it answer 503 to exercise retries.
 */
class FakeEmbeddingsServer {
  readonly requests: Recorded[] = [];
  failNext = 0;
  statusOverride: number | undefined;
  #server: Server | undefined;
  readonly #vectorizer = new HashTfidfVectorizer({ dim: 64, seed: 7, table: { source: 'test', documents: 1, df: {} } });

  async start(): Promise<string> {
    this.#server = createServer(async (req, res) => {
      const body = JSON.parse(await readBody(req)) as Recorded['body'];
      this.requests.push({ path: req.url ?? '', authorization: req.headers.authorization, body });
      if (this.statusOverride !== undefined) {
        res.writeHead(this.statusOverride, { 'content-type': 'application/json' }).end('{"error":{"message":"model not found"}}');
        return;
      }
      if (this.failNext > 0) {
        this.failNext -= 1;
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"message":"loading model"}}');
        return;
      }
      const data = body.input.map((text, index) => ({ object: 'embedding', index, embedding: this.#vectorizer.embed(text) })).reverse();
      const promptTokens = body.input.reduce((sum, text) => sum + text.split(/\s+/).length, 0);
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ object: 'list', data, model: body.model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } }),
      );
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const part of req) body += part;
  return body;
}

const server = new FakeEmbeddingsServer();
let baseUrl = '';
beforeAll(async () => {
  baseUrl = await server.start();
});
afterAll(() => server.stop());

// ---------------------------------------------------------------- one contract, both implementations

const implementations: [string, () => Embedder][] = [
  ['local hashed TF-IDF', () => createLocalEmbedder()],
  ['remote OpenAI-compatible', () => createRemoteEmbedder({ url: baseUrl, max_retries: 0 })],
];

describe.each(implementations)('Embedder contract: %s', (_name, make) => {
  it('returns one vector per chunk, all of dimension dim', async () => {
    const { output } = await make().invoke({ document_id: 'contract-1', chunks: chunks(INVOICE_A, INVOICE_B, UNRELATED) });
    expect(output.vectors).toHaveLength(3);
    expect(output.dim).toBeGreaterThan(0);
    for (const vector of output.vectors) expect(vector).toHaveLength(output.dim);
  });

  it('keeps chunk order', async () => {
    const embedder = make();
    const { output: together } = await embedder.invoke({ document_id: 'contract-2', chunks: chunks(INVOICE_A, UNRELATED) });
    const { output: alone } = await embedder.invoke({ document_id: 'contract-3', chunks: chunks(UNRELATED) });
    expect(cosineSimilarity(together.vectors[1] as number[], alone.vectors[0] as number[])).toBeCloseTo(1, 10);
  });

  it('places similar texts closer than unrelated ones', async () => {
    const { output } = await make().invoke({ document_id: 'contract-4', chunks: chunks(INVOICE_A, INVOICE_B, UNRELATED) });
    const [a, b, c] = output.vectors as [number[], number[], number[]];
    expect(cosineSimilarity(a, b)).toBeGreaterThan(cosineSimilarity(a, c) + 0.2);
  });

  it('handles a document with no chunks', async () => {
    const { output } = await make().invoke({ document_id: 'contract-5', chunks: [] });
    expect(output.vectors).toEqual([]);
  });

  it('identifies itself as an embed-stage model', () => {
    expect(make().identity).toMatchObject({ stage: 'embed', operation: 'embeddings' });
  });
});

// ---------------------------------------------------------------- local specifics

describe('local embedder', () => {
  it('is named for what it is and deterministic across instances', async () => {
    const a = createLocalEmbedder();
    const b = createLocalEmbedder();
    expect(a.identity.name).toBe('frostbyte-hash-tfidf-256');
    expect(a.identity.version).toBe('1.0.0');
    const input = { document_id: 'det-1', chunks: chunks(INVOICE_A, UNRELATED) };
    expect((await a.invoke(input)).output).toEqual((await b.invoke(input)).output);
  });

  it('returns unit-length vectors (and the zero vector for text without words)', async () => {
    const { output } = await createLocalEmbedder().invoke({ document_id: 'norm-1', chunks: chunks(INVOICE_A, UNRELATED, '— … !!') });
    const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    expect(norm(output.vectors[0] as number[])).toBeCloseTo(1, 12);
    expect(norm(output.vectors[1] as number[])).toBeCloseTo(1, 12);
    expect(norm(output.vectors[2] as number[])).toBe(0);
  });

  it('changes every vector when the seed changes', async () => {
    const input = { document_id: 'seed-1', chunks: chunks(INVOICE_A) };
    const a = (await createLocalEmbedder({ seed: 1 }).invoke(input)).output.vectors[0] as number[];
    const b = (await createLocalEmbedder({ seed: 2 }).invoke(input)).output.vectors[0] as number[];
    expect(Math.abs(cosineSimilarity(a, b))).toBeLessThan(0.5);
  });

  it('records its idf table in the identity config', () => {
    const { config } = createLocalEmbedder({ dim: 128 }).identity;
    expect(config).toMatchObject({ dim: 128, idf: { source: 'samples/documents' } });
    expect((config.idf as { sha256: string }).sha256).toMatch(/^[0-9a-f]{16}$/);
  });
});

// ---------------------------------------------------------------- remote specifics

describe('remote embedder', () => {
  it('posts {model, input[]} in batches with the bearer key and reports usage from the response', async () => {
    const before = server.requests.length;
    const embedder = createRemoteEmbedder({ url: `${baseUrl}/v1`, api_key: 'sk-test-1', batch_size: 2, model: 'nomic-embed-text' });
    const { output, usage } = await embedder.invoke({ document_id: 'remote-1', chunks: chunks('one two', 'three', 'four five six') });
    const sent = server.requests.slice(before);
    expect(sent.map((r) => r.path)).toEqual(['/v1/embeddings', '/v1/embeddings']);
    expect(sent.map((r) => r.body.input)).toEqual([['one two', 'three'], ['four five six']]);
    expect(sent.every((r) => r.body.model === 'nomic-embed-text' && r.authorization === 'Bearer sk-test-1')).toBe(true);
    expect(output.vectors).toHaveLength(3);
    expect(output.dim).toBe(64);
    expect(usage).toEqual({ input_tokens: 6 });
  });

  it('keeps the key out of its identity', () => {
    const embedder = createRemoteEmbedder({ url: 'http://user:pw@localhost:11434/?token=x', api_key: 'sk-secret' });
    expect(JSON.stringify(embedder.identity)).not.toMatch(/sk-secret|pw|token=x/);
    expect(embedder.identity).toMatchObject({ name: 'nomic-embed-text', version: 'v1.5' });
    expect(embedder.identity.config).toMatchObject({ endpoint: 'http://localhost:11434/v1/embeddings', authenticated: true });
  });

  it('retries a 503 and then succeeds', async () => {
    server.failNext = 1;
    const { output } = await createRemoteEmbedder({ url: baseUrl, max_retries: 2 }).invoke({ document_id: 'retry-1', chunks: chunks('x y') });
    expect(output.vectors).toHaveLength(1);
  });

  it('fails with EmbeddingServiceError carrying the status on a client error', async () => {
    server.statusOverride = 404;
    try {
      const error = await createRemoteEmbedder({ url: baseUrl, model: 'missing-model' })
        .invoke({ document_id: 'err-1', chunks: chunks('x') })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EmbeddingServiceError);
      expect(error).toMatchObject({ status: 404, retryable: false });
      expect((error as Error).message).toContain('model not found');
    } finally {
      server.statusOverride = undefined;
    }
  });

  it('reports an unreachable endpoint as a retryable EmbeddingServiceError', async () => {
    const error = await createRemoteEmbedder({ url: 'http://127.0.0.1:9', max_retries: 0 })
      .invoke({ document_id: 'down-1', chunks: chunks('x') })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingServiceError);
    expect(error).toMatchObject({ retryable: true });
  });
});

describe('embedder selection', () => {
  it('uses the remote embedder only when EMBEDDINGS_URL is set', () => {
    expect(createEmbedderFromEnv({}).identity.name).toBe('frostbyte-hash-tfidf-256');
    const remote = createEmbedderFromEnv({ EMBEDDINGS_URL: 'http://localhost:11434', EMBEDDINGS_MODEL: 'mxbai-embed-large', EMBEDDINGS_MODEL_VERSION: 'v1' });
    expect(remote.identity).toMatchObject({ name: 'mxbai-embed-large', version: 'v1' });
  });

  it('resolves the endpoint path from a base, /v1 or full URL', () => {
    expect(resolveEmbeddingsEndpoint('http://h:11434')).toBe('http://h:11434/v1/embeddings');
    expect(resolveEmbeddingsEndpoint('http://h:11434/v1/')).toBe('http://h:11434/v1/embeddings');
    expect(resolveEmbeddingsEndpoint('https://h/openai/deployments/x/embeddings')).toBe('https://h/openai/deployments/x/embeddings');
  });
});
