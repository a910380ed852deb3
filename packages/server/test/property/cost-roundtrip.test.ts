import { MAX_EVENT_COST_USD, MAX_TOKENS } from '@frostbyte/contracts';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { priceOf } from '../../src/ingest/pricing.ts';
import { createPgliteClient } from '../../src/storage/pglite-client.ts';
import type { SqlClient } from '../../src/storage/sql-client.ts';
import { PG_ADMIN_URL } from '../helper.ts';

/**
 * Property: every cost the server computes comes back from model_events.cost_usd
 * (numeric(18, 9)) as the same number, on PostgreSQL and on PGlite — the audit leaf
 * hashes it (audit-log.ts, leaf v2), so a cost that changed on the way would read as
 * tampering. Costs are written as the writer writes them: the number's text.
 *
 * Why it holds: pricing rounds to k / 1e9, the double nearest a decimal with at most
 * nine fraction digits; that decimal reads back as the same double, so the shortest
 * text of the double (what String() writes) is no longer than it — at most nine
 * fraction digits, which numeric(18, 9) stores without rounding.
 */
const RUNS = Number(process.env.FMO_PROPERTY_RUNS ?? 1) * 400;

const price = fc.oneof(fc.constantFrom(0, 1e-9, 0.000123, 0.5, 1e5), fc.double({ min: 0, max: 1e5, noNaN: true }));
const tokens = fc.oneof(fc.constantFrom(0, 1, 999, MAX_TOKENS), fc.integer({ min: 0, max: MAX_TOKENS }));
const usage = fc.record({
  pricing: fc.record({ input_per_1k: price, output_per_1k: price, cached_input_per_1k: price, per_call: fc.double({ min: 0, max: 1000, noNaN: true }) }),
  input_tokens: tokens,
  output_tokens: tokens,
  cached_input_tokens: tokens,
});
/** Any multiple of 1e-9 up to the ceiling. */
const nanos = fc.oneof(
  fc.constantFrom(0, 1, 5, 999_999_999, 1e15, 2 ** 53, 300_001_000e9, 123_456_789_012_345_680),
  fc.integer({ min: 0, max: 2 ** 31 }),
  fc.double({ min: 0, max: MAX_EVENT_COST_USD * 1e9, noNaN: true }).map(Math.round),
);

describe('costs round-trip through numeric(18, 9) exactly', () => {
  const dbs: { name: string; q: (text: string) => Promise<string>; close: () => Promise<void> }[] = [];
  beforeAll(async () => {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL });
    await c.connect();
    dbs.push({
      name: 'PostgreSQL',
      q: async (t) => (await c.query<{ v: string }>('SELECT $1::numeric(18, 9)::text AS v', [t])).rows[0]?.v as string,
      close: () => c.end(),
    });
    const lite: SqlClient = await createPgliteClient(null);
    dbs.push({
      name: 'PGlite',
      q: async (t) => (await lite.query<{ v: string }>('SELECT $1::numeric(18, 9)::text AS v', [t])).rows[0]?.v as string,
      close: () => lite.close(),
    });
  });
  afterAll(async () => {
    for (const d of dbs) await d.close();
  });

  const back = async (x: number) => {
    for (const d of dbs) {
      const stored = await d.q(String(x));
      expect(Number(stored), `${d.name}: ${String(x)} stored as ${stored}`).toBe(x);
    }
  };

  it('any multiple of 1e-9 up to the ceiling, as pricing rounds', async () => {
    await fc.assert(
      fc.asyncProperty(nanos, async (k) => {
        await back(Math.min(k / 1e9, MAX_EVENT_COST_USD));
      }),
      { numRuns: RUNS },
    );
  });

  it('priceOf for any prices and usage', async () => {
    await fc.assert(
      fc.asyncProperty(usage, async (u) => {
        const x = priceOf(u.pricing, u);
        expect(x).not.toBeNull();
        await back(x as number);
      }),
      { numRuns: RUNS },
    );
  });
});
