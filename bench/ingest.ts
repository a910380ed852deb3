/**
 * Sustained ingest through the full path vs a raw COPY of the same rows.
 *
 * Server mode: HTTP (keep-alive, batches of 500) → validation → redaction → pricing →
 * AES-GCM sealing → Redis Streams XADD → 202; writer: XREADGROUP → one multi-row
 * INSERT (events + traces + cost rollups) → XACK. The figure is *durable* events/s:
 * from the start of the measured window until PostgreSQL holds every acknowledged
 * event (the drain after the load stops is inside the window).
 * Peer/limit: `COPY … FROM STDIN` (pg-copy-streams) of exactly the rows the server
 * stored into a fresh database with the same schema, same partitions and indexes.
 *
 * Embedded mode: the same load into one process with PGlite and the memory bus (an
 * ack there means committed), vs `COPY … FROM '/dev/blob'` of the same rows into a
 * fresh PGlite with the same schema.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { type BenchOptions, type BenchResult, bodyFactory, log, main, result, round, sleep } from './lib/common.ts';
import { cpuMeter, postmasterPid, processCpuMs, treeCpuMs } from './lib/cpu.ts';
import { benchServer, countWhere, post, type PrivatePostgres, type PrivateRedis, type ServerProcess, withInfra } from './lib/infra.ts';

const BATCH = 500;

/** Closed-loop load: `concurrency` keep-alive clients posting batches back to back. */
async function drive(url: string, seconds: number, concurrency: number, tenant: string) {
  let acked = 0;
  let errors = 0;
  const nextBody = bodyFactory(tenant, BATCH / 2);
  const end = Date.now() + seconds * 1000;
  const statuses: Record<number, number> = {};
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        try {
          const r = await post(`${url}/v1/events`, nextBody());
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
          if (r.status === 202) acked += (JSON.parse(r.body) as { accepted: number }).accepted;
          else {
            errors++;
            await sleep(50);
          }
        } catch {
          errors++;
          await sleep(50);
        }
      }
    }),
  );
  return { acked, errors, statuses };
}

/** One measured server-mode run: `workers` server processes (FMO_WORKERS) on a fresh database. */
async function serverRun(o: BenchOptions, infra: { pg: PrivatePostgres; redis: PrivateRedis }, workers: number) {
  const { pg: cluster, redis } = infra;
  const db = await cluster.createDatabase(`fmo_ingest_${workers}w`);
  const prefix = `bench${workers}`;
  const server = await benchServer(
    { databaseUrl: db, redisUrl: redis.url, redisPrefix: prefix, extraEnv: { FMO_WORKERS: String(workers) } },
    { on: o.profile, name: `ingest-server-${workers}w` },
  );
  const seconds = o.quick ? 10 : 30;
  // Keep-alive clients posting back to back (FMO_BENCH_CLIENTS to experiment).
  const concurrency = Number(process.env.FMO_BENCH_CLIENTS ?? 6);
  const label = `ingest/server ×${workers}`;
  try {
    log(`${label}: warm-up 3 s`);
    // Warm-up until every worker has joined the writer group and the JIT is warm.
    const warm = await drive(server.url, 3, concurrency, 'bench-warm');
    await until(async () => (await countWhere(db, "tenant_id = 'bench-warm'")) >= warm.acked, 120_000);
    const c0 = await countWhere(db, 'true');
    log(`${label}: ${seconds} s of load, ${concurrency} clients × ${BATCH}-event batches`);
    const pgPid = postmasterPid(`${cluster.dir}/data`);
    const redisPid = Number(fs.readFileSync(`${redis.dir}/redis.pid`, 'utf8'));
    const serverPid = server.proc.pid as number;
    const meter = cpuMeter({
      server: () => treeCpuMs(serverPid), // the supervisor and its workers
      postgres: () => treeCpuMs(pgPid),
      redis: () => processCpuMs(redisPid),
      load: () => processCpuMs(process.pid),
    });
    meter.start();
    const t0 = performance.now();
    const load = await drive(server.url, seconds, concurrency, 'bench');
    const tLoad = (performance.now() - t0) / 1000;
    const atLoadEnd = await countWhere(db, "tenant_id = 'bench'");
    const tAtLoadEnd = (performance.now() - t0) / 1000;
    // Durable: wait until every acknowledged event is in PostgreSQL (polling every
    // 250 ms: a count is an index scan sharing the cores with the drain it waits for).
    await until(async () => (await countWhere(db, "tenant_id = 'bench'")) >= load.acked, 300_000, 250);
    const tDurable = (performance.now() - t0) / 1000;
    // The writers alone, once the HTTP load has stopped: the database side's own pace.
    const drainRate = tDurable - tAtLoadEnd > 0.5 ? (load.acked - atLoadEnd) / (tDurable - tAtLoadEnd) : null;
    const cpu = meter.stop();
    const stored = (await countWhere(db, 'true')) - c0;
    const perEvent = (ms: number | undefined) => ((ms ?? 0) * 1000) / stored;
    const cpuUs = { server: perEvent(cpu.server), postgres: perEvent(cpu.postgres), redis: perEvent(cpu.redis), load: perEvent(cpu.load) };
    const drainNote = drainRate === null ? 'no backlog when the load stopped' : `${load.acked - atLoadEnd} behind when the load stopped, drained at ${Math.round(drainRate)}/s`;
    const cpuNote = `${drainNote}; CPU per event: server ${round(cpuUs.server, 1)} µs, PostgreSQL ${round(cpuUs.postgres, 1)} µs, Redis ${round(cpuUs.redis, 1)} µs, load generator ${round(cpuUs.load, 1)} µs`;
    log(`${label}: ${stored} events durable in ${round(tDurable)} s (202 rate ${round(load.acked / tLoad)}/s) statuses ${JSON.stringify(load.statuses)}; ${cpuNote}`);
    return { db, pgPid, durable: stored / tDurable, tDurable, ackRate: load.acked / tLoad, seconds, concurrency, cpuUs, cpuNote };
  } finally {
    await server.stop();
  }
}

