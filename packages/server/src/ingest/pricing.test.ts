import { MAX_EVENT_COST_USD, MAX_TOKENS } from '@frostbyte/contracts';
import { describe, expect, it } from 'vitest';
import { priceOf } from './pricing.ts';

/** Costs by hand: prices are USD per 1k tokens. */
const LIST = { input_per_1k: 0.15, output_per_1k: 0.6 };

describe('priceOf: token parts priced out of their totals', () => {
  it('a cached call: cached reads at the cached price, the rest of the prompt at the input price', () => {
    const usage = { input_tokens: 1200, output_tokens: 40, cached_input_tokens: 1024 };
    const cost = priceOf({ ...LIST, cached_input_per_1k: 0.075 }, usage);
    expect(cost).toBeCloseTo(0.176 * 0.15 + 1.024 * 0.075 + 0.04 * 0.6, 9); // 0.1272
    // Without the part the same call was priced 0.204 USD: 60 % too high.
    expect(priceOf({ ...LIST, cached_input_per_1k: 0.075 }, { input_tokens: 1200, output_tokens: 40 })).toBeCloseTo(0.204, 9);
  });

  it('cache writes and reasoning tokens at their own prices', () => {
    const p = { ...LIST, cached_input_per_1k: 0.015, cache_write_per_1k: 0.1875, reasoning_per_1k: 2.4 };
    const usage = { input_tokens: 3000, output_tokens: 500, cached_input_tokens: 1000, cache_write_tokens: 1500, reasoning_tokens: 200 };
    // 500 fresh + 1000 read + 1500 written; 300 answer + 200 reasoning.
    expect(priceOf(p, usage)).toBeCloseTo(0.5 * 0.15 + 1 * 0.015 + 1.5 * 0.1875 + 0.3 * 0.6 + 0.2 * 2.4, 9);
  });

  it('a part without a price costs what its total costs (the written fallback rule)', () => {
    const usage = { input_tokens: 3000, output_tokens: 500, cached_input_tokens: 1000, cache_write_tokens: 1500, reasoning_tokens: 200 };
    expect(priceOf(LIST, usage)).toBeCloseTo(3 * 0.15 + 0.5 * 0.6, 9);
    // A zero price is a price: a free cache read is not the input price.
    expect(priceOf({ ...LIST, cached_input_per_1k: 0 }, usage)).toBeCloseTo(2 * 0.15 + 0.5 * 0.6, 9);
  });

  it('reads the legacy metadata.cached_input_tokens when the field is absent; the field wins', () => {
    const p = { ...LIST, cached_input_per_1k: 0.075 };
    expect(priceOf(p, { input_tokens: 1200, output_tokens: 40, metadata: { cached_input_tokens: 1024 } })).toBeCloseTo(0.1272, 9);
    expect(
      priceOf(p, { input_tokens: 1200, output_tokens: 40, cached_input_tokens: 0, metadata: { cached_input_tokens: 1024 } }),
    ).toBeCloseTo(0.204, 9);
  });

  it('never prices a token twice: parts over their totals are cut, a missing total is the sum of its parts', () => {
    const p = { input_per_1k: 1, output_per_1k: 1, cached_input_per_1k: 1000, cache_write_per_1k: 1000, reasoning_per_1k: 1000 };
    expect(priceOf(p, { input_tokens: 10, output_tokens: 0, cached_input_tokens: 5000 })).toBeCloseTo((10 / 1000) * 1000, 9);
    expect(priceOf(p, { input_tokens: null, output_tokens: null, cached_input_tokens: 1000, reasoning_tokens: 1000 })).toBeCloseTo(2000, 9);
    const max = {
      input_tokens: MAX_TOKENS,
      output_tokens: MAX_TOKENS,
      cached_input_tokens: MAX_TOKENS,
      cache_write_tokens: MAX_TOKENS,
      reasoning_tokens: MAX_TOKENS,
    };
    expect(priceOf(p, max)).toBeLessThanOrEqual(MAX_EVENT_COST_USD);
    expect(priceOf(p, { input_tokens: null, output_tokens: null, cached_input_tokens: MAX_TOKENS, cache_write_tokens: MAX_TOKENS })).toBe(
      1e8,
    );
  });
});
