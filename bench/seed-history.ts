/**
 * Seeds history for the history benchmark: N model events over the last D days for
 * several tenants, straight into PostgreSQL with COPY (events in time order, seq
 * increasing with time as the bus would assign it), then the hourly cost rollups from
 * them and ANALYZE. Usable alone:
 *
 *   npx tsx bench/seed-history.ts --url postgres://postgres@127.0.0.1:5432/fmo_hist --events 10000000 [--days 30] [--tenants 8]
 *
 * The database must be migrated (start the server against it once, or let
 * bench/history.ts do it). Prints progress to stderr.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export const TENANTS = (n: number) => Array.from({ length: n }, (_, i) => `tenant-${i}`);
export const HISTORY_MODELS = [
  ['frostbyte-docparse', '1.4.0', 'parse'],
  ['frostbyte-docparse', '1.5.0', 'parse'],
  ['nomic-embed-text', 'v1.5', 'embed'],
  ['local-embedder', '0.2.0', 'embed'],
  ['policy-classifier', '2.1.0', 'policy'],
  ['policy-classifier', '2.2.0', 'policy'],
] as const;

const COLUMNS = `id, seq, invocation_id, pipeline_run_id, "timestamp", emitted_at, received_at, tenant_id, document_id, stage,
  model_name, model_version, operation, status, duration_ms, input_tokens, output_tokens, cost_usd, metadata, error, has_trace, confidence_score`;

export async function seedHistory(url: string, o: { events: number; days: number; tenants: number; log?: (m: string) => void }) {
  const log = o.log ?? ((m: string) => console.error(m));
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`SELECT fmo_ensure_partitions((now() - make_interval(days => ${o.days + 1}))::date, (now() + interval '7 days')::date)`);
    const tenants = TENANTS(o.tenants);
    // Skewed like real use: tenant-0 has the most traffic, the last the least.
    const weights = tenants.map((_, i) => 1 / (i + 1));
    const total = weights.reduce((a, b) => a + b, 0);
    const cumulative = weights.map((_, i) => weights.slice(0, i + 1).reduce((a, b) => a + b, 0) / total);
    const end = Date.now() - 1000;
    const start = end - o.days * 86_400_000;
    const step = (end - start) / o.events;
    let n = 0;
    let lastMs = 0;
    let inMs = 0;
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const t0 = Date.now();
    // Pairs: a started and its completed/failed event share an invocation id.
    let pendingEnd: string | null = null;
    function* rows(): Generator<string> {
      let chunk = '';
      while (n < o.events) {
        const ms = Math.floor(start + n * step);
        if (ms === lastMs) inMs++;
        else {
          lastMs = ms;
          inMs = 0;
        }
        const seq = BigInt(ms) * 1_048_576n + BigInt(inMs);
        const ts = new Date(ms).toISOString();
        const r = rnd();
        const tenant = tenants[cumulative.findIndex((c) => r <= c)] ?? tenants[0];
        const [model, version, stage] = HISTORY_MODELS[Math.floor(rnd() * HISTORY_MODELS.length)] as (typeof HISTORY_MODELS)[number];
        const msHex = ms.toString(16).padStart(12, '0');
        const id = `${msHex.slice(0, 8)}-${msHex.slice(8, 12)}-7${randomUUID().slice(15)}`;
        let line: string;
        if (pendingEnd === null) {
          const inv = randomUUID();
          pendingEnd = inv;
          line = `${id}\t${seq}\t${inv}\trun-${Math.floor(n / 1000)}\t${ts}\t${ts}\t${ts}\t${tenant}\tdoc-${Math.floor(rnd() * 100000)}\t${stage}\t${model}\t${version}\t${stage}\tstarted\t\\N\t\\N\t\\N\t\\N\t{}\t\\N\tf\t\\N\n`;
        } else {
          const failed = rnd() < 0.04;
          const dur = (20 + rnd() * 400).toFixed(1);
          const tin = Math.floor(200 + rnd() * 2000);
          const tout = Math.floor(10 + rnd() * 200);
          line = `${id}\t${seq}\t${pendingEnd}\trun-${Math.floor(n / 1000)}\t${ts}\t${ts}\t${ts}\t${tenant}\tdoc-${Math.floor(rnd() * 100000)}\t${stage}\t${model}\t${version}\t${stage}\t${failed ? 'failed' : 'completed'}\t${dur}\t${tin}\t${tout}\t${((tin * 0.5 + tout * 1.5) / 1e6).toFixed(9)}\t{}\t${failed ? '{"type":"TimeoutError","message":"upstream timed out"}' : '\\N'}\tf\t${(0.5 + rnd() / 2).toFixed(3)}\n`;
          pendingEnd = null;
        }
        chunk += line;
        n++;
        if (chunk.length > 1 << 20) {
          yield chunk;
          chunk = '';
          if (n % 1_000_000 < 3000) log(`  seeded ${n.toLocaleString('en-US')} events (${Math.round(n / ((Date.now() - t0) / 1000))}/s)`);
        }
      }
      if (chunk) yield chunk;
    }
    await pipeline(Readable.from(rows()), c.query(copyFrom(`COPY model_events (${COLUMNS}) FROM STDIN`)));
    log(`  COPY done: ${o.events} events in ${Math.round((Date.now() - t0) / 1000)} s; rollups + ANALYZE`);
    await c.query(`INSERT INTO cost_metrics (tenant_id, hour, stage, model_name, model_version, calls, errors, input_tokens, output_tokens, cost_usd, duration_ms_sum, duration_ms_max)
      SELECT tenant_id, date_trunc('hour', "timestamp"), stage, model_name, model_version, count(*), count(*) FILTER (WHERE status = 'failed'),
        coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), coalesce(sum(cost_usd), 0), coalesce(sum(duration_ms), 0), coalesce(max(duration_ms), 0)
      FROM model_events WHERE status IN ('completed', 'failed') GROUP BY 1, 2, 3, 4, 5
      ON CONFLICT DO NOTHING`);
    await c.query('ANALYZE');
    await c.query('CREATE TABLE IF NOT EXISTS bench_seed (events bigint NOT NULL, days int NOT NULL, tenants int NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())');
    await c.query('INSERT INTO bench_seed (events, days, tenants) VALUES ($1, $2, $3)', [o.events, o.days, o.tenants]);
    log(`  seeded in ${Math.round((Date.now() - t0) / 1000)} s`);
  } finally {
    await c.end();
  }
}

const arg = (name: string, dflt?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
if (import.meta.url === `file://${process.argv[1]}`) {
  const url = arg('url', process.env.DATABASE_URL);
  if (!url) {
    console.error('usage: tsx bench/seed-history.ts --url postgres://… --events 10000000 [--days 30] [--tenants 8]');
    process.exit(2);
  }
  await seedHistory(url, { events: Number(arg('events', '10000000')), days: Number(arg('days', '30')), tenants: Number(arg('tenants', '8')) });
}
