import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, until } from '../helper.ts';
import { countStored, FULL, IngestLoad, listenSse, PrivatePostgres, PrivateRedis, spawnServer } from './support.ts';

const OUTAGE_MS = FULL ? 30_000 : 5_000;

/**
 * PostgreSQL stopped under load (a private cluster, so nobody else's tests notice):
 * ingest keeps acknowledging because Redis holds the events, the writer backs off and
 * retries the same batch, and once PostgreSQL is back it catches up: every
 * acknowledged id is stored.
 */
describe('fault: PostgreSQL down under load', () => {
  let pgsql: PrivatePostgres;
  let redis: PrivateRedis;
  beforeAll(async () => {
    [pgsql, redis] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start()]);
  });
  afterAll(async () => {
    await Promise.all([pgsql?.destroy(), redis?.destroy()]);
  });

  it(`holds events in Redis for ${OUTAGE_MS / 1000} s, then catches up; nothing acknowledged is lost`, async () => {
    const db = await pgsql.createDatabase();
    const server = await spawnServer({ databaseUrl: db, redisUrl: redis.url, redisPrefix: 'pgdown' });
    const load = new IngestLoad(server.url, { batch: 100, concurrency: 2, runId: 'pg-down', pauseMs: 20 });
    load.start();
    try {
      await until(() => load.counts.acknowledged, (n) => n >= 2000, 30_000, 20);
      await pgsql.stopServer('fast');
      const downAt = Date.now();
      const ackedAtStop = load.acked.size;
      // A viewer who opens the live feed during the outage still gets it (with no
      // ready position: that needs the database).
      await sleep(500);
      const sse = listenSse(server.url, {});
      await sse.opened;
      await sleep(OUTAGE_MS - 500);
      const liveDuringOutage = sse.got.length;
      sse.es.close();
      const ackedDuringOutage = load.acked.size - ackedAtStop;
      const backlog = await streamBacklog(redis.url, 'pgdown');
      const ready = await fetch(`${server.url}/readyz`).then(
        (r) => r.status,
        (e: Error) => {
          throw new Error(`the server died while PostgreSQL was down (${e.message}):\n${server.output().slice(-3000)}`);
        },
      );
      await pgsql.startServer();
      const downMs = Date.now() - downAt;
      await sleep(1000);
      await load.stop();
      const t0 = Date.now();
      const stored = await until(() => countStored(db, load.acked), (n) => n === load.acked.size, 120_000, 250).catch(() => countStored(db, load.acked));
      const catchUpMs = Date.now() - t0;
      console.log(
        `[faults] PostgreSQL down ${downMs} ms: sent=${load.counts.sent} acknowledged=${load.acked.size} ` +
          `acknowledged_during_outage=${ackedDuringOutage} live_to_new_viewer_during_outage=${liveDuringOutage} redis_backlog_at_end_of_outage=${backlog} readyz_during_outage=${ready} ` +
          `stored=${stored} lost=${load.acked.size - stored} catch_up_ms=${catchUpMs} statuses=${JSON.stringify(load.counts.statuses)}`,
      );
      expect(ackedDuringOutage).toBeGreaterThan(0); // ingest kept acknowledging while the DB was away
      expect(liveDuringOutage).toBeGreaterThan(0); // and the live feed kept going, for a new viewer too
      // …and never answered 5xx for it: the price book's periodic reload failing is
      // not a reason to refuse events that Redis can hold.
      expect(Object.keys(load.counts.statuses).filter((s) => s.startsWith('5'))).toEqual([]);
      expect(backlog).toBeGreaterThan(0);
      expect(ready).toBe(503);
      expect(stored).toBe(load.acked.size);
    } finally {
      await load.stop();
      await server.stop();
    }
  });
});

async function streamBacklog(url: string, prefix: string): Promise<number> {
  const r = new Redis(url);
  try {
    const groups = (await r.xinfo('GROUPS', `${prefix}:events`)) as unknown[][];
    let n = 0;
    for (const g of groups) {
      const f = new Map<string, unknown>();
      for (let i = 0; i < g.length; i += 2) f.set(String(g[i]), g[i + 1]);
      n += Number(f.get('pending') ?? 0) + Number(f.get('lag') ?? 0);
    }
    return n;
  } finally {
    r.disconnect();
  }
}
