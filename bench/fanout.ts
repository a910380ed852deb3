/**
 * Fan-out: 1,000 concurrent SSE clients on one server process, delivery p99.
 *
 * The clients live in a separate process (lib/sse-clients.ts) so measuring does not
 * starve the server. This process posts events open-loop at a fixed rate, each carrying
 * its scheduled time; every client records now − scheduled time. The figure is post →
 * ack → Redis → the process's one stream reader → per-client filter → 1,000 socket writes.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { newId } from '@frostbyte/contracts';
import { type BenchOptions, type BenchResult, epochMs, log, main, result, round, sleep } from './lib/common.ts';
import { ADMIN_TOKEN, benchServer, post, withInfra } from './lib/infra.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLIENTS = 1000;

export async function run(o: BenchOptions): Promise<BenchResult[]> {
  // events/s; × 1,000 clients = deliveries/s
  return [...(await runAt(o, 50)), ...(await runAt(o, 200))];
}

async function runAt(o: BenchOptions, rate: number): Promise<BenchResult[]> {
  const seconds = o.quick ? 8 : 30;
  const tickMs = 50;
  return withInfra(async ({ pg, redis }) => {
    const db = await pg.createDatabase('fmo_fanout');
    const server = await benchServer({ databaseUrl: db, redisUrl: redis.url, redisPrefix: 'fan' }, { on: o.profile, name: 'fanout-server' });
    try {
      const clients = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/sse-clients.ts'], {
        cwd: ROOT,
        env: { ...process.env, NODE_OPTIONS: '', URL: `${server.url}/telemetry/stream?tenant_id=fan`, N: String(CLIENTS), FMO_API_KEY: ADMIN_TOKEN },
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      });
      let out = '';
      clients.stdout?.on('data', (b: Buffer) => {
        out += b.toString();
      });
      const t0 = Date.now();
      while (!out.includes('connected')) {
        if (Date.now() - t0 > 60_000) throw new Error(`clients did not connect: ${out}`);
        await sleep(100);
      }
      log(`fanout: ${CLIENTS} SSE clients connected; posting ${rate} events/s for ${seconds} s (+2 s warm-up)`);
      const perTick = (rate * tickMs) / 1000;
      const start = epochMs();
      const warmEnd = start + 2000;
      clients.send({ recordAfter: warmEnd });
      const end = warmEnd + seconds * 1000;
      let ticks = 0;
      let posted = 0;
      let measured = 0;
      const inflight: Promise<unknown>[] = [];
      while (epochMs() < end) {
        const t = start + ticks * tickMs;
        ticks++;
        const events = Array.from({ length: perTick }, () => {
          const now = new Date().toISOString();
          return { id: newId(), invocation_id: newId(), timestamp: now, tenant_id: 'fan', stage: 'parse', model_name: 'fan-model', model_version: '1', operation: 'parse', status: 'completed', duration_ms: 5, metadata: { t } };
        });
        posted += events.length;
        if (t >= warmEnd) measured += events.length;
        inflight.push(post(`${server.url}/v1/events`, JSON.stringify({ events })));
        const next = start + ticks * tickMs;
        const wait = next - epochMs();
        if (wait > 0) await sleep(wait);
      }
      await Promise.all(inflight);
      await sleep(3000);
      clients.kill('SIGTERM');
      await new Promise((r) => clients.on('exit', r));
      const s = JSON.parse(out.trim().split('\n').pop() as string) as { open: number; errors: number; frames: number; count: number; p50: number; p99: number; p999: number; max: number };
      const expected = posted * CLIENTS;
      log(`fanout: p50 ${s.p50 / 1000} p99 ${s.p99 / 1000} p99.9 ${s.p999 / 1000} max ${s.max / 1000} ms; deliveries ${s.frames}/${expected}`);
      return [
        result({
          name: `fanout.p99_1000_clients_${rate}eps`,
          ours: s.p99 / 1000,
          peer_or_limit: 250,
          peer_name: 'target (DESIGN §7)',
          unit: 'ms',
          notes:
            `${CLIENTS} SSE connections (separate process) on one server process; ${rate} events/s posted in ${tickMs} ms batches for ${seconds} s after a 2 s warm-up ` +
            `(${rate * CLIENTS} deliveries/s); p50 ${round(s.p50 / 1000)} / p99 ${round(s.p99 / 1000)} / p99.9 ${round(s.p999 / 1000)} / max ${round(s.max / 1000)} ms ` +
            `from the scheduled post time; delivered ${s.frames} of ${expected} (${round((100 * s.frames) / expected)} %), ${s.open} connected, ${s.errors} errors; measured ${measured} events`,
        }),
      ];
    } finally {
      await server.stop();
    }
  });
}

await main(import.meta.url, run);
