/** Server processes started the way production starts them
 * (`node --import tsx packages/server/src/main.ts` + env). */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, sleep } from './os.ts';

/** The repository root (the child servers' working directory). */
export const ROOT = path.resolve(import.meta.dirname, '../..');

/** The admin token the child servers accept (FMO_ADMIN_TOKEN) and every request sends. */
export const ADMIN_TOKEN = process.env.FMO_ADMIN_TOKEN ?? `fmo-faults-${randomBytes(16).toString('hex')}`;
export const authHeaders = (): Record<string, string> => ({ authorization: `Bearer ${ADMIN_TOKEN}` });

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