async function serverMode(o: BenchOptions): Promise<BenchResult[]> {
  return withInfra(async (infra) => {
    // The default deployment (one process; its writer in a worker thread), then one
    // process per core (FMO_WORKERS=2).
    const one = await serverRun(o, infra, 1);
    const two = await serverRun(o, infra, 2);
    const copy = await rawCopyPostgres(infra.pg, one.db, one.pgPid);
    const path = (r: typeof one) =>
      `full path (HTTP batches of ${BATCH}, validate, redact, price, AES-GCM seal of the trace on every 2nd event, Redis XADD, writer INSERT … ON CONFLICT + cost rollups + in-flight set + audit batch digest, XACK), ` +
      `${r.concurrency} keep-alive clients for ${r.seconds} s, measured until PostgreSQL held every ack (${round(r.tDurable)} s incl. drain); 202 rate ${Math.round(r.ackRate)}/s; ${r.cpuNote}`;
    const ourCpu = one.cpuUs.server + one.cpuUs.postgres + one.cpuUs.redis;
    return [
      result({
        name: 'ingest.server_durable',
        ours: one.durable,
        peer_or_limit: copy.rowsPerS,
        peer_name: 'raw COPY of the same rows (PostgreSQL)',
        unit: 'events/s',
        notes: `one server process (writer in its worker thread); ${path(one)}; COPY: ${copy.events} events + ${copy.traces} traces in ${round(copy.seconds)} s into a fresh DB with the same schema and indexes (no rollups); target ≥ 20,000/s`,
      }),
      result({ name: 'ingest.server_vs_target', ours: one.durable, peer_or_limit: 20_000, peer_name: 'target (DESIGN §7)', unit: 'events/s', notes: 'same run as ingest.server_durable' }),
      result({
        name: 'ingest.server_durable_2_workers',
        ours: two.durable,
        peer_or_limit: copy.rowsPerS,
        peer_name: 'raw COPY of the same rows (PostgreSQL)',
        unit: 'events/s',
        notes: `FMO_WORKERS=2 (two server processes on one port, each with its writer thread); ${path(two)}`,
      }),
      result({
        name: 'ingest.server_cpu_per_event',
        ours: ourCpu,
        peer_or_limit: copy.cpuUsPerRow,
        peer_name: 'raw COPY of the same rows (PostgreSQL CPU per row)',
        unit: 'µs CPU/event',
        notes: `server + PostgreSQL + Redis CPU per durable event, same run as ingest.server_durable (${one.cpuNote}); what bounds events/s on 2 cores: 2,000,000 µs/s ÷ this`,
      }),
    ];
  });
}

