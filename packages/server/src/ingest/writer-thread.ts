/**
 * The DB writer in its own thread (server mode). On the main thread, each of a writer
 * batch's ten or so round trips (read, BEGIN, INSERT, audit lock and append, COMMIT,
 * ack) waited behind whatever HTTP work the event loop held, so under load the writer
 * starved and its backlog grew; and its CPU (decoding, array building, Merkle leaves)
 * competed with ingest on one core. Here it has its own event loop, its own Redis and
 * PostgreSQL connections and its own core. The main thread hears what it needs:
 * batch sizes (metrics), the tenants whose audit chains grew (checkpoint signing),
 * quarantined records (metrics) and each loop's stats twice a second (`/readyz`).
 *
 * `WriterThread` (main) starts a worker (compose/writer-thread-boot.mjs loads
 * compose/writer.ts in it), whose body is `runWorker` there.
 */
import { Worker } from 'node:worker_threads';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import type { WriterStats } from './writer.ts';

export type ToMain =
  | { type: 'ready' }
  | { type: 'batch'; size: number; tenants: string[] }
  | { type: 'quarantined' }
  | { type: 'stats'; loops: WriterStats[] }
  | { type: 'stopped' }
  | { type: 'failed'; error: string };

/** How often the thread posts its loops' stats. */
export const STATS_EVERY_MS = 500;
export type ToWorker = { type: 'stop' };

export interface WorkerInput {
  config: Config;
  loops: number;
}

export class WriterThread {
  private worker: Worker | null = null;
  private stopping = false;
  private stopped: (() => void) | null = null;
  private loops: WriterStats[] = [];
  /** When the thread last posted its stats (epoch ms; null: never). */
  private heardAt: number | null = null;

  constructor(
    private readonly input: WorkerInput,
    private readonly log: FastifyBaseLogger,
    private readonly on: { batch(size: number, tenants: string[]): void; quarantined(): void },
  ) {}

  /** The loops' latest stats as the thread last posted them, and when that was. */
  stats(): { loops: WriterStats[]; heardAt: number | null } {
    return { loops: this.loops, heardAt: this.heardAt };
  }

  /** Starts the thread; resolves once its writers run (or rejects with why not). */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const w = new Worker(new URL('../compose/writer-thread-boot.mjs', import.meta.url), { workerData: this.input });
      this.worker = w;
      let ready = false;
      w.on('message', (m: ToMain) => {
        if (m.type === 'ready') {
          ready = true;
          resolve();
        } else if (m.type === 'batch') this.on.batch(m.size, m.tenants);
        else if (m.type === 'quarantined') this.on.quarantined();
        else if (m.type === 'stats') {
          this.loops = m.loops;
          this.heardAt = Date.now();
        }
        else if (m.type === 'stopped') this.stopped?.();
        else if (m.type === 'failed' && !ready) reject(new Error(`writer thread: ${m.error}`));
      });
      w.on('error', (err) => {
        this.log.error({ err }, 'writer thread failed');
        if (!ready) reject(err);
      });
      w.on('exit', (code) => {
        this.worker = null;
        this.stopped?.();
        if (this.stopping || !ready) return;
        // Its unacked entries stay on the bus under the same consumer names: a new
        // thread reads them first.
        this.log.error({ code }, 'writer thread exited; starting a new one');
        setTimeout(() => {
          if (!this.stopping) void this.start().catch((err) => this.log.error({ err }, 'writer thread restart failed'));
        }, 1000).unref();
      });
    });
  }

  /** Lets the writers finish their batches, then ends the thread. */
  async stop() {
    this.stopping = true;
    const w = this.worker;
    if (!w) return;
    const done = new Promise<void>((r) => {
      this.stopped = r;
    });
    w.postMessage({ type: 'stop' } satisfies ToWorker);
    const force = setTimeout(() => void w.terminate(), 15_000);
    await done;
    clearTimeout(force);
    // Its batches are committed and acked; nothing it still holds (a socket closing,
    // a logger flushing) may keep the process alive.
    await w.terminate();
  }
}
