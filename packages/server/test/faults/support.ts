/**
 * Real processes for the fault suite, the scale-out test and the benchmarks: a private
 * PostgreSQL cluster and a private Redis (so stopping them never disturbs anyone else
 * using the machine's shared services), server processes started the way production
 * starts them (`node --import tsx packages/server/src/main.ts` + env), and a load
 * client that remembers exactly which event ids the server acknowledged.
 *
 *   const pg = await PrivatePostgres.start();          // initdb + pg_ctl in a temp dir
 *   const redis = await PrivateRedis.start();
 *   const db = await pg.createDatabase();
 *   const a = await spawnServer({ databaseUrl: db, redisUrl: redis.url });
 *   const load = new IngestLoad(a.url, { batch: 200, concurrency: 4 }); load.start();
 *   await a.kill9(); … const stored = await countStored(db, load.acked);
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { EventSource } from 'eventsource';
import pg from 'pg';
import { makeEvent, sleep, uniq } from '../helper.ts';

const run = promisify(execFile);
export const ROOT = path.resolve(import.meta.dirname, '../../../..');
const PG_BIN = process.env.FMO_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** Full form (`npm run test:faults`) or the short form that runs inside `npm test`. */
export const FULL = process.env.FMO_FAULTS === 'full';

/** The admin token the child servers accept (FMO_ADMIN_TOKEN) and every request sends. */
export const ADMIN_TOKEN = process.env.FMO_ADMIN_TOKEN ?? `fmo-faults-${randomBytes(16).toString('hex')}`;
export const authHeaders = (): Record<string, string> => ({ authorization: `Bearer ${ADMIN_TOKEN}` });

/** Direct children of a process, from /proc (Linux): a supervisor's workers, a
 * postmaster's backends. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const s = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      if (Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(p));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A throw-away PostgreSQL 15 cluster on its own port, owned by the `postgres` user
 * (initdb refuses root). Stop/start it at will; destroy() removes everything. */
