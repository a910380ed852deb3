import {
  MAX_EVENT_COST_USD,
  MAX_PAGES,
  MAX_PRICE_PER_1K_TOKENS_USD,
  MAX_PRICE_PER_CALL_USD,
  MAX_PRICE_PER_PAGE_USD,
  MAX_TOKENS,
} from '@frostbyte/contracts';
import type { Storage } from '../storage/storage.ts';

/** USD prices kept with a model version. All optional; missing means free, except a
 * token part's price (cached read, cache write, reasoning), which falls back to the
 * price of its total's tokens (contracts models.ts). */
export interface Pricing {
  input_per_1k?: number;
  output_per_1k?: number;
  cached_input_per_1k?: number;
  cache_write_per_1k?: number;
  reasoning_per_1k?: number;
  per_page?: number;
  per_call?: number;
}

export interface PricedUsage {
  input_tokens: number | null;
  output_tokens: number | null;
  /** Parts of input_tokens / output_tokens (contracts event.ts TOKEN_DETAILS). */
  cached_input_tokens?: number | null;
  cache_write_tokens?: number | null;
  reasoning_tokens?: number | null;
  metadata?: Record<string, unknown>;
}

/** A price as pricing may use it: registry rows written before the bounds existed
 * (or by hand) may hold anything, so a negative, non-finite or non-numeric price is
 * treated as absent and one above its bound as the bound. */
const price = (v: unknown, max: number): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.min(v, max) : undefined;

/** A usage count the same way: ingest already refuses counts outside the schema's
 * bounds (limits.ts); this is the guard for any other caller. */
const count = (v: unknown, max: number): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.min(v, max) : 0);

/** Cost is computed here, on the server, from the registry's prices; a client's own
 * figure is never trusted. Unknown model versions are priced `null` (unpriced), which
 * the dashboard shows as such rather than as zero.
 *
 * Invariant: the result is null or a finite number in [0, MAX_EVENT_COST_USD], so it
 * always fits model_events.cost_usd (numeric(18, 9)) and a rollup can never be
 * pushed over its ceiling by one event (README "Limits" has the arithmetic). */
export function priceOf(p: Pricing | undefined, u: PricedUsage): number | null {
  if (!p) return null;
  const m = u.metadata ?? {};
  const pages = count(m.pages, MAX_PAGES);
  const tokenPrice = (v: number | undefined) => price(v, MAX_PRICE_PER_1K_TOKENS_USD);
  const inputPrice = tokenPrice(p.input_per_1k) ?? 0;
  const outputPrice = tokenPrice(p.output_per_1k) ?? 0;
  // Parts are priced out of their totals, so every token is priced once and the bound
  // below holds. A total not reported is taken as the sum of its parts; parts larger
  // than a total (ingest refuses those; a guard for other callers) are cut to it.
  const inTotal = u.input_tokens === null || u.input_tokens === undefined ? null : count(u.input_tokens, MAX_TOKENS);
  const cachedRaw = count(u.cached_input_tokens ?? m.cached_input_tokens, MAX_TOKENS);
  const writeRaw = count(u.cache_write_tokens, MAX_TOKENS);
  const input = inTotal ?? Math.min(cachedRaw + writeRaw, MAX_TOKENS);
  const cached = Math.min(cachedRaw, input);
  const written = Math.min(writeRaw, input - cached);
  const outTotal = u.output_tokens === null || u.output_tokens === undefined ? null : count(u.output_tokens, MAX_TOKENS);
  const reasoningRaw = count(u.reasoning_tokens, MAX_TOKENS);
  const output = outTotal ?? reasoningRaw;
  const reasoning = Math.min(reasoningRaw, output);
  const cost =
    ((input - cached - written) / 1000) * inputPrice +
    (cached / 1000) * (tokenPrice(p.cached_input_per_1k) ?? inputPrice) +
    (written / 1000) * (tokenPrice(p.cache_write_per_1k) ?? inputPrice) +
    ((output - reasoning) / 1000) * outputPrice +
    (reasoning / 1000) * (tokenPrice(p.reasoning_per_1k) ?? outputPrice) +
    pages * (price(p.per_page, MAX_PRICE_PER_PAGE_USD) ?? 0) +
    (price(p.per_call, MAX_PRICE_PER_CALL_USD) ?? 0);
  // With the clamps above the sum cannot exceed the bound; saturating says so in code.
  return Math.min(Math.round(cost * 1e9) / 1e9, MAX_EVENT_COST_USD);
}

/** Prices by `name@version`, reloaded from the registry every few seconds so a new
 * version's prices apply without a restart. */
export class PriceBook {
  private prices = new Map<string, Pricing>();
  private loadedAt = 0;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly storage: Storage,
    private readonly ttlMs = 5000,
  ) {}

  async refresh(force = false) {
    if (!force && Date.now() - this.loadedAt < this.ttlMs) return;
    this.loading ??= this.storage
      .pricing()
      .then(
        (rows) => {
          this.prices = new Map(rows.map((r) => [`${r.model_name}@${r.version}`, r.pricing as Pricing]));
          this.loadedAt = Date.now();
        },
        (err: unknown) => {
          // The database is away (the bus still takes events): keep pricing with the
          // last prices and try again in a second, rather than refusing every batch.
          // Only a book that never loaded has nothing to price with.
          if (this.loadedAt === 0) throw err;
          this.loadedAt = Date.now() - this.ttlMs + 1000;
        },
      )
      .finally(() => {
        this.loading = null;
      });
    await this.loading;
  }

  get(model: string, version: string): Pricing | undefined {
    return this.prices.get(`${model}@${version}`);
  }
}
