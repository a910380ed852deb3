import path from 'node:path';
import { workerIndex } from './workers.ts';

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
  /** Writer loops per process when the bus is Redis (each its own consumer). */
  writerLoops: number;
  /** FMO_WRITER_THREAD (default on): in server mode the writer runs in a worker thread,
   * off the event loop that serves HTTP and SSE. */
  writerThread: boolean;
  /** Consumer name in the writer's Redis consumer group; unique per process (under
   * FMO_WORKERS, FMO_CONSUMER gets the worker's number appended). */
  consumerName: string;
  /** FMO_WRITER_STALL_S (default 30): a writer holding one batch this long without
   * committing it turns `/readyz` to 503 (ms here). */
  writerStallMs: number;
  /** FMO_ADMIN_TOKEN: accepted as an admin credential (automation). Unset: none. */
  adminToken: string | null;
  /** FMO_JWT_SECRET (≥ 32 chars) signs user tokens; unset → a 0600 file in the data dir.
   * Several server processes must share it. */
  jwtSecret: string | null;
  /** Lifetime of user tokens issued by the CLI / login exchange. */
  tokenTtlS: number;
  /** FMO_AUDIT_SIGNING_KEY (Ed25519 seed, hex or base64) signs audit checkpoints; unset →
   * a 0600 key file in the data dir. Several server processes must share it. */
  auditSigningKey: string | null;
  /** Origin line of the signed checkpoints: which log they belong to. */
  auditOrigin: string;
  /** A checkpoint per tenant with new entries, this often. */
  auditCheckpointMs: number;
  /** Full traces (model_events, decision_traces partitions) are kept this many days. */
  traceRetentionDays: number;
  /** Audit entries and daily audit summaries are kept this many days. */
  auditRetentionDays: number;
  /** FMO_DATA_KEY_MAX_SEALS (default 2^30): a tenant's data key is rotated automatically
   * once it has sealed this many values (AES-GCM random IVs: at most 2^32 per key). */
  dataKeyMaxSeals: number;
  /** Embedded mode prints a one-time login link at start-up (FMO_LOGIN_LINK=0: not). */
  loginLink: boolean;
  /** Run retention on this schedule (ms; 0 = never, e.g. when a cron runs the CLI). */
  retentionEveryMs: number;
  /** FMO_ALERT_WEBHOOK_URL: alert transitions are POSTed here as JSON. Unset: none. */
  alertWebhookUrl: string | null;
  /** FMO_ALERT_EVALUATE_MS: bottleneck and alert rules are evaluated this often (0 = never). */
  alertEvaluateMs: number;
  /** FMO_SLOW_FIGURES_MS: the pipeline's baseline and hourly costs are re-read at most this
   * often (0 = every time): each is a scan of an hour or more of events. */
  slowFiguresMs: number;
}

const bool = (v: string | undefined, dflt: boolean): boolean =>
  v === undefined || v === '' ? dflt : !['0', 'false', 'no', 'off'].includes(v.toLowerCase());

function consumerName(env: NodeJS.ProcessEnv): string {
  const index = workerIndex(env);
  if (!env.FMO_CONSUMER) return `writer-${process.pid}`;
  return index === null ? env.FMO_CONSUMER : `${env.FMO_CONSUMER}-w${index}`;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const root = path.resolve(import.meta.dirname, '../../..');
  return {
    port: Number(env.PORT ?? 8000),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || null,
    redisUrl: env.REDIS_URL || null,
    // Empty counts as unset: `FMO_DATA_DIR= cmd` must not put keys and the database in the cwd.
    dataDir: path.resolve(env.FMO_DATA_DIR || path.join(root, 'data')),
    redisPrefix: env.FMO_REDIS_PREFIX ?? 'fmo',
    busMaxLen: Number(env.FMO_BUS_MAXLEN ?? 1_000_000),
    logLevel: env.LOG_LEVEL ?? 'info',
    demo: bool(env.FMO_DEMO, true),
    dashboardDir: path.resolve(env.FMO_DASHBOARD_DIR || path.join(root, 'packages/admin-dashboard/dist')),
    abandonAfterMs: Number(env.FMO_ABANDON_AFTER_MS ?? 10 * 60_000),
    writerLoops: Number(env.FMO_WRITER_LOOPS ?? 3),
    writerThread: bool(env.FMO_WRITER_THREAD, true),
    consumerName: consumerName(env),
    writerStallMs: Number(env.FMO_WRITER_STALL_S ?? 30) * 1000,
    adminToken: env.FMO_ADMIN_TOKEN || null,
    jwtSecret: env.FMO_JWT_SECRET || null,
    tokenTtlS: Number(env.FMO_TOKEN_TTL_S ?? 12 * 3600),
    auditSigningKey: env.FMO_AUDIT_SIGNING_KEY || null,
    auditOrigin: env.FMO_AUDIT_ORIGIN ?? 'frostbyte.local/audit',
    auditCheckpointMs: Number(env.FMO_AUDIT_CHECKPOINT_MS ?? 10_000),
    traceRetentionDays: Number(env.FMO_TRACE_RETENTION_DAYS ?? 30),
    auditRetentionDays: Number(env.FMO_AUDIT_RETENTION_DAYS ?? 365),
    dataKeyMaxSeals: Number(env.FMO_DATA_KEY_MAX_SEALS ?? 2 ** 30),
    loginLink: bool(env.FMO_LOGIN_LINK, true),
    retentionEveryMs: Number(env.FMO_RETENTION_EVERY_MS ?? 86_400_000),
    alertWebhookUrl: env.FMO_ALERT_WEBHOOK_URL || null,
    alertEvaluateMs: Number(env.FMO_ALERT_EVALUATE_MS ?? 5000),
    slowFiguresMs: Number(env.FMO_SLOW_FIGURES_MS ?? 60_000),
    ...overrides,
  };
}
