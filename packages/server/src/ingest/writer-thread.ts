/**
 * The DB writer in its own thread (server mode). On the main thread, each of a writer
 * batch's ten or so round trips (read, BEGIN, INSERT, audit lock and append, COMMIT,
 * ack) waited behind whatever HTTP work the event loop held, so under load the writer
 * starved and its backlog grew; and its CPU (decoding, array building, Merkle leaves)
 * competed with ingest on one core. Here it has its own event loop, its own Redis and
 * PostgreSQL connections and its own core. The main thread hears what it needs:
 * batch sizes (metrics) and the tenants whose audit chains grew (checkpoint signing).
 *
 * This file is both sides: `WriterThread` (main) starts a worker (writer-thread-boot.mjs
 * loads this file in it), whose body is `runWorker` below.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { RedisStreamsBus } from '../bus/redis-streams-bus.ts';
import type { Config } from '../config.ts';
import { loadAuditSigner } from '../plugins/audit.ts';
import { AuditLog } from '../audit/audit-log.ts';
import { loggerOptions } from '../kernel/log-redaction.ts';
import { openStorage } from '../storage/open-storage.ts';
import { writerLoops } from './writer.ts';

type ToMain = { type: 'ready' } | { type: 'batch'; size: number; tenants: string[] } | { type: 'stopped' } | { type: 'failed'; error: string };
type ToWorker = { type: 'stop' };

interface WorkerInput {
  config: Config;
  loops: number;
}

export class WriterThread {
  private worker: Worker | null = null;
  private stopping = false;
  private stopped: (() => void) | null = null;

  constructor(
    private readonly input: WorkerInput,
    private readonly log: FastifyBaseLogger,
    private readonly on: { batch(size: number, tenants: string[]): void },
  ) {}

  /** Starts the thread; resolves once its writers run (or rejects with why not). */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const w = new Worker(new URL('./writer-thread-boot.mjs', import.meta.url), { workerData: this.input });
      this.worker = w;
      let ready = false;
      w.on('message', (m: ToMain) => {
        if (m.type === 'ready') {
          ready = true;
          resolve();
        } else if (m.type === 'batch') this.on.batch(m.size, m.tenants);
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

async function runWorker({ config, loops }: WorkerInput) {
  const port = parentPort as NonNullable<typeof parentPort>;
  const send = (m: ToMain) => port.postMessage(m);
  const log = pino(loggerOptions(config.logLevel)) as unknown as FastifyBaseLogger;
  try {
    // A connection per writer loop, one spare (the abandon sweep and checkpoints stay on the main thread).
    const storage = await openStorage(config, { maxConnections: loops + 1 });
    const bus = await RedisStreamsBus.connect(config.redisUrl as string, config.redisPrefix, config.busMaxLen);
    const audit = new AuditLog(storage, (await loadAuditSigner(config)).key, config.auditOrigin);
    let tenants = new Set<string>();
    storage.onBatchInserted = async (tx, events) => {
      await audit.appendBatch(tx, events);
      for (const e of events) tenants.add(e.tenant_id);
    };
    const writers = writerLoops(bus, storage, log, {
      consumerName: config.consumerName,
      loops,
      onBatch: (size) => {
        send({ type: 'batch', size, tenants: [...tenants] });
        tenants = new Set();
      },
    });
    for (const w of writers) w.start();
    port.on('message', async (m: ToWorker) => {
      if (m.type !== 'stop') return;
      await Promise.all(writers.map((w) => w.stop()));
      await bus.close();
      await storage.close();
      send({ type: 'stopped' });
      port.close();
    });
    send({ type: 'ready' });
  } catch (err) {
    send({ type: 'failed', error: String((err as Error).message ?? err) });
    process.exit(1);
  }
}

if (!isMainThread && (workerData as Partial<WorkerInput> | undefined)?.loops !== undefined) void runWorker(workerData as WorkerInput);