export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get adminUrl() {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async start(): Promise<PrivatePostgres> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fmo-pg-'));
    if (process.getuid?.() === 0) fs.chownSync(dir, uidOf('postgres'), gidOf('postgres'));
    await asPostgres(`${PG_BIN}/initdb`, ['-D', `${dir}/data`, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    // Small shared memory footprint; fsync stays on (durability is what is tested).
    fs.appendFileSync(`${dir}/data/postgresql.conf`, '\nshared_buffers = 128MB\nmax_connections = 200\nsynchronous_commit = on\n');
    const p = new PrivatePostgres(dir, await freePort());
    await p.startServer();
    return p;
  }

  /** A cluster kept in `dir` between runs (the history benchmark's 10 M events are
   * seeded once); created on first use, started on a free port. Stop it with stopServer(). */
  static async open(dir: string): Promise<PrivatePostgres> {
    if (!fs.existsSync(`${dir}/data/PG_VERSION`)) {
      fs.mkdirSync(dir, { recursive: true });
      if (process.getuid?.() === 0) fs.chownSync(dir, uidOf('postgres'), gidOf('postgres'));
      await asPostgres(`${PG_BIN}/initdb`, ['-D', `${dir}/data`, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
      fs.appendFileSync(`${dir}/data/postgresql.conf`, '\nshared_buffers = 512MB\nmax_connections = 200\nmax_wal_size = 4GB\n');
    }
    const p = new PrivatePostgres(dir, await freePort());
    await p.startServer();
    return p;
  }

  async startServer() {
    await asPostgres(`${PG_BIN}/pg_ctl`, [
      '-D', `${this.dir}/data`, '-l', `${this.dir}/log`, '-w', '-t', '60',
      '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1`, 'start',
    ]);
  }

  /** `immediate` is PostgreSQL's own crash: no checkpoint, recovery on the next start. */
  async stopServer(mode: 'fast' | 'immediate' = 'fast') {
    await asPostgres(`${PG_BIN}/pg_ctl`, ['-D', `${this.dir}/data`, '-m', mode, '-w', 'stop']);
  }

  async createDatabase(name = uniq('fmo_f_')): Promise<string> {
    const c = new pg.Client({ connectionString: this.adminUrl });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    return this.adminUrl.replace(/\/postgres$/, `/${name}`);
  }

  async destroy() {
    await this.stopServer('immediate').catch(() => {});
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A throw-away Redis without persistence (like the CI one) on its own port. */
export class PrivateRedis {
  private constructor(
    readonly port: number,
    readonly dir: string,
    /** Append-only file fsynced on every write: what production should run (see docs/scale-out.md). */
    readonly aof: boolean,
  ) {}

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(opts: { aof?: boolean } = {}): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort(), fs.mkdtempSync(path.join(os.tmpdir(), 'fmo-redis-')), opts.aof ?? false);
    await r.startServer();
    return r;
  }

  async startServer() {
    const persistence = this.aof ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    await run('redis-server', [
      '--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--daemonize', 'yes',
      '--dir', this.dir, '--logfile', path.join(this.dir, 'redis.log'), '--pidfile', path.join(this.dir, 'redis.pid'),
    ]);
    for (let i = 0; i < 100; i++) {
      if (await this.ping()) return;
      await sleep(50);
    }
    throw new Error(`redis on ${this.port} did not start`);
  }

  async ping(): Promise<boolean> {
    try {
      const { stdout } = await run('redis-cli', ['-p', String(this.port), 'ping']);
      return stdout.trim() === 'PONG';
    } catch {
      return false;
    }
  }

  /** Never writes an RDB snapshot; with AOF on, the log (fsynced per write) is what
   * survives, otherwise the streams are gone after a restart. */
  async stopServer() {
    await run('redis-cli', ['-p', String(this.port), 'shutdown', 'nosave']).catch(() => {});
    for (let i = 0; i < 100 && (await this.ping()); i++) await sleep(50);
  }

  async destroy() {
    await this.stopServer();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface ServerProcess {
  url: string;
  port: number;
  proc: ChildProcess;
  /** stdout + stderr, for a failing test's message. */
  output: () => string;
  exited: Promise<number | null>;
  /** What it was started with (port, data dir, master key filled in): pass it to
   * spawnServer again to restart the same server. */
  options: ServerEnv;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export interface ServerEnv {
  databaseUrl?: string | null;
  redisUrl?: string | null;
  redisPrefix?: string;
  dataDir?: string;
  masterKey?: string;
  /** Shared by every process of one deployment (user tokens, audit checkpoints). */
  jwtSecret?: string;
  auditSigningKey?: string;
  consumer?: string;
  port?: number;
  extraEnv?: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
}

/** One server process, started exactly as in production; resolves once /healthz answers. */
export async function spawnServer(o: ServerEnv): Promise<ServerProcess> {
  const port = o.port ?? (await freePort());
  const options: ServerEnv = {
    ...o,
    port,
    dataDir: o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'fmo-srv-')),
    masterKey: o.masterKey ?? randomBytes(32).toString('base64'),
    jwtSecret: o.jwtSecret ?? randomBytes(32).toString('hex'),
    auditSigningKey: o.auditSigningKey ?? randomBytes(32).toString('hex'),
    consumer: o.consumer ?? `w-${port}`,
  };
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    HOST: '127.0.0.1',
    FMO_DEMO: '0',
    LOG_LEVEL: process.env.FMO_FAULTS_LOG ?? 'warn',
    FMO_DATA_DIR: options.dataDir as string,
    FMO_MASTER_KEY: options.masterKey as string,
    FMO_JWT_SECRET: options.jwtSecret as string,
    FMO_AUDIT_SIGNING_KEY: options.auditSigningKey as string,
    FMO_ADMIN_TOKEN: ADMIN_TOKEN,
    FMO_REDIS_PREFIX: o.redisPrefix ?? 'fmo',
    FMO_CONSUMER: options.consumer as string,
    ...(o.extraEnv ?? {}),
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.NODE_OPTIONS; // vitest's loader flags must not leak into the child
  if (o.databaseUrl) env.DATABASE_URL = o.databaseUrl;
  if (o.redisUrl) env.REDIS_URL = o.redisUrl;
  const proc = spawn(process.execPath, [...(o.nodeArgs ?? []), '--import', 'tsx', 'packages/server/src/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer) => {
    out += b.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  let dead = false;
  void exited.then(() => {
    dead = true;
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (dead) throw new Error(`server exited during start-up:\n${out.slice(-4000)}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {}
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`server did not answer /healthz within 60 s:\n${out.slice(-4000)}`);
    }
    await sleep(100);
  }
  return {
    url,
    port,
    proc,
    output: () => out,
    exited,
    options,
    kill9: async () => {
      if (!dead) proc.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (!dead) proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** How many of these event ids the database holds (each at most once: id is the key). */
export async function countStored(databaseUrl: string, ids: Iterable<string>): Promise<number> {
  const all = [...ids];
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    let n = 0;
    for (let i = 0; i < all.length; i += 50_000) {
      const { rows } = await c.query('SELECT count(*)::int AS n FROM model_events WHERE id = ANY($1::uuid[])', [all.slice(i, i + 50_000)]);
      n += rows[0].n as number;
    }
    return n;
  } finally {
    await c.end();
  }
}

export async function countWhere(databaseUrl: string, where: string, params: unknown[] = []): Promise<number> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM model_events WHERE ${where}`, params);
    return rows[0].n as number;
  } finally {
    await c.end();
  }
}

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

function uidOf(user: string): number {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
  return Number(line?.split(':')[2]);
}
function gidOf(user: string): number {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
  return Number(line?.split(':')[3]);
}

async function asPostgres(bin: string, args: string[]) {
  if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', bin, ...args]);
  else await run(bin, args);
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
