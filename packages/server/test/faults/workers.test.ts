import { spawn } from 'node:child_process';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, until } from '../helper.ts';
import { childPids, countStored, IngestLoad, listenSse, PrivatePostgres, PrivateRedis, type ServerProcess, spawnServer } from './support.ts';

const ROOT = path.resolve(import.meta.dirname, '../../../..');

async function writerConsumers(url: string): Promise<string[]> {
  const r = new Redis(url);
  try {
    return ((await r.xinfo('CONSUMERS', 'wk:events', 'writers')) as unknown[][]).map((c) => String(c[1]));
  } catch {
    return []; // no stream yet
  } finally {
    r.disconnect();
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * FMO_WORKERS=2: one supervisor, two server processes on one port (one per core),
 * sharing PostgreSQL and Redis like a scale-out deployment.
 */
describe('FMO_WORKERS: several server processes on one port', () => {
  let pgsql: PrivatePostgres;
  let redis: PrivateRedis;
  let db: string;
  let s: ServerProcess;
  beforeAll(async () => {
    [pgsql, redis] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start()]);
    db = await pgsql.createDatabase();
    s = await spawnServer({ databaseUrl: db, redisUrl: redis.url, redisPrefix: 'wk', consumer: 'writer-x', extraEnv: { FMO_WORKERS: '2' } });
    await until(() => childPids(s.proc.pid as number).length, (n) => n === 2, 30_000, 100);
    // Both workers up: each has joined the writer group (its loops read from the bus).
    await until(() => writerConsumers(redis.url), (names) => ['w1', 'w2'].every((w) => names.some((c) => c.startsWith(`writer-x-${w}`))), 60_000, 200);
  });
  afterAll(async () => {
    await s?.stop();
    await Promise.all([pgsql?.destroy(), redis?.destroy()]);
  });

  it('with both workers in the writer group, every acknowledged event is stored once and streamed once, in order', async () => {
    const sse = listenSse(s.url, { tenant_id: 'wk-load' });
    await sse.opened;
    const load = new IngestLoad(s.url, { batch: 100, concurrency: 4, tenant: 'wk-load', runId: 'wk-load' });
    load.start();
    await until(() => load.acked.size, (n) => n >= 8_000, 60_000, 20);
    await load.stop();
    const stored = await until(() => countStored(db, load.acked), (n) => n === load.acked.size, 30_000, 200);
    await until(() => sse.got.length, (n) => n >= load.acked.size, 15_000, 20);
    await sleep(200);
    sse.es.close();
    console.log(`[workers] acknowledged=${load.acked.size} stored=${stored} streamed=${sse.got.length}`);
    expect(stored).toBe(load.acked.size);
    expect(sse.got.length).toBe(load.acked.size);
    expect(new Set(sse.got.map((g) => g.id))).toEqual(load.acked);
  });

  it('a worker killed with kill -9 under load is replaced; nothing acknowledged is lost', async () => {
    const [victim] = childPids(s.proc.pid as number);
    const load = new IngestLoad(s.url, { batch: 200, concurrency: 4, tenant: 'wk-kill', runId: 'wk-kill' });
    load.start();
    await until(() => load.acked.size, (n) => n >= 5_000, 60_000, 20);
    process.kill(victim as number, 'SIGKILL');
    await until(() => childPids(s.proc.pid as number).filter((p) => p !== victim).length, (n) => n === 2, 30_000, 100);
    await until(() => load.acked.size, (n) => n >= 15_000, 60_000, 20);
    await load.stop();
    // The replacement has the same worker number, so the same consumer names: it
    // finds its predecessor's unacked entries first thing.
    const stored = await until(() => countStored(db, load.acked), (n) => n === load.acked.size, 60_000, 250).catch(() => countStored(db, load.acked));
    console.log(`[workers] kill -9 of a worker: acknowledged=${load.acked.size} stored=${stored} lost=${load.acked.size - stored} failed batches=${load.counts.failedBatches}`);
    expect(stored).toBe(load.acked.size);
  });

  it('SIGTERM stops the supervisor and every worker', async () => {
    const workers = childPids(s.proc.pid as number);
    expect(workers).toHaveLength(2);
    await s.stop();
    expect(await s.exited).toBe(0);
    await until(() => workers.filter(alive).length, (n) => n === 0, 10_000, 50);
  });

  it('refuses FMO_WORKERS > 1 in embedded mode with a message saying why', async () => {
    const env: Record<string, string> = { ...(process.env as Record<string, string>), FMO_WORKERS: '2', PORT: '0' };
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    delete env.NODE_OPTIONS;
    const p = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    p.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    const code = await new Promise((r) => p.on('exit', r));
    expect(code).toBe(1);
    expect(err).toContain('FMO_WORKERS > 1 needs DATABASE_URL and REDIS_URL');
  });
});
