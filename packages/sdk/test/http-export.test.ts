import { afterEach, describe, expect, it } from 'vitest';
import { type TelemetryConfig, TelemetrySdk } from '../src/index.ts';
import { byStatus, tempSpoolDir, uniqueMeta, waitFor } from './helpers.ts';
import { IngestServer } from './ingest-server.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(config: Partial<TelemetryConfig> = {}) {
  const server = await new IngestServer().start();
  const telemetry = new TelemetrySdk({
    endpoint: server.url,
    spoolDir: await tempSpoolDir(),
    flushOnExit: false,
    countTokens: false,
    http: { backoffBaseMs: 5, backoffMaxMs: 20, maxAttempts: 3 },
    ...config,
  });
  cleanup.push(
    () => server.stop(),
    () => telemetry.shutdown(),
  );
  return { server, telemetry };
}

describe('HTTP export', () => {
  it('sends gzip JSON batches with the bearer key on the flush timer, without a flush call', async () => {
    const { server, telemetry } = await setup({ apiKey: 'fmo_test_key' });
    const model = telemetry.wrapModel(async (x: number) => x, uniqueMeta());
    await model(0);
    await telemetry.flush(); // warm-up: spool open, undici loaded, connection pooled
    await model(1);
    await waitFor(() => server.events.length === 4, 2_000, 'batch');
    server.requests.shift();
    const first = server.requests[0];
    // One batch carrying both events, sent by the 25 ms timer (nothing called flush). How soon
    // is measured by `npm run bench` (sdk, latency), not asserted here: a busy CI machine is slow.
    expect(server.requests).toHaveLength(1);
    expect(first?.events.map((e) => e.status)).toEqual(['started', 'completed']);
    expect(first?.headers['content-encoding']).toBe('gzip');
    expect(first?.headers['content-type']).toBe('application/json');
    expect(first?.headers.authorization).toBe('Bearer fmo_test_key');
    await telemetry.flush(); // the reply may still be in flight when the server has recorded the request
    expect(telemetry.stats()).toMatchObject({ emitted: 4, exported: 4, dropped: 0, spooled: 0 });
  });

  it('cuts batches at batchSize events', async () => {
    const { server, telemetry } = await setup({ batchSize: 100, flushIntervalMs: 1_000 });
    const model = telemetry.wrapModel(async (x: number) => x, uniqueMeta());
    await telemetry.flush();
    await Promise.all(Array.from({ length: 250 }, (_, i) => model(i))); // 500 events
    await waitFor(() => server.events.length >= 400, 900, 'size-triggered batches (before the 1 s timer)');
    expect(Math.max(...server.requests.map((r) => r.events.length))).toBeLessThanOrEqual(100);
    await telemetry.flush();
    expect(server.events).toHaveLength(500);
  });

  it('keeps up to maxConcurrentExports full batches in flight while the server is slow', async () => {
    const { server, telemetry } = await setup({ batchSize: 100, maxConcurrentExports: 3 });
    const model = telemetry.wrapModel(async (x: number) => x, uniqueMeta());
    await telemetry.flush();
    const release = server.hold();
    await Promise.all(Array.from({ length: 500 }, (_, i) => model(i))); // 1,000 events: 10 full batches
    await waitFor(() => server.open === 3, 2_000, 'three batches in flight');
    await new Promise((resolve) => setTimeout(resolve, 100)); // a fourth would have arrived by now
    expect(server.open).toBe(3);
    release();
    await telemetry.flush();
    expect(server.maxOpen).toBe(3);
    expect(server.events).toHaveLength(1_000);
    expect(server.deliveries).toHaveLength(1_000); // each once
    expect(telemetry.stats()).toMatchObject({ exported: 1_000, dropped: 0, spooled: 0 });
  });

  it('sends partial batches one at a time, so a quiet process does not fan out small requests', async () => {
    const { server, telemetry } = await setup({ batchSize: 100, maxConcurrentExports: 4 });
    const model = telemetry.wrapModel(async (x: number) => x, uniqueMeta());
    await telemetry.flush();
    const release = server.hold();
    await model(1);
    await waitFor(() => server.open === 1, 2_000, 'the first partial batch');
    await Promise.all(Array.from({ length: 5 }, (_, i) => model(i)));
    await new Promise((resolve) => setTimeout(resolve, 100)); // four flush windows
    expect(server.open).toBe(1);
    release();
    await telemetry.flush();
    expect(server.maxOpen).toBe(1);
    expect(server.requests).toHaveLength(2); // the waiting events went together once a slot freed
    expect(server.events).toHaveLength(12);
  });

  it('retries 503 and succeeds when the server recovers; does not retry 400', async () => {
    const { server, telemetry } = await setup({ spoolDir: false });
    const model = telemetry.wrapModel(async (x: number) => x, uniqueMeta());
    await telemetry.flush();
    // Two 503s, then the server recovers: the third of maxAttempts 3 gets through.
    // (A count, not a timer: a busy CI machine made an 8 ms timer fire after all three tries.)
    server.forceStatus = 503;
    server.forceCount = 2;
    await model(1);
    await telemetry.flush();
    expect(server.forced).toBe(2);
    expect(server.events).toHaveLength(2);
    expect(telemetry.stats()).toMatchObject({ exported: 2, rejected: 0, dropped: 0 });

    const warnings: string[] = [];
    const { server: s2, telemetry: t2 } = await setup({ spoolDir: false, warn: (m) => warnings.push(m) });
    s2.forceStatus = 400;
    const m2 = t2.wrapModel(async (x: number) => x, uniqueMeta());
    await m2(1);
    await t2.flush();
    await m2(2);
    await t2.flush();
    expect(s2.requests).toHaveLength(0); // forced replies are not recorded as deliveries
    expect(t2.stats()).toMatchObject({ emitted: 4, rejected: 4, exported: 0 });
    expect(warnings.filter((w) => w.includes('HTTP 400'))).toHaveLength(1); // logged once
  });

  it('counts per-item rejections from the 202 reply', async () => {
    const { server, telemetry } = await setup();
    const model = telemetry.wrapModel(async () => 'x', uniqueMeta());
    await model();
    await telemetry.flush();
    expect(byStatus(server.events, 'completed')).toHaveLength(1);
    expect(telemetry.stats()).toMatchObject({ exported: 2, rejected: 0 });
  });
});
