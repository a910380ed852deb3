import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newId } from '@frostbyte/contracts';
import type { ModelEventInput } from '@frostbyte/contracts';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import type { Bus } from '../src/bus/bus.ts';
import { MemoryBus } from '../src/bus/memory-bus.ts';
import { RedisStreamsBus } from '../src/bus/redis-streams-bus.ts';
import { type Config, loadConfig } from '../src/config.ts';
import { migrate } from '../src/storage/migrate.ts';
import { createPgliteClient } from '../src/storage/pglite-client.ts';
import { createPostgresClient } from '../src/storage/postgres-client.ts';
import { DataKeyRepository } from '../src/storage/data-keys.ts';
import { EventStats } from '../src/storage/event-stats.ts';
import { scopedRunner } from '../src/storage/scoped.ts';
import type { SqlClient } from '../src/storage/sql-client.ts';
import { SqlStorage } from '../src/storage/sql-storage.ts';

/** The machine's real services (CI has the same). Override for other setups. */
export const PG_ADMIN_URL = process.env.FMO_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.FMO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const uniq = (p = 't') => `${p}${randomBytes(5).toString('hex')}`;

/** Every test server accepts this as its FMO_ADMIN_TOKEN; `fetch` below sends it. */
export const TEST_ADMIN_TOKEN = `test-admin-${randomBytes(16).toString('hex')}`;
export const ADMIN_HEADERS = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

/** fetch as the test admin, unless the call sets its own Authorization. Security tests
 * that need no credential use `globalThis.fetch`. */
export const fetch: typeof globalThis.fetch = (input, init = {}) => {
  const headers = new Headers(init.headers);
  if (!headers.has('authorization')) headers.set('authorization', ADMIN_HEADERS.authorization);
  return globalThis.fetch(input, { ...init, headers });
};

/** A fresh PostgreSQL database per call, dropped by the returned cleanup. Tests stay
 * independent and can run in parallel. */
export async function freshPgDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = uniq('fmo_test_');
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    drop: async () => {
      const a = new pg.Client({ connectionString: PG_ADMIN_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export function tempDir(prefix = 'fmo-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export type StorageKind = 'pglite' | 'postgres';
export type BusKind = 'memory' | 'redis';

/** The other repositories over the same client (what the composition root builds). */
const repositories = (db: SqlClient) => ({ db, stats: new EventStats(scopedRunner(db)), keys: new DataKeyRepository(db) });

export async function makeStorage(kind: StorageKind) {
  if (kind === 'pglite') {
    const db = await createPgliteClient(null);
    await migrate(db);
    const storage = new SqlStorage(db);
    await storage.ensurePartitions(new Date(), 2);
    return { storage, ...repositories(db), cleanup: () => storage.close() };
  }
  const { url, drop } = await freshPgDatabase();
  const db = await createPostgresClient(url);
  await migrate(db);
  const storage = new SqlStorage(db);
  await storage.ensurePartitions(new Date(), 2);
  return {
    storage,
    ...repositories(db),
    url,
    cleanup: async () => {
      await storage.close();
      await drop();
    },
  };
}

export async function makeBus(kind: BusKind, opts: { maxLen?: number; prefix?: string } = {}): Promise<{ bus: Bus; prefix: string; cleanup: () => Promise<void> }> {
  const prefix = opts.prefix ?? uniq('fmo-test-');
  if (kind === 'memory') {
    const bus = new MemoryBus(opts.maxLen ?? 10_000);
    return { bus, prefix, cleanup: () => bus.close() };
  }
  const bus = await RedisStreamsBus.connect(REDIS_URL, prefix, opts.maxLen ?? 100_000);
  return {
    bus,
    prefix,
    cleanup: async () => {
      const { Redis } = await import('ioredis');
      const r = new Redis(REDIS_URL);
      await r.del(`${prefix}:events`);
      r.disconnect();
      await bus.close();
    },
  };
}

/** A whole server in one of the two modes, with its own data dir / database / stream. */
export async function startServer(mode: 'embedded' | 'server', overrides: Partial<Config> = {}) {
  const dataDir = overrides.dataDir ?? tempDir();
  let dropDb: (() => Promise<void>) | null = null;
  let databaseUrl: string | null = null;
  let redisUrl: string | null = null;
  const redisPrefix = uniq('fmo-test-');
  if (mode === 'server') {
    if (overrides.databaseUrl) databaseUrl = overrides.databaseUrl;
    else {
      const db = await freshPgDatabase();
      databaseUrl = db.url;
      dropDb = db.drop;
    }
    redisUrl = REDIS_URL;
  }
  const config = loadConfig({}, {
    port: 0, host: '127.0.0.1', dataDir, databaseUrl, redisUrl, redisPrefix, demo: false, consumerName: uniq('w'),
    adminToken: TEST_ADMIN_TOKEN, retentionEveryMs: 0, loginLink: false,
    // Tests post backdated baselines and read them at once; the cache has its own test.
    slowFiguresMs: 0, ...overrides,
  });
  const app = await buildApp({ config });
  await app.listen({ port: config.port, host: '127.0.0.1' });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    app,
    config,
    url: `http://127.0.0.1:${port}`,
    close: async (opts: { keepData?: boolean } = {}) => {
      // A keep-alive connection busy at close time would hold it for the keep-alive
      // timeout; a short grace, then cut.
      const force = setTimeout(() => app.server.closeAllConnections(), 1000);
      await app.close();
      clearTimeout(force);
      if (!opts.keepData) {
        if (dropDb) await dropDb();
        if (redisUrl) {
          const { Redis } = await import('ioredis');
          const r = new Redis(redisUrl);
          await r.del(`${config.redisPrefix}:events`);
          r.disconnect();
        }
      }
    },
  };
}

/** A valid event with unique ids; override any field. */
export function makeEvent(over: Partial<ModelEventInput> = {}): ModelEventInput & { id: string } {
  return {
    id: newId(),
    invocation_id: newId(),
    timestamp: new Date().toISOString(),
    tenant_id: 'acme',
    document_id: `doc-${randomBytes(3).toString('hex')}`,
    stage: 'parse',
    model_name: 'frostbyte-docparse',
    model_version: '1.0.0',
    operation: 'parse',
    status: 'completed',
    duration_ms: 12.5,
    input_tokens: 100,
    output_tokens: 20,
    ...over,
  } as ModelEventInput & { id: string };
}

export async function postEvents(url: string, events: unknown[], headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...ADMIN_HEADERS, ...headers },
    body: JSON.stringify({ events }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { accepted_ids: string[]; rejected: unknown[] } };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until<T>(fn: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs = 10_000, every = 25): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(v)?.slice(0, 500)}`);
    await sleep(every);
  }
}

/** Response bodies in tests are read loosely; the assertions are the type check. */
// biome-ignore lint/suspicious/noExplicitAny: JSON read back in tests
export type Json = any;
export const json = async (r: Response | Promise<Response>): Promise<Json> => (await r).json();
export const getJson = (url: string, init?: RequestInit): Promise<Json> => json(fetch(url, init));
