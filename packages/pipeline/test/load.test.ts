import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, uniq } from '../../server/test/helper.ts';
import { awaitStoredEvents, drainTelemetry, runLoad } from '../src/load.ts';
import { closeServer, newTelemetry, SERVER_START_TIMEOUT_MS, tokenOf, withAdminToken } from './support.ts';

describe('the load generator', { timeout: 120_000 }, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let token: string | undefined;
  beforeAll(async () => {
    server = await startServer('server', withAdminToken());
    token = tokenOf(server);
  }, SERVER_START_TIMEOUT_MS);
  afterAll(async () => {
    if (server) await closeServer(server);
  });

  it('runs the real stages at 200 concurrent operations and the server stores every event (stored == invocations × 2)', async () => {
    const tenant = uniq('load');
    const telemetry = newTelemetry(server.url, token);
    const result = await runLoad({ concurrency: 200, durationMs: 3_000, tenant, seed: 7, latencyMs: 10, telemetry });
    expect(await drainTelemetry(telemetry, 30_000)).toBe(true);
    const stats = telemetry.stats();
    await telemetry.shutdown();

    // The concurrency bound holds; how close the peak gets to it depends on how busy
    // the machine is (a timing figure: `npm run bench` reports it, tests don't assert it).
    expect(result.peak_in_flight).toBeLessThanOrEqual(200);
    expect(result.peak_in_flight).toBeGreaterThan(1);
    expect(result.invocations).toBeGreaterThan(0);
    expect(stats.emitted).toBe(result.events_expected);
    expect(stats.dropped + stats.rejected).toBe(0);

    const stored = await awaitStoredEvents({
      endpoint: server.url,
      apiKey: token,
      tenant,
      documentPrefix: result.document_prefix,
      pipelineRunId: result.pipeline_run_id,
      expected: result.events_expected,
      timeoutMs: 15_000,
    });
    expect(stored.stored).toBe(result.events_expected);
    expect(stored.rows).toBe(stored.stored);
    expect(stored.foreign).toBe(0);
    expect(stored.by_status.started).toBe(result.invocations);
  });
});
