import path from 'node:path';

/** Every setting the server reads, with its default. The README's configuration table
 * is this list; keep them together. */
export interface Config {
  port: number;
  host: string;
  /** Unset → embedded PGlite under dataDir. */
  databaseUrl: string | null;
  /** Unset → in-memory bus. */
  redisUrl: string | null;
  dataDir: string;
  /** Prefix of Redis keys, so several deployments (or tests) can share one Redis. */
  redisPrefix: string;
  /** Approximate cap of the Redis stream / memory ring. */
  busMaxLen: number;
  logLevel: string;
  demo: boolean;
  /** Serve the built dashboard from this folder when it exists. */
  dashboardDir: string;
  /** A `started` with no end after this long is marked `abandoned`. */
  abandonAfterMs: number;
  /** Consumer name in the writer's Redis consumer group; unique per process. */
  consumerName: string;
}

const bool = (v: string | undefined, dflt: boolean): boolean =>
  v === undefined || v === '' ? dflt : !['0', 'false', 'no', 'off'].includes(v.toLowerCase());

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const root = path.resolve(import.meta.dirname, '../../..');
  return {
    port: Number(env.PORT ?? 8000),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || null,
    redisUrl: env.REDIS_URL || null,
    dataDir: path.resolve(env.FMO_DATA_DIR ?? path.join(root, 'data')),
    redisPrefix: env.FMO_REDIS_PREFIX ?? 'fmo',
    busMaxLen: Number(env.FMO_BUS_MAXLEN ?? 1_000_000),
    logLevel: env.LOG_LEVEL ?? 'info',
    demo: bool(env.FMO_DEMO, true),
    dashboardDir: path.resolve(env.FMO_DASHBOARD_DIR ?? path.join(root, 'packages/admin-dashboard/dist')),
    abandonAfterMs: Number(env.FMO_ABANDON_AFTER_MS ?? 10 * 60_000),
    consumerName: env.FMO_CONSUMER ?? `writer-${process.pid}`,
    ...overrides,
  };
}
