import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSeq } from '../../src/kernel/seq.ts';
import type { DataKeyRepository } from '../../src/storage/data-keys.ts';
import type { EventStats } from '../../src/storage/event-stats.ts';
import type { Storage } from '../../src/storage/storage.ts';
import { uniq } from '../helper.ts';
import { record, withSeqs } from './records.ts';

/**
 * The storage contract, run against every implementation (PGlite, PostgreSQL). Each
 * test uses its own tenant ids, so tests never see each other's rows.
 */
export function storageSuite(
  name: string,
  make: () => Promise<{ storage: Storage; stats: EventStats; keys: DataKeyRepository; cleanup: () => Promise<void> }>,
) {
  describe(`storage contract: ${name}`, () => {
    let storage: Storage;
    let stats: EventStats;
    let keys: DataKeyRepository;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ storage, stats, keys, cleanup } = await make());
    }, 60_000);
    afterAll(() => cleanup?.());

    it('writes a batch once: a replay inserts nothing and is not counted twice in the rollups', async () => {
      const tenant = uniq('t');
      const batch = withSeqs([
        record({ tenant_id: tenant, document_id: 'd1', cached_input_tokens: 40, cache_write_tokens: 10 }),
        record({ tenant_id: tenant, document_id: 'd1', reasoning_tokens: 7 }),
        record({ tenant_id: tenant, document_id: 'd2', status: 'failed', cached_input_tokens: 2 }),
      ]);
      expect((await storage.insertRecords(batch)).inserted).toBe(3);
      expect((await storage.insertRecords(batch)).inserted).toBe(0);
      // Same ids at other positions (a replay through the bus) are still duplicates.
      expect((await storage.insertRecords(withSeqs(batch.map((b) => b.record)))).inserted).toBe(0);
      const events = await storage.listEvents([tenant], { limit: 10 });
      expect(events).toHaveLength(3);
      const window = [new Date(Date.now() - 7200_000), new Date(Date.now() + 7200_000)] as const;
      // The hourly rollup (per tenant) and the events (per document) sum the token parts alike.
      const parts = { input_tokens: 300, output_tokens: 60, cached_input_tokens: 42, cache_write_tokens: 10, reasoning_tokens: 7 };
      expect(await stats.costs([tenant], 'tenant', ...window)).toEqual([{ key: tenant, calls: 3, errors: 1, ...parts, cost_usd: 0.003 }]);
      const perDoc = await stats.costs([tenant], 'document', ...window);
      expect(perDoc.map((r) => [r.key, r.cached_input_tokens, r.cache_write_tokens, r.reasoning_tokens]).sort()).toEqual([
        ['d1', 40, 10, 7],
        ['d2', 2, 0, 0],
      ]);
    });

    it('pages newest first with a keyset cursor, no overlap and no hole', async () => {
      const tenant = uniq('t');
      const batch = withSeqs(Array.from({ length: 25 }, () => record({ tenant_id: tenant })));
      await storage.insertRecords(batch);
      const seen: string[] = [];
      let before: bigint | undefined;
      for (let page = 0; page < 5; page++) {
        const rows = await storage.listEvents([tenant], { limit: 10, beforeSeq: before });
        seen.push(...rows.map((r) => r.id));
        if (rows.length < 10) break;
        before = parseSeq(rows[rows.length - 1]?.seq as string) as bigint;
      }
      expect(seen).toEqual(batch.map((b) => b.record.event.id).reverse());
    });

    it('never returns another tenant\'s rows, whatever the filter asks', async () => {
      const a = uniq('a');
      const b = uniq('b');
      const rb = record({ tenant_id: b });
      await storage.insertRecords(withSeqs([record({ tenant_id: a }), rb]));
      expect(await storage.listEvents([a], { limit: 10, tenant_id: b })).toEqual([]);
      expect(await storage.getEvent([a], rb.event.id)).toBeNull();
      expect(await storage.invocationEvents([a], rb.event.invocation_id)).toEqual([]);
      expect((await storage.getEvent([b], rb.event.id))?.event.tenant_id).toBe(b);
    });

    it('filters by model, stage, status and document prefix (LIKE wildcards are literal)', async () => {
      const t = uniq('t');
      await storage.insertRecords(
        withSeqs([
          record({ tenant_id: t, model_name: 'embedder-x', stage: 'embed', document_id: 'inv_2024%01' }),
          record({ tenant_id: t, model_name: 'parser-y', stage: 'parse', document_id: 'inv_2024X01' }),
          record({ tenant_id: t, model_name: 'parser-y', stage: 'parse', status: 'failed', document_id: 'other' }),
        ]),
      );
      expect((await storage.listEvents([t], { limit: 10, model_name: 'embedder-x' })).map((e) => e.stage)).toEqual(['embed']);
      expect(await storage.listEvents([t], { limit: 10, stage: 'parse', status: 'failed' })).toHaveLength(1);
      expect((await storage.listEvents([t], { limit: 10, document_prefix: 'inv_2024%' })).map((e) => e.document_id)).toEqual(['inv_2024%01']);
    });

    it('stores a sealed trace beside its event and returns the bytes unchanged', async () => {
      const t = uniq('t');
      const bytes = Buffer.from([0xf1, 1, 2, 3, 250]).toString('base64');
      const r = record({ tenant_id: t }, { input: bytes, output: null, decision_rationale: bytes, confidence_score: 0.75, redactions: { EMAIL: 2 }, key_version: 1 });
      await storage.insertRecords(withSeqs([r]));
      const got = await storage.getEvent([t], r.event.id);
      expect(got?.event.has_trace).toBe(true);
      expect(got?.trace).toMatchObject({ input: bytes, output: null, decision_rationale: bytes, redactions: { EMAIL: 2 }, key_version: 1 });
      expect(got?.trace?.confidence_score).toBeCloseTo(0.75);
    });

    it('stores text and JSON exactly, whatever characters they hold (quotes, backslashes, braces, commas, NULL)', async () => {
      const t = uniq('t');
      const awkward = ['say "hi", then {leave}', 'C:\\temp\\x', 'NULL', ' padded ', 'ünï 日本 \u2028', '\\"', '', 'a,b}{'];
      const records = awkward.map((text, i) => {
        const r = record({ tenant_id: t, model_name: `m${text}`, document_id: text || null });
        r.event.pipeline_run_id = text || null;
        r.event.metadata = { note: text, nested: { list: [text, i] }, [`k${text}`]: true };
        r.event.error = { type: 'E"rr', message: text };
        return r;
      });
      await storage.insertRecords(withSeqs(records));
      for (const r of records) {
        const got = (await storage.getEvent([t], r.event.id))?.event;
        expect(got).toMatchObject({
          model_name: r.event.model_name,
          document_id: r.event.document_id,
          pipeline_run_id: r.event.pipeline_run_id,
          metadata: r.event.metadata,
          error: r.event.error,
        });
      }
    });

    it('reads after a position in order and knows whether a position is still held', async () => {
      const t = uniq('t');
      const batch = withSeqs([record({ tenant_id: t }), record({ tenant_id: t }), record({ tenant_id: t })]);
      await storage.insertRecords(batch);
      const first = parseSeq(batch[0]?.seq as string) as bigint;
      const after = await storage.eventsAfter([t], {}, first, 10);
      expect(after.map((e) => e.seq)).toEqual([batch[1]?.seq, batch[2]?.seq]);
      expect(await storage.holdsSeq(first)).toBe(true);
      expect(await storage.holdsSeq(1n)).toBe(false);
      expect((await storage.maxSeq()) ?? 0n).toBeGreaterThanOrEqual(parseSeq(batch[2]?.seq as string) as bigint);
    });

    it('summarises per model: calls, in-flight, error rate, percentiles, status', async () => {
      const t = uniq('t');
      const inFlight = record({ tenant_id: t, status: 'started', model_name: 'm1' });
      const durations = [10, 20, 30, 40, 1000];
      await storage.insertRecords(
        withSeqs([
          inFlight,
          ...durations.map((d) => record({ tenant_id: t, model_name: 'm1', duration_ms: d })),
          record({ tenant_id: t, model_name: 'm1', status: 'failed', duration_ms: 5 }),
        ]),
      );
      const [row] = await stats.metricsSummary([t], {}, 300);
      expect(row).toMatchObject({ model_name: 'm1', calls: 6, in_flight: 1, errors: 1, status: 'error' });
      expect(row?.error_rate).toBeCloseTo(1 / 6);
      expect(row?.p50_ms).toBe(30);
      expect(row?.p99_ms).toBeGreaterThan(900);
      const series = await stats.timeseries([t], {}, 300, 60);
      expect(series[0]?.points.reduce((s, p) => s + p.calls, 0)).toBe(6);
    });

    it('takes the percentiles of completed durations only, per model; a model without any has none', async () => {
      const t = uniq('t');
      await storage.insertRecords(
        withSeqs([
          ...[400, 100, 300, 200].map((d) => record({ tenant_id: t, model_name: 'done', duration_ms: d })),
          record({ tenant_id: t, model_name: 'done', duration_ms: null }),
          record({ tenant_id: t, model_name: 'done', status: 'failed', duration_ms: 5000 }),
          record({ tenant_id: t, model_name: 'waiting', status: 'started' }),
          record({ tenant_id: t, model_name: 'failing', status: 'failed', duration_ms: 50 }),
        ]),
      );
      const rows = await stats.metricsSummary([t], {}, 300);
      const by = (m: string) => rows.find((r) => r.model_name === m);
      expect(by('done')).toMatchObject({ calls: 6, errors: 1, p50_ms: 250 });
      expect(by('done')?.p95_ms).toBeCloseTo(385);
      expect(by('done')?.p99_ms).toBeCloseTo(397);
      expect(by('waiting')).toMatchObject({ calls: 0, in_flight: 1, p50_ms: null, p95_ms: null, p99_ms: null, status: 'processing' });
      expect(by('failing')).toMatchObject({ calls: 1, errors: 1, p50_ms: null, p95_ms: null, p99_ms: null });
    });

    it('finds started invocations that never ended', async () => {
      const t = uniq('t');
      const old = new Date(Date.now() - 3600_000).toISOString();
      const stale = record({ tenant_id: t, status: 'started', timestamp: old });
      const ended = record({ tenant_id: t, status: 'started', timestamp: old });
      const end = record({ tenant_id: t, invocation_id: ended.event.invocation_id, status: 'completed' });
      await storage.insertRecords(withSeqs([stale, ended, end]));
      const found = await storage.staleInvocations(new Date(Date.now() - 60_000), 1000);
      const ids = found.map((e) => e.id);
      expect(ids).toContain(stale.event.id);
      expect(ids).not.toContain(ended.event.id);
    });

    // The in-flight set (migrations/0013): kept by the writer, read by the live figures
    // (metricsSummary here) and the abandon sweep.
    const inFlight = async (tenant: string) => (await stats.metricsSummary([tenant], {}, 3600)).reduce((n, r) => n + r.in_flight, 0);

    it('counts a start alone as in flight, and a start with its end in the same batch not', async () => {
      const t = uniq('t');
      const open = record({ tenant_id: t, status: 'started' });
      const start = record({ tenant_id: t, status: 'started' });
      const end = record({ tenant_id: t, invocation_id: start.event.invocation_id, status: 'completed' });
      await storage.insertRecords(withSeqs([open, start, end]));
      expect(await inFlight(t)).toBe(1);
      const [row] = await stats.metricsSummary([t], {}, 3600);
      expect(row?.status).toBe('processing');
    });

    it('closes an invocation whose end committed before its start, and a replay reopens nothing', async () => {
      const t = uniq('t');
      const start = record({ tenant_id: t, status: 'started' });
      const end = record({ tenant_id: t, invocation_id: start.event.invocation_id, status: 'failed' });
      const endFirst = withSeqs([end]);
      const startLater = withSeqs([start]);
      await storage.insertRecords(endFirst);
      await storage.insertRecords(startLater);
      expect(await inFlight(t)).toBe(0);
      // In order, then the start replayed (same positions, then new ones): still closed.
      const start2 = record({ tenant_id: t, status: 'started' });
      const end2 = record({ tenant_id: t, invocation_id: start2.event.invocation_id, status: 'completed' });
      const first = withSeqs([start2]);
      await storage.insertRecords(first);
      expect(await inFlight(t)).toBe(1);
      await storage.insertRecords(withSeqs([end2]));
      expect(await inFlight(t)).toBe(0);
      await storage.insertRecords(first);
      await storage.insertRecords(withSeqs([start2, start]));
      await storage.insertRecords(endFirst);
      expect(await inFlight(t)).toBe(0);
    });

    it('keeps each tenant\'s in-flight set to itself, even under the same invocation id', async () => {
      const a = uniq('a');
      const b = uniq('b');
      const started = record({ tenant_id: a, status: 'started' });
      await storage.insertRecords(withSeqs([started]));
      expect(await inFlight(a)).toBe(1);
      expect(await inFlight(b)).toBe(0);
      expect(await stats.metricsSummary([b], { tenant_id: a }, 3600)).toEqual([]);
      // B ending an invocation id it shares with A closes nothing of A's.
      await storage.insertRecords(withSeqs([record({ tenant_id: b, invocation_id: started.event.invocation_id, status: 'completed' })]));
      expect(await inFlight(a)).toBe(1);
      expect(await inFlight(b)).toBe(0);
    });

    it('finds as stale only the old starts that are truly open, and closes a start that came after its pruned end', async () => {
      const t = uniq('t');
      const old = new Date(Date.now() - 3600_000).toISOString();
      const open = record({ tenant_id: t, status: 'started', timestamp: old });
      const closedLater = record({ tenant_id: t, status: 'started', timestamp: old });
      const endFirst = record({ tenant_id: t, status: 'started', timestamp: old });
      const recent = record({ tenant_id: t, status: 'started' });
      await storage.insertRecords(withSeqs([open, closedLater, recent]));
      await storage.insertRecords(withSeqs([record({ tenant_id: t, invocation_id: closedLater.event.invocation_id, status: 'completed' })]));
      await storage.insertRecords(withSeqs([record({ tenant_id: t, invocation_id: endFirst.event.invocation_id, status: 'completed' })]));
      // The end's tombstone is forgotten before its start arrives: the row reopens.
      await storage.pruneInvocations(new Date(Date.now() + 1000), new Date(0));
      await storage.insertRecords(withSeqs([endFirst]));
      const found = await storage.staleInvocations(new Date(Date.now() - 60_000), 1000);
      expect(found.filter((e) => e.tenant_id === t).map((e) => e.id)).toEqual([open.event.id]);
      expect(found.find((e) => e.id === open.event.id)).toEqual(
        expect.objectContaining({ invocation_id: open.event.invocation_id, status: 'started', timestamp: open.event.timestamp }),
      );
      // The sweep's check closed the reopened row; the open one stays until abandoned.
      const again = await storage.staleInvocations(new Date(Date.now() - 60_000), 1000);
      expect(again.filter((e) => e.tenant_id === t).map((e) => e.id)).toEqual([open.event.id]);
      // The sweep's `abandoned` event is an end like any other: it closes the row.
      const end = record({ tenant_id: t, invocation_id: open.event.invocation_id });
      await storage.insertRecords(withSeqs([{ ...end, event: { ...end.event, status: 'abandoned' } }]));
      expect((await storage.staleInvocations(new Date(Date.now() - 60_000), 1000)).filter((e) => e.tenant_id === t)).toEqual([]);
      expect(await inFlight(t)).toBe(1); // the recent start
    });

    it('files events outside the day partitions in the default partition, and creating partitions is idempotent', async () => {
      const t = uniq('t');
      const past = record({ tenant_id: t, timestamp: new Date(Date.now() - 5 * 86_400_000).toISOString() });
      await storage.insertRecords(withSeqs([past]));
      expect((await storage.getEvent([t], past.event.id))?.event.id).toBe(past.event.id);
      expect(await storage.ensurePartitions(new Date(), 2)).toBe(0);
    });

    it('keeps wrapped data keys and their primary/destroyed state', async () => {
      const t = uniq('t');
      await keys.putDataKeys([{ tenant_id: t, version: 1, wrapped_key: new Uint8Array([1, 2, 3]), primary: true }]);
      await keys.putDataKeys([
        { tenant_id: t, version: 1, wrapped_key: new Uint8Array([1, 2, 3]), primary: false },
        { tenant_id: t, version: 2, wrapped_key: new Uint8Array([4, 5]), primary: true },
      ]);
      const mine = (await keys.dataKeys()).filter((k) => k.tenant_id === t);
      expect(mine.map((k) => [k.version, k.primary, [...k.wrapped_key]])).toEqual([
        [1, false, [1, 2, 3]],
        [2, true, [4, 5]],
      ]);
    });

    it('records model versions with prices once per (name, version)', async () => {
      const name = uniq('model-');
      await storage.upsertModelVersion({ model_name: name, version: '1', pricing: { input_per_1k: 0.5 } });
      await storage.upsertModelVersion({ model_name: name, version: '1', pricing: { input_per_1k: 9 } });
      expect((await storage.pricing()).filter((p) => p.model_name === name)).toEqual([{ model_name: name, version: '1', pricing: { input_per_1k: 0.5 } }]);
    });
  });
}
