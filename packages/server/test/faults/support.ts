/**
 * The fault suite's and the scale-out test's own helpers: a load client that
 * remembers exactly which event ids the server acknowledged, an SSE listener, a
 * cuttable TCP proxy. The process helpers (private PostgreSQL and Redis, server
 * processes, counts) live in `tools/processes/`, which the benchmarks use too; they
 * are re-exported here so the tests keep one import.
 *
 *   const pg = await PrivatePostgres.start();          // initdb + pg_ctl in a temp dir
 *   const redis = await PrivateRedis.start();
 *   const db = await pg.createDatabase();
 *   const a = await spawnServer({ databaseUrl: db, redisUrl: redis.url });
 *   const load = new IngestLoad(a.url, { batch: 200, concurrency: 4 }); load.start();
 *   await a.kill9(); … const stored = await countStored(db, load.acked);
 */
import net from 'node:net';
import { EventSource } from 'eventsource';
import { authHeaders } from '../../../../tools/processes/index.ts';
import { makeEvent, sleep } from '../helper.ts';

export {
  ADMIN_TOKEN,
  authHeaders,
  childPids,
  countStored,
  countWhere,
  freePort,
  PrivatePostgres,
  PrivateRedis,
  ROOT,
  type ServerEnv,
  type ServerProcess,
  spawnServer,
} from '../../../../tools/processes/index.ts';

/** Full form (`npm run test:faults`) or the short form that runs inside `npm test`. */
export const FULL = process.env.FMO_FAULTS === 'full';

/** A decision trace with PII in it, so the load exercises redaction and encryption. */
export const SAMPLE_TRACE = {
  input: { text: 'Invoice for jane.doe@example.com, card 4111 1111 1111 1111, call +44 20 7946 0958', pages: 3 },
  output: { label: 'invoice', fields: { total: '1,234.00 EUR' } },
  decision_rationale: 'Header says INVOICE; totals block present.',
  confidence_score: 0.93,
};

export interface LoadCounts {
  sent: number;
  acknowledged: number;
  /** Batches answered with a non-2xx status or not answered at all. */
  failedBatches: number;
  statuses: Record<string, number>;
}

/**
 * Posts batches of fresh events in a loop over keep-alive connections. Only ids in a
 * 202's `accepted_ids` count as acknowledged; a batch that failed (connection reset by
 * a kill -9, 503 while Redis is away) is retried once the server answers again, like
 * the SDK does, so the test can also check that retried batches are not duplicated.
 */
export class IngestLoad {
  readonly acked = new Set<string>();
  readonly counts: LoadCounts = { sent: 0, acknowledged: 0, failedBatches: 0, statuses: {} };
  private running = false;
  private loops: Promise<void>[] = [];
  urls: string[];

  constructor(
    url: string | string[],
    private readonly o: { batch: number; concurrency: number; tenant?: string; runId?: string; pauseMs?: number; retry?: boolean } = { batch: 100, concurrency: 2 },
  ) {
    this.urls = Array.isArray(url) ? url : [url];
  }

  start() {
    this.running = true;
    for (let i = 0; i < this.o.concurrency; i++) this.loops.push(this.loop(i));
  }

  async stop() {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async loop(i: number) {
    let pending: ReturnType<typeof makeEvent>[] | null = null;
    let n = 0;
    while (this.running) {
      const events: ReturnType<typeof makeEvent>[] =
        pending ??
        Array.from({ length: this.o.batch }, (_, j) =>
          makeEvent({ tenant_id: this.o.tenant ?? 'faults', pipeline_run_id: this.o.runId ?? 'faults-run', ...(j % 4 === 0 ? { trace: SAMPLE_TRACE } : {}) }),
        );
      if (!pending) this.counts.sent += events.length;
      const url = this.urls[(i + n++) % this.urls.length] as string;
      let ok = false;
      try {
        const res = await fetch(`${url}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...authHeaders() },
          body: JSON.stringify({ events }),
          signal: AbortSignal.timeout(20_000),
        });
        this.counts.statuses[res.status] = (this.counts.statuses[res.status] ?? 0) + 1;
        const body = (await res.json()) as { accepted_ids?: string[] };
        if (res.status === 202) {
          for (const id of body.accepted_ids ?? []) this.acked.add(id);
          this.counts.acknowledged = this.acked.size;
          ok = true;
        }
      } catch {
        this.counts.statuses.network = (this.counts.statuses.network ?? 0) + 1;
      }
      if (!ok) {
        this.counts.failedBatches++;
        pending = this.o.retry === false ? null : events;
        await sleep(100);
      } else {
        pending = null;
        if (this.o.pauseMs) await sleep(this.o.pauseMs);
      }
    }
  }
}

export interface SseListener {
  es: EventSource;
  /** Every model_event received: SSE id (bus position) and event id, in arrival order. */
  got: { seq: string; id: string }[];
  gaps: unknown[];
  opens: number;
  errors: number;
  /** The Last-Event-ID each reconnect sent. */
  resumedFrom: string[];
  opened: Promise<void>;
}

/** A real WHATWG EventSource (the `eventsource` package) on /telemetry/stream, with
 * the admin token; it reconnects by itself, sending Last-Event-ID. */
export function listenSse(base: string, query: Record<string, string>, opts: { lastEventId?: string } = {}): SseListener {
  const url = `${base}/telemetry/stream?${new URLSearchParams(query)}`;
  const resumedFrom: string[] = [];
  const es = new EventSource(url, {
    fetch: (input, init) => {
      const headers = { ...(init?.headers as Record<string, string>), ...authHeaders(), ...(opts.lastEventId ? { 'Last-Event-ID': opts.lastEventId } : {}) };
      const last = Object.entries(headers).find(([k]) => k.toLowerCase() === 'last-event-id')?.[1];
      if (last) resumedFrom.push(last);
      return fetch(input, { ...init, headers });
    },
  });
  const l: SseListener = { es, got: [], gaps: [], opens: 0, errors: 0, resumedFrom, opened: Promise.resolve() };
  l.opened = new Promise<void>((resolve) =>
    es.addEventListener('open', () => {
      l.opens++;
      resolve();
    }),
  );
  es.addEventListener('error', () => {
    l.errors++;
  });
  es.addEventListener('model_event', (m) => l.got.push({ seq: m.lastEventId, id: (JSON.parse(m.data) as { event: { id: string } }).event.id }));
  es.addEventListener('gap', (m) => l.gaps.push(JSON.parse(m.data)));
  return l;
}

/** A TCP proxy in front of a server whose open connections can be cut at once, as a
 * flaky network or a load balancer restart would: clients see a reset mid-stream. */
export class CuttableProxy {
  private readonly sockets = new Set<net.Socket>();
  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(targetPort: number): Promise<CuttableProxy> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((client) => {
      const upstream = net.connect(targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const p = new CuttableProxy(server, (server.address() as net.AddressInfo).port);
    (p as unknown as { sockets: Set<net.Socket> }).sockets = sockets;
    return p;
  }

  /** Resets every connection through the proxy; returns how many were cut. */
  cutAll(): number {
    const n = this.sockets.size;
    for (const s of this.sockets) s.resetAndDestroy();
    return n;
  }

  async close() {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Orders SSE ids / bus positions (`<ms>-<n>`). */
export function compareSeq(a: string, b: string): number {
  const [am, an] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bn] = b.split('-').map(BigInt) as [bigint, bigint];
  return am === bm ? (an < bn ? -1 : an > bn ? 1 : 0) : am < bm ? -1 : 1;
}
