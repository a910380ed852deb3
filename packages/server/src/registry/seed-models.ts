import type { Pricing } from '@frostbyte/contracts';

/**
 * The pipeline's default model versions, registered and deployed (for every tenant)
 * on start when absent. A configuration here is what the pipeline's stage applies
 * over its built-in defaults; `delay_ms` is the knob every stage has (a slowed stage
 * for demos and the bottleneck tests).
 *
 * Prices are USD and realistic for the kind of model: hosted embeddings at list price
 * per 1k tokens; local models at an amortised compute cost per call / page.
 */
export interface SeedModel {
  name: string;
  stage: string;
  description: string;
  version: string;
  config: Record<string, unknown>;
  pricing: Pricing;
}

/** Deployed in this order; on a stage with several models the last deployed is the
 * stage's primary (the local embedder: nothing remote is configured by default). */
export const SEED_MODELS: readonly SeedModel[] = [
  {
    name: 'frostbyte-docparse',
    stage: 'parse',
    description: 'Document parser: PDF (unpdf), DOCX (mammoth), HTML, Markdown and text into token-bounded chunks.',
    version: '1.0.0',
    config: { chunk_max_tokens: 200, chunk_overlap_tokens: 20, max_bytes: 25 * 1024 * 1024, tokenizer: 'cl100k_base', delay_ms: 0 },
    pricing: { per_page: 0.0004, per_call: 0.00002 },
  },
  {
    name: 'nomic-embed-text',
    stage: 'embed',
    description: 'Remote embedder: nomic-embed-text over an OpenAI-compatible /v1/embeddings endpoint (e.g. Ollama).',
    version: 'v1.5',
    config: { dim: 768, batch_size: 64, timeout_ms: 30_000, max_retries: 2, delay_ms: 0 },
    pricing: { input_per_1k: 0.00002 },
  },
  {
    name: 'frostbyte-hash-tfidf-256',
    stage: 'embed',
    description: 'Local deterministic embedder: feature-hashed TF-IDF projected to 256 dimensions (no network).',
    version: '1.0.0',
    config: { dim: 256, seed: 0x0f0b7e, tf: 'sublinear', projection: 'seeded rademacher', normalisation: 'l2', delay_ms: 0 },
    pricing: { per_call: 0.000005 },
  },
  {
    name: 'frostbyte-policy',
    stage: 'policy',
    description: 'Rules engine (json-rules-engine): classification, topic, retention and route per document.',
    version: '1.0.0',
    config: {
      config_version: '2024-07-01',
      min_topic_score: 3,
      defaults: { classification: 'internal', topic: 'general', retention: '1y', route: 'standard-store' },
      delay_ms: 0,
    },
    pricing: { per_call: 0.00001 },
  },
];
