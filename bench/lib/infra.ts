/**
 * Benchmark infrastructure: a private PostgreSQL cluster and Redis (started here,
 * stopped at the end) and server processes started like production, from
 * tools/processes/ (the same helpers the fault suite uses).
 */
import http from 'node:http';
import { authHeaders, PrivatePostgres, PrivateRedis, type ServerEnv, type ServerProcess, spawnServer } from '../../tools/processes/index.ts';

export { ADMIN_TOKEN, authHeaders, countStored, countWhere, PrivatePostgres, PrivateRedis, spawnServer } from '../../tools/processes/index.ts';
export type { ServerProcess } from '../../tools/processes/index.ts';

export async function withInfra<T>(fn: (i: { pg: PrivatePostgres; redis: PrivateRedis }) => Promise<T>): Promise<T> {
  const [pg, redis] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start()]);
  try {
    return await fn({ pg, redis });
  } finally {
    await Promise.all([pg.destroy(), redis.destroy()]);
  }
}

/** A server process; with `profile`, under `node --cpu-prof` (profile written on exit). */
export async function benchServer(env: ServerEnv, profile: { on: boolean; name: string }): Promise<ServerProcess> {
  // One directory per run: the main thread and tsx's loader thread each write a profile
  // (the main thread's is the big one).
  const nodeArgs = profile.on ? ['--cpu-prof', `--cpu-prof-dir=bench/results/profiles/${profile.name}-${new Date().toISOString().replace(/[:.]/g, '-')}`] : [];
  // Extra V8/Node flags for the server under test (experiments: FMO_BENCH_NODE_ARGS="--max-semi-space-size=64").
  nodeArgs.push(...(process.env.FMO_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean));
  return spawnServer({ ...env, nodeArgs, extraEnv: { LOG_LEVEL: 'error', ...(env.extraEnv ?? {}) } });
}

/** Keep-alive agent for the load clients: a few long-lived sockets, like the SDK's undici pool. */
export const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** POST with node:http (lighter than fetch at high request rates); resolves status + body. */
export function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...authHeaders(), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function getJson(url: string): Promise<{ status: number; ms: number; body: unknown }> {
  const t0 = performance.now();
  const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    http
      .get(url, { agent, headers: authHeaders() }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      })
      .on('error', reject);
  });
  return { status: res.status, ms: performance.now() - t0, body: res.status === 200 ? JSON.parse(res.body) : res.body };
}
