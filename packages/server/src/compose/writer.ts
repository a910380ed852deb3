import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { RedisStreamsBus } from '../bus/redis-streams-bus.ts';
import type { Config } from '../config.ts';
import { writerLoops } from '../ingest/writer.ts';
import { STATS_EVERY_MS, type ToMain, type ToWorker, type WorkerInput } from '../ingest/writer-thread.ts';
import { loggerOptions } from '../kernel/log-redaction.ts';
import { QuarantineRepository } from '../storage/quarantine.ts';
import { composeStore } from './core.ts';

/**
 * The wiring of the writer thread (ingest/writer-thread.ts): its own database
 * connections (one per loop and a spare), its own Redis connection, the audit log
 * linked into every batch's transaction, the quarantine, and the loops. `on.batch`
 * hears each batch's size and the tenants whose audit chains grew since the last one;
 * `on.quarantined` each record put in the quarantine.
 */
export async function composeWriter(
  config: Config,
  loops: number,
  log: FastifyBaseLogger,
  on: { batch: (size: number, tenants: string[]) => void; quarantined: () => void },
) {
  let tenants = new Set<string>();
  const { db, storage } = await composeStore({ config, log, maxConnections: loops + 1 }, (batch) => {
    for (const t of batch) tenants.add(t);
  });
  const bus = await RedisStreamsBus.connect(config.redisUrl as string, config.redisPrefix, config.busMaxLen);
  const writers = writerLoops(bus, storage, log, {
    consumerName: config.consumerName,
    loops,
    quarantine: new QuarantineRepository(db),
    onBatch: (size) => {
      on.batch(size, [...tenants]);
      tenants = new Set();
    },
    onQuarantine: on.quarantined,
  });
  return {
    /** Each loop's stats (plain data: they cross to the main thread). */
    stats: () => writers.map((w) => ({ ...w.stats })),
    start: () => {
      for (const w of writers) w.start();
    },
    async stop() {
      await Promise.all(writers.map((w) => w.stop()));
      await bus.close();
      await db.close();
    },
  };
}

/** The worker thread's body. */
async function runWorker({ config, loops }: WorkerInput) {
  const port = parentPort as NonNullable<typeof parentPort>;
  const send = (m: ToMain) => port.postMessage(m);
  const log = pino(loggerOptions(config.logLevel)) as unknown as FastifyBaseLogger;
  try {
    // A connection per writer loop, one spare (the abandon sweep and checkpoints stay on the main thread).
    const writer = await composeWriter(config, loops, log, {
      batch: (size, tenants) => send({ type: 'batch', size, tenants }),
      quarantined: () => send({ type: 'quarantined' }),
    });
    writer.start();
    // Heard by /readyz on the main thread; a thread that stops posting is reported too.
    const sendStats = () => send({ type: 'stats', loops: writer.stats() });
    sendStats();
    const statsTimer = setInterval(sendStats, STATS_EVERY_MS);
    port.on('message', async (m: ToWorker) => {
      if (m.type !== 'stop') return;
      clearInterval(statsTimer);
      await writer.stop();
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
