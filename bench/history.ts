/**
 * History: first-page filtered trace lists and aggregates over 10 M events (quick: 1 M)
 * spread over 30 days and 8 tenants, through the HTTP API of a server process.
 *
 * The events live in a private PostgreSQL cluster kept under /var/tmp (override with
 * FMO_BENCH_PG_DIR) and are seeded once by bench/seed-history.ts (COPY); later runs
 * reuse them. Requests go one at a time (latency, not throughput), after a warm-up,
 * with a random tenant and model each.
 */
import pg from 'pg';
import { type BenchOptions, type BenchResult, histogram, log, main, ms, result, round } from './lib/common.ts';
import { benchServer, getJson, PrivatePostgres, PrivateRedis } from './lib/infra.ts';
import { HISTORY_MODELS, SEED_GENERATOR, seedHistory, TENANTS } from './seed-history.ts';

const PG_DIR = process.env.FMO_BENCH_PG_DIR ?? '/var/tmp/fmo-bench-pg';

export async function run(o: BenchOptions): Promise<BenchResult[]> {
  const events = o.quick ? 1_000_000 : 10_000_000;
  const tenants = 8;
  const cluster = await PrivatePostgres.open(PG_DIR);
  const redis = await PrivateRedis.start();
  try {
    const dbName = `fmo_history_${events}`;
    const admin = new pg.Client({ connectionString: cluster.adminUrl });
    await admin.connect();
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName])).rowCount;
    if (!exists) await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const url = cluster.adminUrl.replace(/\/postgres$/, `/${dbName}`);
    // The server migrates the database on start.
    let server = await benchServer({ databaseUrl: url, redisUrl: redis.url, redisPrefix: 'hist' }, { on: false, name: 'history-server' });
    const seeded = await seededEvents(url).catch(async (e) => {
      await server.stop();
      throw e;
    });
    if (seeded < events) {
      await server.stop();
      log(`history: seeding ${events.toLocaleString('en-US')} events over 30 days, ${tenants} tenants (once; kept in ${PG_DIR})`);
      if (seeded > 0) throw new Error(`${dbName} is partly seeded (${seeded}); drop it and rerun`);
      await seedHistory(url, { events, days: 30, tenants, log });
      server = await benchServer({ databaseUrl: url, redisUrl: redis.url, redisPrefix: 'hist' }, { on: o.profile, name: 'history-server' });
    }
    try {
      let seed = 99;
      const rnd = () => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed / 0x7fffffff;
      };
      const pickTenant = () => TENANTS(tenants)[Math.floor(rnd() * tenants)] as string;
      const pickModel = () => (HISTORY_MODELS[Math.floor(rnd() * HISTORY_MODELS.length)] as (typeof HISTORY_MODELS)[number])[0];
      const measure = async (label: string, path: () => string, n: number) => {
        for (let i = 0; i < 10; i++) await getJson(`${server.url}${path()}`);
        const h = histogram();
        let rows = 0;
        for (let i = 0; i < n; i++) {
          const r = await getJson(`${server.url}${path()}`);
          if (r.status !== 200) throw new Error(`${label}: HTTP ${r.status} ${String(r.body).slice(0, 200)}`);
          const b = r.body as { events?: unknown[] } | unknown[];
          rows += Array.isArray(b) ? b.length : (b.events?.length ?? 0);
          h.recordValue(Math.max(1, Math.round(r.ms * 1000)));
        }
        log(`history: ${label}: p50 ${round(ms(h, 50))} p95 ${round(ms(h, 95))} ms (avg rows ${round(rows / n)})`);
        return h;
      };
      const n = o.quick ? 100 : 300;
      const list = await measure('list tenant+model', () => `/v1/events?tenant_id=${pickTenant()}&model_name=${pickModel()}&limit=50`, n);
      const listStage = await measure('list tenant+stage+status', () => `/v1/events?tenant_id=${pickTenant()}&stage=embed&status=failed&limit=50`, n);
      const sum1h = await measure('summary 1 h', () => `/v1/metrics/summary?tenant_id=${pickTenant()}&window=3600`, Math.ceil(n / 2));
      const sum24h = await measure('summary 24 h', () => `/v1/metrics/summary?tenant_id=${pickTenant()}&window=86400`, Math.ceil(n / 4));
      const common = `${events.toLocaleString('en-US')} events over 30 days, ${tenants} tenants (skewed), PostgreSQL 15 day partitions; sequential requests through HTTP incl. auth and JSON`;
      return [
        result({ name: 'history.list_first_page_p95', ours: ms(list, 95), peer_or_limit: 50, peer_name: 'target (DESIGN §7)', unit: 'ms', notes: `GET /v1/events?tenant_id&model_name&limit=50, p50 ${round(ms(list, 50))} ms; ${common}` }),
        result({ name: 'history.list_rare_filter_p95', ours: ms(listStage, 95), peer_or_limit: 50, peer_name: 'target (DESIGN §7)', unit: 'ms', notes: `GET /v1/events?tenant_id&stage=embed&status=failed (4 % of events), p50 ${round(ms(listStage, 50))} ms` }),
        result({ name: 'history.summary_1h_p95', ours: ms(sum1h, 95), peer_or_limit: 250, peer_name: 'target (DESIGN §7)', unit: 'ms', notes: `GET /v1/metrics/summary?tenant_id&window=3600, p50 ${round(ms(sum1h, 50))} ms` }),
        result({ name: 'history.summary_24h_p95', ours: ms(sum24h, 95), peer_or_limit: 250, peer_name: 'target (DESIGN §7)', unit: 'ms', notes: `GET /v1/metrics/summary?tenant_id&window=86400, p50 ${round(ms(sum24h, 50))} ms` }),
      ];
    } finally {
      await server.stop();
    }
  } finally {
    await redis.destroy();
    await cluster.stopServer('fast');
  }
}

async function seededEvents(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const t = await c.query("SELECT to_regclass('bench_seed') AS t");
    if (!t.rows[0].t) {
      const any = await c.query('SELECT count(*)::int AS n FROM (SELECT 1 FROM model_events LIMIT 10) x');
      return any.rows[0].n;
    }
    // An older generator's events measure something else (e.g. generator 1 put a start
    // and its end on different tenants, so nearly every start looked in flight).
    const { rows } = await c.query(
      `SELECT coalesce(max(events), 0)::bigint AS n, coalesce(max((to_jsonb(s) ->> 'generator')::int), 1) AS generator FROM bench_seed s`,
    );
    if (rows[0].generator < SEED_GENERATOR)
      throw new Error(`${url} was seeded by an older bench/seed-history.ts (generator ${rows[0].generator}): drop it and rerun`);
    return Number(rows[0].n);
  } finally {
    await c.end();
  }
}

await main(import.meta.url, run);
