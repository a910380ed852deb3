/**
 * Concurrency: 2,000 model operations in flight at once through the SDK against a
 * server (PostgreSQL + Redis Streams), each a slow async call (100–500 ms, like a
 * remote model), kept at 2,000 for the whole run; then every event is counted in the
 * database by the run id. Captured must be 100 %.
 */
import os from 'node:os';
import path from 'node:path';
import { TelemetrySdk, withContext } from '@frostbyte/telemetry';
import { type BenchOptions, type BenchResult, log, main, result, round, sleep } from './lib/common.ts';
import { ADMIN_TOKEN, benchServer, countWhere, withInfra } from './lib/infra.ts';

const IN_FLIGHT = 2000;

export async function run(o: BenchOptions): Promise<BenchResult[]> {
  const seconds = o.quick ? 10 : 30;
  return withInfra(async ({ pg, redis }) => {
    const db = await pg.createDatabase('fmo_concurrency');
    const server = await benchServer({ databaseUrl: db, redisUrl: redis.url, redisPrefix: 'conc' }, { on: o.profile, name: 'concurrency-server' });
    const sdk = new TelemetrySdk({ endpoint: server.url, apiKey: ADMIN_TOKEN, spoolDir: path.join(os.tmpdir(), `fmo-conc-${process.pid}`), flushOnExit: false, warn: (m) => log(`sdk: ${m}`) });
    try {
      const model = sdk.wrapModel(
        async (i: number) => {
          await sleep(100 + (i % 400));
          return { output: i, usage: { input_tokens: 50, output_tokens: 5 } };
        },
        { model_name: 'slow-remote-model', model_version: '1.0.0', stage: 'embed', operation: 'embed' },
      );
      const runId = `conc-${Date.now()}`;
      let inFlight = 0;
      let peak = 0;
      let calls = 0;
      const end = Date.now() + seconds * 1000;
      log(`concurrency: ${IN_FLIGHT} operations in flight for ${seconds} s`);
      await withContext({ tenant_id: 'concurrency', pipeline_run_id: runId }, () =>
        Promise.all(
          Array.from({ length: IN_FLIGHT }, async (_, w) => {
            let i = w;
            while (Date.now() < end) {
              inFlight++;
              peak = Math.max(peak, inFlight);
              const p = model(i);
              calls++;
              await p;
              inFlight--;
              i += IN_FLIGHT;
            }
          }),
        ),
      );
      await sdk.flush();
      const expected = calls * 2;
      const t0 = Date.now();
      let stored = 0;
      while (Date.now() - t0 < 120_000) {
        stored = await countWhere(db, 'pipeline_run_id = $1', [runId]);
        if (stored >= expected) break;
        await sleep(250);
      }
      const stats = sdk.stats();
      log(`concurrency: ${calls} calls, ${stored}/${expected} events stored; sdk ${JSON.stringify(stats)}`);
      return [
        result({
          name: 'concurrency.captured_2000_in_flight',
          ours: (100 * stored) / expected,
          peer_or_limit: 100,
          peer_name: 'target (DESIGN §7)',
          unit: '% of events stored',
          notes:
            `${IN_FLIGHT} concurrent wrapModel calls (100–500 ms each) kept in flight for ${seconds} s: peak ${peak} in flight; ${calls} calls = ${expected} events ` +
            `(started + completed), ${stored} in PostgreSQL counted by pipeline_run_id; ${round(calls / seconds)} calls/s; SDK dropped ${stats.dropped}, spooled ${stats.spooled}`,
        }),
      ];
    } finally {
      await sdk.shutdown();
      await server.stop();
    }
  });
}

await main(import.meta.url, run);