async function rawCopyPostgres(cluster: { createDatabase(n?: string): Promise<string> }, sourceUrl: string, pgPid: number) {
  const target = await cluster.createDatabase('fmo_copy');
  // Same schema, same partitions: migrate the fresh database with the server's code.
  const { createPostgresClient } = await import('../packages/server/src/storage/postgres-client.ts');
  const { migrate } = await import('../packages/server/src/storage/migrate.ts');
  const { SqlStorage } = await import('../packages/server/src/storage/sql-storage.ts');
  const tc = await createPostgresClient(target, { max: 1 });
  await migrate(tc);
  await new SqlStorage(tc).ensurePartitions(new Date(), 7);
  await tc.close();
  const src = new pg.Client({ connectionString: sourceUrl });
  const dst = new pg.Client({ connectionString: target });
  await Promise.all([src.connect(), dst.connect()]);
  const dump = async (table: string) => {
    const chunks: Buffer[] = [];
    await pipeline(src.query(copyTo(`COPY (SELECT * FROM ${table}) TO STDOUT`)), new Writable({
        write: (c: Buffer, _e, cb) => {
          chunks.push(c);
          cb();
        },
      }));
    return chunks;
  };
  const events = await dump('model_events');
  const traces = await dump('decision_traces');
  const countLines = (cs: Buffer[]) => cs.reduce((n, c) => n + c.reduce((k, b) => k + (b === 10 ? 1 : 0), 0), 0);
  log(`ingest/server: raw COPY of ${countLines(events)} events + ${countLines(traces)} traces`);
  const cpu0 = treeCpuMs(pgPid);
  const t0 = performance.now();
  await Promise.all([
    pipeline(Readable.from(events), dst.query(copyFrom('COPY model_events FROM STDIN'))),
    (async () => {
      const d2 = new pg.Client({ connectionString: target });
      await d2.connect();
      await pipeline(Readable.from(traces), d2.query(copyFrom('COPY decision_traces FROM STDIN')));
      await d2.end();
    })(),
  ]);
  const seconds = (performance.now() - t0) / 1000;
  const cpuMs = treeCpuMs(pgPid) - cpu0;
  await Promise.all([src.end(), dst.end()]);
  const n = countLines(events);
  return { rowsPerS: n / seconds, seconds, events: n, traces: countLines(traces), cpuUsPerRow: (cpuMs * 1000) / n };
}

async function embeddedMode(o: BenchOptions): Promise<BenchResult[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fmo-bench-emb-'));
  let server: ServerProcess | null = await benchServer({ dataDir }, { on: o.profile, name: 'ingest-embedded' });
  const seconds = o.quick ? 10 : 30;
  const concurrency = 6;
  try {
    log('ingest/embedded: warm-up 3 s');
    await drive(server.url, 3, concurrency, 'bench-warm');
    log(`ingest/embedded: ${seconds} s of load`);
    const t0 = performance.now();
    // Embedded acknowledges after the commit: acked events are durable events.
    const load = await drive(server.url, seconds, concurrency, 'bench');
    const t = (performance.now() - t0) / 1000;
    const durable = load.acked / t;
    log(`ingest/embedded: ${load.acked} events committed in ${round(t)} s, statuses ${JSON.stringify(load.statuses)}`);
    await server.stop();
    server = null;
    const copy = await rawCopyPglite(path.join(dataDir, 'pglite'));
    return [
      result({
        name: 'ingest.embedded_durable',
        ours: durable,
        peer_or_limit: copy.rowsPerS,
        peer_name: 'raw COPY of the same rows (PGlite)',
        unit: 'events/s',
        notes:
          `one process, PGlite (WASM, on disk) + memory bus, 202 only after the commit; ${concurrency} clients × ${BATCH}-event batches for ${seconds} s; ` +
          `COPY: ${copy.events} events + ${copy.traces} traces from '/dev/blob' into a fresh on-disk PGlite with the same schema in ${round(copy.seconds)} s`,
      }),
    ];
  } finally {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function rawCopyPglite(sourceDir: string) {
  const { PGlite } = await import('@electric-sql/pglite');
  const { createPgliteClient } = await import('../packages/server/src/storage/pglite-client.ts');
  const { migrate } = await import('../packages/server/src/storage/migrate.ts');
  const { SqlStorage } = await import('../packages/server/src/storage/sql-storage.ts');
  const src = await PGlite.create(sourceDir);
  const ev = (await src.query("COPY (SELECT * FROM model_events WHERE tenant_id = 'bench') TO '/dev/blob'")).blob as Blob;
  const tr = (await src.query("COPY (SELECT t.* FROM decision_traces t WHERE tenant_id = 'bench') TO '/dev/blob'")).blob as Blob;
  await src.close();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fmo-bench-pglite-copy-'));
  const c = await createPgliteClient(dir);
  await migrate(c);
  await new SqlStorage(c).ensurePartitions(new Date(), 7);
  await c.close();
  const dst = await PGlite.create(dir);
  const t0 = performance.now();
  await dst.query("COPY model_events FROM '/dev/blob'", [], { blob: ev });
  await dst.query("COPY decision_traces FROM '/dev/blob'", [], { blob: tr });
  const seconds = (performance.now() - t0) / 1000;
  const n = Number((await dst.query<{ n: number }>('SELECT count(*)::int AS n FROM model_events')).rows[0]?.n);
  const nt = Number((await dst.query<{ n: number }>('SELECT count(*)::int AS n FROM decision_traces')).rows[0]?.n);
  await dst.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { rowsPerS: n / seconds, seconds, events: n, traces: nt };
}

async function until(fn: () => Promise<boolean>, timeoutMs: number, everyMs = 100) {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`not reached within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

export async function run(o: BenchOptions): Promise<BenchResult[]> {
  return [...(await serverMode(o)), ...(await embeddedMode(o))];
}

await main(import.meta.url, run);
