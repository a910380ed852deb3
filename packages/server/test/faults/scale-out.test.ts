import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, until } from '../helper.ts';
import { authHeaders, countStored, FULL, IngestLoad, listenSse, PrivatePostgres, PrivateRedis, type ServerProcess, spawnServer } from './support.ts';

/**
 * Scale-out: two server processes sharing one PostgreSQL and one Redis (the deployment
 * in docs/scale-out.md). Events posted to A reach SSE clients of B; both processes'
 * writers share the `writers` consumer group; when A is killed, B claims A's pending
 * entries (XAUTOCLAIM after 15 s idle) and nothing acknowledged is lost.
 */
describe('scale-out: two server processes, one PostgreSQL, one Redis', () => {
  let pgsql: PrivatePostgres;
  let redis: PrivateRedis;
  let db: string;
  let a: ServerProcess;
  let b: ServerProcess;
  const PREFIX = 'scale';
  beforeAll(async () => {
    [pgsql, redis] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start()]);
    db = await pgsql.createDatabase();
    // One deployment: same database, stream prefix and keys; a consumer name per process.
    a = await spawnServer({ databaseUrl: db, redisUrl: redis.url, redisPrefix: PREFIX, consumer: 'writer-a' });
    b = await spawnServer({ ...a.options, port: undefined, consumer: 'writer-b' });
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await Promise.all([pgsql?.destroy(), redis?.destroy()]);
  });

  it('events posted to A reach SSE clients of B (and of A), each once, in order', async () => {
    const onB = listenSse(b.url, { tenant_id: 'scale-sse' });
    const onA = listenSse(a.url, { tenant_id: 'scale-sse' });
    await Promise.all([onB.opened, onA.opened]);
    const load = new IngestLoad(a.url, { batch: 50, concurrency: 1, tenant: 'scale-sse', runId: 'scale-sse', pauseMs: 20 });
    load.start();
    await until(() => load.acked.size, (n) => n >= 2000, 30_000, 20);
    await load.stop();
    await until(() => Math.min(onB.got.length, onA.got.length), (n) => n >= load.acked.size, 15_000, 20);
    await sleep(200);
    onA.es.close();
    onB.es.close();
    const idsB = onB.got.map((g) => g.id);
    console.log(`[scale-out] posted to A: acknowledged=${load.acked.size}; SSE on B received=${idsB.length} unique=${new Set(idsB).size}; SSE on A received=${onA.got.length}`);
    expect(new Set(idsB)).toEqual(load.acked);
    expect(idsB.length).toBe(load.acked.size);
    // Both processes tail the same stream: same events, same ids, same order.
    expect(onB.got.map((g) => g.seq)).toEqual(onA.got.map((g) => g.seq));
  });

  it('both processes write to the database through the one consumer group', async () => {
    const before = { a: await writtenBy(a), b: await writtenBy(b) };
    const load = new IngestLoad([a.url, b.url], { batch: 200, concurrency: 4, tenant: 'scale-write', runId: 'scale-write' });
    load.start();
    await until(() => load.acked.size, (n) => n >= (FULL ? 40_000 : 10_000), 60_000, 20);
    await load.stop();
    const stored = await until(() => countStored(db, load.acked), (n) => n === load.acked.size, 30_000, 200);
    const wrote = { a: (await writtenBy(a)) - before.a, b: (await writtenBy(b)) - before.b };
    console.log(`[scale-out] shared writing: acknowledged=${load.acked.size} stored=${stored} written by A=${wrote.a} B=${wrote.b}`);
    expect(stored).toBe(load.acked.size);
    expect(wrote.a).toBeGreaterThan(0);
    expect(wrote.b).toBeGreaterThan(0);
    // Each entry is written by one process (replays would show up as more writes than events).
    expect(wrote.a + wrote.b).toBeLessThanOrEqual(load.acked.size + 2_000);
  });

  it("a killed process's pending entries are claimed by the other; nothing acknowledged is lost", async () => {
    const r = new Redis(redis.url);
    try {
      // Load both processes, then kill A while its writer holds a batch it has read but
      // not yet acknowledged. Retry with a fresh A if the kill missed that window.
      let pendingAtKill = 0;
      const acked = new Set<string>();
      let attempts = 0;
      while (pendingAtKill === 0 && attempts++ < 5) {
        const load = new IngestLoad([a.url, b.url], { batch: 500, concurrency: 6, tenant: 'scale-claim', runId: 'scale-claim' });
        load.start();
        await until(() => load.acked.size, (n) => n >= 20_000, 60_000, 10);
        await a.kill9();
        pendingAtKill = await pendingOf(r, `${PREFIX}:events`, 'writer-a');
        load.urls = [b.url]; // its retries go to B now
        await sleep(500);
        await load.stop();
        for (const id of load.acked) acked.add(id);
        if (pendingAtKill === 0) a = await spawnServer({ ...a.options, consumer: 'writer-a' });
      }
      const killedAt = Date.now();
      // B's writer runs XAUTOCLAIM every 5 s for entries idle ≥ 15 s.
      await until(() => pendingOf(r, `${PREFIX}:events`, 'writer-a'), (n) => n === 0, 60_000, 250);
      const claimedAfterMs = Date.now() - killedAt;
      const stored = await until(() => countStored(db, acked), (n) => n === acked.size, 30_000, 250).catch(() => countStored(db, acked));
      console.log(
        `[scale-out] kill -9 of A: pending on A at kill=${pendingAtKill} (attempts ${attempts}); claimed by B after ${claimedAfterMs} ms; ` +
          `acknowledged=${acked.size} stored=${stored} lost=${acked.size - stored}`,
      );
      expect(pendingAtKill).toBeGreaterThan(0);
      expect(stored).toBe(acked.size);
      // Restart A for afterAll's orderly stop.
      a = await spawnServer({ ...a.options, consumer: 'writer-a' });
    } finally {
      r.disconnect();
    }
  });
});

/** Entries pending on a process's writer loops (its consumers are `<name>` or `<name>-<i>`). */
async function pendingOf(r: Redis, key: string, consumer: string): Promise<number> {
  const summary = (await r.xpending(key, 'writers')) as [number, string | null, string | null, [string, string][] | null];
  return (summary[3] ?? []).filter(([name]) => name === consumer || name.startsWith(`${consumer}-`)).reduce((n, [, c]) => n + Number(c), 0);
}

/** Events this process's writer committed, from its Prometheus metrics. */
async function writtenBy(s: ServerProcess): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`, { headers: authHeaders() })).text();
  const m = /^fmo_writer_batch_size_sum(?:\{[^}]*\})? ([\d.e+]+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}
