/**
 * What an event may carry, as numbers: the bounds the ingest schema publishes and the
 * server's storability check (server/src/ingest/storable.ts) enforces, so that a 202
 * always means the writer can store the event. README.md "Limits" lists them with
 * the rollup arithmetic below.
 */

/** input_tokens, output_tokens, their parts (cached_input_tokens, cache_write_tokens,
 * reasoning_tokens) and the legacy metadata.cached_input_tokens: int4 holds 2.1e9. */
export const MAX_TOKENS = 100_000_000;
/** One day; longer calls are not model calls. */
export const MAX_DURATION_MS = 86_400_000;
/** metadata.pages: a document of a million pages is already far past any real one. */
export const MAX_PAGES = 1_000_000;

export const MAX_METADATA_KEYS = 64;
/** Top-level metadata keys (deeper keys and trace payload keys are the client's own
 * shapes; only the storability rules apply to them). */
export const MAX_KEY_LENGTH = 128;
/** Deepest nesting of metadata and trace payloads (the redactor and the audit hashing
 * walk them; canonical JSON refuses deeper than 200). */
export const MAX_NESTING_DEPTH = 64;

/** PostgreSQL `real` (confidence_score) refuses a value that rounds to zero, so a
 * non-zero confidence must be at least float4's smallest normal number. */
export const MIN_NONZERO_CONFIDENCE = 1.1754943508222875e-38;

/** Registry prices (USD), the other half of every cost. */
export const MAX_PRICE_PER_1K_TOKENS_USD = 1000;
export const MAX_PRICE_PER_PAGE_USD = 100;
export const MAX_PRICE_PER_CALL_USD = 1000;

/**
 * The most one event can cost with the bounds above: tokens priced as input or
 * cached input (never both: cached is taken out of input) plus output, pages and the
 * call. 1e8 + 1e8 + 1e8 + 1e3 = 300,001,000 USD, under model_events.cost_usd's
 * numeric(18, 9) ceiling of 1e9. Pricing saturates here as a last guard.
 */
export const MAX_EVENT_COST_USD =
  2 * (MAX_TOKENS / 1000) * MAX_PRICE_PER_1K_TOKENS_USD + MAX_PAGES * MAX_PRICE_PER_PAGE_USD + MAX_PRICE_PER_CALL_USD;

/** The cost columns' ceilings: model_events.cost_usd numeric(18, 9); the rollups
 * (cost_metrics, audit_summaries) numeric(38, 9) since migrations/0021. */
export const EVENT_COST_COLUMN_MAX_USD = 1e9;
export const ROLLUP_COST_COLUMN_MAX_USD = 1e29;
