import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetch, getJson, type Json, makeEvent, postEvents, startServer, uniq, until } from '../helper.ts';

/**
 * Cached-read, cache-write and reasoning tokens as event fields (issue 13): stored in
 * their own columns (migrations/0022), priced by the registry's prices for them, and
 * served back by the API, on PGlite and on PostgreSQL.
 */
for (const mode of ['embedded', 'server'] as const) {
  describe(`token parts end to end (${mode})`, () => {
    let s: Awaited<ReturnType<typeof startServer>>;
    const model = uniq('cached-model-');
    beforeAll(async () => {
      s = await startServer(mode);
      const pricing = { input_per_1k: 3, output_per_1k: 15, cached_input_per_1k: 0.3, cache_write_per_1k: 3.75, reasoning_per_1k: 30 };
      const r = await fetch(`${s.url}/v1/models`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: model, stage: 'policy', version: { version: '1', pricing, reason: 'list prices' } }),
      });
      expect(r.status).toBe(201);
      const v = await getJson(`${s.url}/v1/models/${model}/versions`);
      expect(JSON.stringify(v)).toContain('"cache_write_per_1k":3.75');
    }, 90_000);
    afterAll(() => s?.close());

    // Server mode stores through the bus: reads wait for the writer.
    const stored = (id: string) =>
      until(
        () => getJson(`${s.url}/v1/events/${id}`),
        (r: Json) => Boolean(r.event),
      );
    const event = (over: Record<string, unknown>) => ({
      ...makeEvent({ model_name: model, model_version: '1', stage: 'policy' }),
      ...over,
    });

    it('stores and serves the parts, and prices each at its own rate', async () => {
      const tenant = uniq('tok');
      const e = event({
        tenant_id: tenant,
        input_tokens: 3000,
        output_tokens: 500,
        cached_input_tokens: 1000,
        cache_write_tokens: 1500,
        reasoning_tokens: 200,
      });
      const res = await postEvents(s.url, [e]);
      expect(res.status).toBe(202);
      expect(res.body.rejected).toEqual([]);
      const got = await stored(e.id);
      expect(got.event).toMatchObject({
        input_tokens: 3000,
        output_tokens: 500,
        cached_input_tokens: 1000,
        cache_write_tokens: 1500,
        reasoning_tokens: 200,
      });
      // 500 fresh × 3 + 1000 read × 0.3 + 1500 written × 3.75 + 300 answer × 15 + 200 reasoning × 30, per 1k.
      expect(got.event.cost_usd).toBeCloseTo(1.5 + 0.3 + 5.625 + 4.5 + 6, 9);
      const list = await getJson(`${s.url}/v1/events?tenant_id=${tenant}`);
      expect(list.events[0]).toMatchObject({ cached_input_tokens: 1000, cache_write_tokens: 1500, reasoning_tokens: 200 });
      // The cost views sum the parts beside the totals: the hourly rollup (per tenant) and the events (per document).
      for (const group of ['tenant', 'document']) {
        const costs = await getJson(`${s.url}/v1/costs?group_by=${group}`);
        const row = costs.rows.find((r: Json) => r.key === (group === 'tenant' ? tenant : e.document_id));
        expect(row, group).toMatchObject({ calls: 1, input_tokens: 3000, cached_input_tokens: 1000, cache_write_tokens: 1500, reasoning_tokens: 200 });
        expect(row.cost_usd).toBeCloseTo(17.925, 9);
      }
    });

    it('an event without parts serves them as null; the legacy metadata.cached_input_tokens fills the field', async () => {
      const plain = event({ input_tokens: 100, output_tokens: 10 });
      const legacy = event({ input_tokens: 1000, output_tokens: 0, metadata: { cached_input_tokens: 800 } });
      expect((await postEvents(s.url, [plain, legacy])).body.accepted).toBe(2);
      const a = await stored(plain.id);
      expect(a.event).toMatchObject({ cached_input_tokens: null, cache_write_tokens: null, reasoning_tokens: null });
      expect(a.event.cost_usd).toBeCloseTo(0.3 + 0.15, 9);
      const b = await stored(legacy.id);
      expect(b.event.cached_input_tokens).toBe(800);
      expect(b.event.cost_usd).toBeCloseTo(0.6 + 0.24, 9);
    });

    it('refuses parts larger than their totals, and prices that are not numbers, naming the field', async () => {
      const over = event({ input_tokens: 100, cached_input_tokens: 90, cache_write_tokens: 20 });
      const reasoning = event({ output_tokens: 5, reasoning_tokens: 6 });
      const negative = event({ cached_input_tokens: -1 });
      const res = await postEvents(s.url, [over, reasoning, negative]);
      expect(res.status).toBe(400);
      const byIndex = Object.fromEntries(
        ((res.body.rejected ?? []) as { index: number; errors: { path: string; message: string }[] }[]).map((r) => [r.index, r.errors[0]]),
      );
      expect(byIndex[0]).toMatchObject({
        path: '/input_tokens',
        message: expect.stringContaining('cached_input_tokens + cache_write_tokens (110)'),
      });
      expect(byIndex[1]).toMatchObject({ path: '/output_tokens', message: expect.stringContaining('reasoning_tokens (6)') });
      expect(byIndex[2]).toMatchObject({ path: '/cached_input_tokens' });
      const bad = await fetch(`${s.url}/v1/models/${model}/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ version: '2', pricing: { reasoning_per_1k: 'cheap' }, reason: 'typo' }),
      });
      expect(bad.status).toBe(400);
      expect(await bad.text()).toMatch(/reasoning_per_1k/);
    });
  });
}
