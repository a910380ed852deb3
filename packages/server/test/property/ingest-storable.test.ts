import { MAX_METADATA_KEYS, MAX_PAGES, MAX_TOKENS, newId } from '@frostbyte/contracts';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_HEADERS, fetch, postEvents, startServer, uniq, until } from '../helper.ts';

/**
 * Property: whatever schema-valid event is sent, a 202'd id is readable afterwards and
 * every refusal is a 4xx naming a field; storage-hostile text (NUL, lone surrogates)
 * is always refused. Short form in `npm test`; FMO_PROPERTY_RUNS=<n> batches for the
 * long form. The OTLP side of the same property: otlp-storable.test.ts.
 */
const RUNS = Number(process.env.FMO_PROPERTY_RUNS ?? 12);
const BATCH = 16;

const EDGE_TEXT = ['', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'e\u0301\u0302', 'שלום مرحبا', '👩‍👩‍👧‍👦', '\ufffd', 'x'.repeat(256)];
const HOSTILE_TEXT = ['a\u0000b', '\ud800', 'z\udc00', '\u0000'];

// 'binary' units include lone surrogates: rarer, so that most events are storable.
const text = fc.oneof(
  { arbitrary: fc.constantFrom(...EDGE_TEXT), weight: 3 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 1 },
);
const number = fc.oneof(fc.constantFrom(-0, 5e-324, 1.7976931348623157e308, -1.7976931348623157e308, 0), fc.double({ noNaN: true, noDefaultInfinity: true }));
const jsonValue = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, text, number, fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(text, tie('v'), { maxKeys: 4 })),
})).v;
const slug = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,20}$/);

interface Gen {
  event: Record<string, unknown>;
  hostile: boolean;
}

const eventArb = (tenant: string): fc.Arbitrary<Gen> =>
  fc
    .record({
      document_id: fc.option(text.filter((s) => s.length >= 1 && s.length <= 256)),
      stage: slug,
      model_name: slug,
      status: fc.constantFrom('completed', 'failed', 'started'),
      input_tokens: fc.option(fc.integer({ min: 0, max: MAX_TOKENS })),
      output_tokens: fc.option(fc.integer({ min: 0, max: MAX_TOKENS })),
      metadata: fc.dictionary(text.filter((k) => k.length <= 128), jsonValue, { maxKeys: MAX_METADATA_KEYS - 2 }),
      pages: fc.option(fc.integer({ min: 0, max: MAX_PAGES })),
      input: fc.option(jsonValue),
      confidence: fc.option(fc.oneof(fc.constantFrom(0, 1, 5e-324), fc.double({ min: 0, max: 1, noNaN: true }))),
      // One event in five carries storage-hostile text on purpose.
      poison: fc.oneof(
        { arbitrary: fc.constant(null), weight: 4 },
        { arbitrary: fc.tuple(fc.constantFrom('document_id', 'metadata value', 'metadata key', 'trace'), fc.constantFrom(...HOSTILE_TEXT)), weight: 1 },
      ),
    })
    .map((g) => {
      const metadata: Record<string, unknown> = { ...g.metadata };
      if (g.pages !== null) metadata.pages = g.pages;
      const event: Record<string, unknown> = {
        id: newId(),
        invocation_id: newId(),
        timestamp: new Date().toISOString(),
        tenant_id: tenant,
        document_id: g.document_id,
        stage: g.stage,
        model_name: g.model_name,
        model_version: '1.0.0',
        operation: 'parse',
        status: g.status,
        input_tokens: g.input_tokens,
        output_tokens: g.output_tokens,
        metadata,
      };
      if (g.input !== null || g.confidence !== null) {
        event.trace = { ...(g.input !== null ? { input: g.input } : {}), ...(g.confidence !== null ? { confidence_score: g.confidence } : {}) };
      }
      let hostile = false;
      if (g.poison) {
        const [where, bad] = g.poison;
        hostile = true;
        if (where === 'document_id') event.document_id = bad;
        else if (where === 'metadata value') metadata.poison = { deep: [bad] };
        else if (where === 'metadata key') metadata[`k${bad}`] = 1;
        else event.trace = { input: { prompt: bad } };
      }
      return { event, hostile };
    });

for (const mode of ['embedded', 'server'] as const) {
  describe(`property: ingest answers 202 only for what it stores (${mode})`, () => {
    let s: Awaited<ReturnType<typeof startServer>>;
    beforeAll(async () => {
      s = await startServer(mode);
    }, 120_000);
    afterAll(() => s?.close());

    it('every accepted id is readable; every refusal is a 4xx naming a field; hostile text never accepted', async () => {
      const tenant = uniq('prop');
      const tally = { generated: 0, accepted: 0, stored: 0, refused: 0, lost: 0 };
      const problems: string[] = [];
      const reasons = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(fc.array(eventArb(tenant), { minLength: 1, maxLength: BATCH }), async (batch) => {
          tally.generated += batch.length;
          const res = await postEvents(s.url, batch.map((b) => b.event));
          if (res.status !== 202 && res.status !== 400) problems.push(`status ${res.status}`);
          const accepted = new Set(res.body.accepted_ids ?? []);
          const rejected = (res.body.rejected ?? []) as { index: number; errors: { path: string; message: string }[] }[];
          tally.refused += rejected.length;
          for (const r of rejected) reasons.set(r.errors[0]?.path ?? '?', (reasons.get(r.errors[0]?.path ?? '?') ?? 0) + 1);
          for (const r of rejected) if (!r.errors[0]?.path || !r.errors[0]?.message) problems.push(`refusal without a field: ${JSON.stringify(r)}`);
          batch.forEach((b, i) => {
            if (b.hostile && accepted.has(b.event.id as string)) problems.push(`hostile event ${i} accepted`);
          });
          for (const id of accepted) {
            tally.accepted++;
            // Server mode acks once the event is on the Redis stream: the writer stores it
            // shortly after, so "readable afterwards" waits (bounded) for it.
            const status = await until(
              async () => (await fetch(`${s.url}/v1/events/${id}`, { headers: ADMIN_HEADERS })).status,
              (st) => st === 200,
              10_000,
              50,
            ).catch(() => 404);
            if (status === 200) tally.stored++;
            else tally.lost++;
          }
        }),
        { numRuns: RUNS, seed: Number(process.env.FMO_PROPERTY_SEED ?? Date.now() % 2 ** 31) },
      );
      console.log(`[property] ${mode}: generated=${tally.generated} accepted=${tally.accepted} stored=${tally.stored} refused=${tally.refused} lost=${tally.lost}; refused by path: ${JSON.stringify(Object.fromEntries([...reasons].slice(0, 8)))}`);
      expect(problems).toEqual([]);
      expect(tally.lost).toBe(0);
    }, 120_000);
  });
}
