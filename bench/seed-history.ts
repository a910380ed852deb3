/**
 * Seeds history for the history benchmark: N model events over the last D days for
 * several tenants, straight into PostgreSQL with COPY (events in time order, seq
 * increasing with time as the bus would assign it), then the hourly cost rollups from
 * them, the in-flight set (open_invocations) and ANALYZE. A start and its end share
 * invocation, tenant, stage, model and version, as a pipeline writes them. Usable alone:
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
import { stableUuid } from '../packages/server/src/kernel/stable-id.ts';

export const TENANTS = (n: number) => Array.from({ length: n }, (_, i) => `tenant-${i}`);
export const HISTORY_MODELS = [
  ['frostbyte-docparse', '1.4.0', 'parse'],
  ['frostbyte-docparse', '1.5.0', 'parse'],
  ['nomic-embed-text', 'v1.5', 'embed'],
  ['local-embedder', '0.2.0', 'embed'],
  ['policy-classifier', '2.1.0', 'policy'],
  ['policy-classifier', '2.2.0', 'policy'],
] as const;

/** Which generator wrote a database's events (kept in bench_seed): bench/history.ts
 * refuses a database seeded by an older one. 2: a start and its end share tenant,
 * stage, model and version; a few starts are abandoned; open_invocations is filled. */
export const SEED_GENERATOR = 2;
/** The server's default FMO_ABANDON_AFTER_MS (config.ts). */
const ABANDON_AFTER_MS = 10 * 60_000;
/** Starts whose end never comes (the process running the model died). */
const ABANDONED_SHARE = 0.005;

/** A start whose end (or abandonment) is still to be written. */
interface Pending {
  id: string;
  invocation: string;
  run: string;
  tenant: string;
  document: string;
  stage: string;
  model: string;
  version: string;
  startMs: number;
  /** Position (event number) from which its end may be written. */
  due: number;
}

/** Time-ordered like the ids the SDK gives (UUIDv7 layout). */
function eventId(ms: number): string {
  const msHex = ms.toString(16).padStart(12, '0');
  return `${msHex.slice(0, 8)}-${msHex.slice(8, 12)}-7${randomUUID().slice(15)}`;
}

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
    // Invocations as a pipeline writes them: a start, then its end a few events later
    // with the same invocation, tenant, stage, model, version, run and document (others
    // interleave). A few starts never end (the process died): the server's sweep closes
    // those with an `abandoned` event ABANDON_AFTER_MS later (ingest/abandon.ts). What
    // has not ended when the seed stops is in flight, and goes into open_invocations as
    // the writer would have put it there.
    const ends: Pending[] = [];
    const abandons: Pending[] = [];
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
        const run = `run-${Math.floor(n / 1000)}`;
        let line: string;
        const endAt = ends.reduce((best, e, i) => (e.due <= n && (best < 0 || e.due < (ends[best] as Pending).due) ? i : best), -1);
        if (abandons[0] && abandons[0].startMs + ABANDON_AFTER_MS <= ms) {
          const a = abandons.shift() as Pending;
          const at = new Date(a.startMs + ABANDON_AFTER_MS).toISOString();
          const error = `{"type":"Abandoned","message":"no completed or failed event within ${ABANDON_AFTER_MS / 1000} s of the start"}`;
          line = `${stableUuid('abandoned', a.invocation)}\t${seq}\t${a.invocation}\t${a.run}\t${at}\t\\N\t${ts}\t${a.tenant}\t${a.document}\t${a.stage}\t${a.model}\t${a.version}\t${a.stage}\tabandoned\t\\N\t\\N\t\\N\t\\N\t{}\t${error}\tf\t\\N\n`;
        } else if (endAt >= 0) {
          const e = ends.splice(endAt, 1)[0] as Pending;
          const failed = rnd() < 0.04;
          const dur = (20 + rnd() * 400).toFixed(1);
          const tin = Math.floor(200 + rnd() * 2000);
          const tout = Math.floor(10 + rnd() * 200);
          line = `${eventId(ms)}\t${seq}\t${e.invocation}\t${e.run}\t${ts}\t${ts}\t${ts}\t${e.tenant}\t${e.document}\t${e.stage}\t${e.model}\t${e.version}\t${e.stage}\t${failed ? 'failed' : 'completed'}\t${dur}\t${tin}\t${tout}\t${((tin * 0.5 + tout * 1.5) / 1e6).toFixed(9)}\t{}\t${failed ? '{"type":"TimeoutError","message":"upstream timed out"}' : '\\N'}\tf\t${(0.5 + rnd() / 2).toFixed(3)}\n`;
        } else {
          const r = rnd();
          const tenant = tenants[cumulative.findIndex((c) => r <= c)] ?? tenants[0];
          const [model, version, stage] = HISTORY_MODELS[Math.floor(rnd() * HISTORY_MODELS.length)] as (typeof HISTORY_MODELS)[number];
          const s: Pending = {
            id: eventId(ms), invocation: randomUUID(), run, tenant: tenant as string, document: `doc-${Math.floor(rnd() * 100000)}`,
            stage, model, version, startMs: ms, due: n + 1 + Math.floor(rnd() * 4),
          };
          if (rnd() < ABANDONED_SHARE) abandons.push(s);
          else ends.push(s);
          line = `${s.id}\t${seq}\t${s.invocation}\t${run}\t${ts}\t${ts}\t${ts}\t${s.tenant}\t${s.document}\t${stage}\t${model}\t${version}\t${stage}\tstarted\t\\N\t\\N\t\\N\t\\N\t{}\t\\N\tf\t\\N\n`;
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
    // In flight at the end: what the writer keeps in open_invocations (migrations/0013).
    const open = [...ends, ...abandons];
    await c.query(
      `INSERT INTO open_invocations (invocation_id, tenant_id, stage, model_name, model_version, started_event_id, started_at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::timestamptz[])`,
      [open.map((p) => p.invocation), open.map((p) => p.tenant), open.map((p) => p.stage), open.map((p) => p.model),
        open.map((p) => p.version), open.map((p) => p.id), open.map((p) => new Date(p.startMs).toISOString())],
    );
    log(`  COPY done: ${o.events} events (${open.length} in flight) in ${Math.round((Date.now() - t0) / 1000)} s; rollups + ANALYZE`);
    await c.query(`INSERT INTO cost_metrics (tenant_id, hour, stage, model_name, model_version, calls, errors, input_tokens, output_tokens, cost_usd, duration_ms_sum, duration_ms_max)
      SELECT tenant_id, date_trunc('hour', "timestamp"), stage, model_name, model_version, count(*), count(*) FILTER (WHERE status = 'failed'),
        coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), coalesce(sum(cost_usd), 0), coalesce(sum(duration_ms), 0), coalesce(max(duration_ms), 0)
      FROM model_events WHERE status IN ('completed', 'failed') GROUP BY 1, 2, 3, 4, 5
      ON CONFLICT DO NOTHING`);
    await c.query('ANALYZE');
    await c.query(`CREATE TABLE IF NOT EXISTS bench_seed (events bigint NOT NULL, days int NOT NULL, tenants int NOT NULL,
      generator int NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())`);
    const seedRow = [o.events, o.days, o.tenants, SEED_GENERATOR];
    await c.query('INSERT INTO bench_seed (events, days, tenants, generator) VALUES ($1, $2, $3, $4)', seedRow);
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
