/**
 * Model call → SSE client latency, open loop at 1k, 5k and 20k events/s.
 *
 * A generator process calls models through the SDK on a fixed schedule (see
 * lib/latency-generator.ts); the server (PostgreSQL + Redis Streams, its own process)
 * ingests; a real WHATWG EventSource in this process, filtered to `completed` events,
 * records now − scheduled time in an HdrHistogram. So the figure includes SDK batching
 * (≤ 25 ms), HTTP, ingest, the Redis round trip, the fan-out and the SSE write.
 * Three processes and the databases share the machine's cores; where it saturates,
 * the received count and the generator's lag say so.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { EventSource } from 'eventsource';
import { type BenchOptions, type BenchResult, epochMs, histogram, log, main, ms, result, round, sleep } from './lib/common.ts';
import { ADMIN_TOKEN, authHeaders, benchServer, withInfra } from './lib/infra.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const LIMITS: Record<number, number> = { 1000: 75, 5000: 75, 20000: 100 };

export async function run(o: BenchOptions): Promise<BenchResult[]> {
  const seconds = o.quick ? 8 : 25;
  const warmupMs = 2000;
  return withInfra(async ({ pg, redis }) => {
    const db = await pg.createDatabase('fmo_latency');
    const server = await benchServer({ databaseUrl: db, redisUrl: redis.url, redisPrefix: 'lat' }, { on: o.profile, name: 'latency-server' });
    const out: BenchResult[] = [];
    try {
      for (const rate of [1000, 5000, 20000]) {
        const tenant = `lat${rate}`;
        const h = histogram();
        let received = 0;
        const es = new EventSource(`${server.url}/telemetry/stream?tenant_id=${tenant}&status=completed`, {
          fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...authHeaders() } }),
        });
        let warmEnd = Number.POSITIVE_INFINITY;
        es.addEventListener('model_event', (m) => {
          const now = epochMs();
          const t = (JSON.parse(m.data) as { event: { metadata: { t?: number } } }).event.metadata.t;
          if (typeof t !== 'number') return;
          received++;
          if (t >= warmEnd) h.recordValue(Math.max(1, Math.round((now - t) * 1000)));
        });
        await new Promise<void>((resolve) => es.addEventListener('open', () => resolve()));
        log(`latency: ${rate} events/s for ${seconds} s`);
        const gen = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/latency-generator.ts'], {
          cwd: ROOT,
          env: { ...process.env, NODE_OPTIONS: '', FMO_ENDPOINT: server.url, FMO_API_KEY: ADMIN_TOKEN, RATE: String(rate), SECONDS: String(seconds), TENANT: tenant },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        warmEnd = epochMs() + warmupMs;
        let genOut = '';
        gen.stdout.on('data', (b: Buffer) => {
          genOut += b.toString();
        });
        await new Promise((r) => gen.on('exit', r));
        const g = JSON.parse(genOut.trim().split('\n').pop() as string) as { issued: number; maxBehindMs: number };
        // Let the tail arrive (bounded: a saturated run does not wait forever).
        const deadline = Date.now() + 15_000;
        while (received < g.issued && Date.now() < deadline) await sleep(100);
        es.close();
        const p99 = ms(h, 99);
        const saturated = received < g.issued * 0.99 || g.maxBehindMs > 100 || p99 > 1000;
        out.push(
          result({
            name: `latency.p99_at_${rate / 1000}k`,
            ours: p99,
            peer_or_limit: LIMITS[rate] as number,
            peer_name: 'target (DESIGN §7)',
            unit: 'ms',
            notes:
              `open loop ${rate} events/s (${rate / 2} calls/s) for ${seconds} s, first ${warmupMs / 1000} s not recorded; ` +
              `p50 ${round(ms(h, 50))} / p99 ${round(p99)} / p99.9 ${round(ms(h, 99.9))} / max ${round(h.maxValue / 1000)} ms over ${h.totalCount} events; ` +
              `received ${received}/${g.issued} completed events; generator max lag ${g.maxBehindMs} ms` +
              (saturated ? '; SATURATED: the machine (2 cores shared by generator, server, client, PostgreSQL, Redis) cannot sustain this rate' : ''),
          }),
        );
        log(`latency: ${rate}/s → p50 ${round(ms(h, 50))} p99 ${round(p99)} p99.9 ${round(ms(h, 99.9))} max ${round(h.maxValue / 1000)} ms, received ${received}/${g.issued}`);
        await sleep(2000); // let the writer drain before the next rate
      }
      return out;
    } finally {
      await server.stop();
    }
  });
}

await main(import.meta.url, run);
