import cluster from 'node:cluster';

/**
 * FMO_WORKERS=N runs N server processes on one port (node:cluster; the kernel spreads
 * connections). A Node process does its JavaScript on one core, so one process per
 * core is how a server deployment uses the machine. They are the same processes a
 * scale-out deployment runs on several machines (docs/scale-out.md): they share
 * PostgreSQL and Redis, each tails the bus for its own SSE clients, and the writer
 * group spreads the database writes over all of them. Embedded mode (PGlite, memory
 * bus) lives in one process and cannot be split.
 */
export function workerCount(env: NodeJS.ProcessEnv): number {
  const raw = env.FMO_WORKERS ?? '1';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`FMO_WORKERS must be an integer from 1 to 64, got '${raw}'`);
  if (n > 1 && !(env.DATABASE_URL && env.REDIS_URL)) {
    throw new Error('FMO_WORKERS > 1 needs DATABASE_URL and REDIS_URL: embedded mode (PGlite, in-memory bus) is one process');
  }
  return n;
}

/** This process's worker number (1..N) under the supervisor, or null when it runs alone. */
export function workerIndex(env: NodeJS.ProcessEnv): number | null {
  return cluster.isWorker && env.FMO_WORKER_INDEX ? Number(env.FMO_WORKER_INDEX) : null;
}

/**
 * The supervising process: forks N workers, replaces one that dies (same index, so
 * its writer consumer name, and with it its unacked bus entries, carry over), and on
 * SIGINT/SIGTERM stops them all gracefully before exiting itself.
 */
export function supervise(n: number, log: (msg: string) => void = (m) => console.error(m)) {
  let stopping = false;
  const fork = (index: number) => {
    const w = cluster.fork({ FMO_WORKER_INDEX: String(index) });
    w.on('exit', (code, signal) => {
      if (stopping) return;
      log(`worker ${index} exited (${signal ?? code}); starting a new one`);
      setTimeout(() => fork(index), 1000);
    });
  };
  for (let i = 1; i <= n; i++) fork(i);
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const alive = Object.values(cluster.workers ?? {}).filter((w) => w && !w.isDead());
    if (!alive.length) process.exit(0);
    let left = alive.length;
    for (const w of alive) {
      w?.on('exit', () => {
        if (--left === 0) process.exit(0);
      });
      w?.process.kill(signal);
    }
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
