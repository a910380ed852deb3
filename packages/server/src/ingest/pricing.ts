import type { Storage } from '../storage/storage.ts';

/** USD prices kept with a model version. All optional; missing means free. */
export interface Pricing {
  input_per_1k?: number;
  output_per_1k?: number;
  cached_input_per_1k?: number;
  per_page?: number;
  per_call?: number;
}

export interface PricedUsage {
  input_tokens: number | null;
  output_tokens: number | null;
  metadata?: Record<string, unknown>;
}

/** Cost is computed here, on the server, from the registry's prices; a client's own
 * figure is never trusted. Unknown model versions are priced `null` (unpriced), which
 * the dashboard shows as such rather than as zero. */
export function priceOf(p: Pricing | undefined, u: PricedUsage): number | null {
  if (!p) return null;
  const m = u.metadata ?? {};
  const cached = typeof m.cached_input_tokens === 'number' ? m.cached_input_tokens : 0;
  const pages = typeof m.pages === 'number' ? m.pages : 0;
  const input = Math.max(0, (u.input_tokens ?? 0) - cached);
  const cost =
    (input / 1000) * (p.input_per_1k ?? 0) +
    (cached / 1000) * (p.cached_input_per_1k ?? p.input_per_1k ?? 0) +
    ((u.output_tokens ?? 0) / 1000) * (p.output_per_1k ?? 0) +
    pages * (p.per_page ?? 0) +
    (p.per_call ?? 0);
  return Math.round(cost * 1e9) / 1e9;
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
