import path from 'node:path';
import fp from 'fastify-plugin';
import type { Bus } from '../bus/bus.ts';
import { MemoryBus } from '../bus/memory-bus.ts';
import { RedisStreamsBus } from '../bus/redis-streams-bus.ts';
import { sweepAbandoned } from '../ingest/abandon.ts';
import { createServerRedactor } from '../ingest/server-redactor.ts';
import { IngestService } from '../ingest/ingest-events.ts';
import { PriceBook } from '../ingest/pricing.ts';
import { writerLoops } from '../ingest/writer.ts';
import { WriterThread } from '../ingest/writer-thread.ts';
import { Fanout } from '../live/fanout.ts';
import { seqToString } from '../kernel/seq.ts';
import { loadOrCreateMasterKey } from '../crypto/envelope.ts';
import { TraceCrypto } from '../crypto/trace-crypto.ts';
import { openStorage } from '../storage/open-storage.ts';
import type { Storage } from '../storage/storage.ts';

/** Storage: given (tests) or opened from the config; migrated; closed with the app. */
export const dbPlugin = fp<{ storage?: Storage; inMemory?: boolean }>(
  async (app, opts) => {
    const storage = opts.storage ?? (await openStorage(app.config, { inMemory: opts.inMemory }));
    app.decorate('storage', storage);
    if (!opts.storage) app.addHook('onClose', () => storage.close());
    // Day partitions ahead of time, re-checked hourly.
    const t = setInterval(() => void storage.ensurePartitions(new Date(), 7).catch((err) => app.log.error({ err }, 'partitions')), 3600_000);
    t.unref();
    app.addHook('onClose', async () => clearInterval(t));
  },
  { name: 'db' },
);

/** Bus: Redis Streams when REDIS_URL is set, else the in-process ring. */
export const busPlugin = fp<{ bus?: Bus }>(
  async (app, opts) => {
    let bus = opts.bus;
    if (!bus) {
      if (app.config.redisUrl) bus = await RedisStreamsBus.connect(app.config.redisUrl, app.config.redisPrefix, app.config.busMaxLen);
      else {
        const mem = new MemoryBus(Math.min(app.config.busMaxLen, 200_000));
        // Continue positions above what is stored, so ids stay increasing across restarts.
        const max = await app.storage.maxSeq();
        mem.resumeAfter(max === null ? null : seqToString(max));
        bus = mem;
      }
      const owned = bus;
      app.addHook('onClose', () => owned.close());
    }
    app.decorate('bus', bus);
  },
  { name: 'bus', dependencies: ['db'] },
);

/** Field encryption: the master key (FMO_MASTER_KEY, or a 0600 key file in the data
 * dir) unwraps the tenants' data keys. */
export const cryptoPlugin = fp(
  async (app) => {
    const master = await loadOrCreateMasterKey({ env: process.env.FMO_MASTER_KEY, file: path.join(app.config.dataDir, 'master.key') });
    if (master.created) app.log.warn({ file: path.join(app.config.dataDir, 'master.key') }, 'created a new master key: back it up; without it no trace can be read');
    app.decorate('traceCrypto', await TraceCrypto.load(master.key, app.storage));
  },
  { name: 'crypto', dependencies: ['db'] },
);

/** Ingest and everything downstream of the bus in this process: the DB writer and
 * the live fan-out. */
export const ingestPlugin = fp(
  async (app) => {
    // Several writer loops when the bus is durable: the database takes concurrent batch
    // inserts far faster than one loop feeds it (per-tenant audit appends serialise on
    // an advisory lock). In server mode they run in a worker thread (writer-thread.ts),
    // off the event loop that serves HTTP and SSE. The memory bus keeps one loop here,
    // whose in-order commits let ingest wait for "committed up to seq".
    const loops = app.bus.durable ? Math.max(1, app.config.writerLoops) : 1;
    const threaded = app.bus instanceof RedisStreamsBus && app.config.writerThread && app.config.databaseUrl !== null;
    const thread = threaded
      ? new WriterThread({ config: app.config, loops }, app.log, {
          batch: (size, tenants) => {
            app.metrics.writerBatch.observe(size);
            app.audit?.markAppended(tenants);
          },
        })
      : null;
    const writers = threaded
      ? []
      : writerLoops(app.bus, app.storage, app.log, {
          consumerName: app.config.consumerName,
          loops,
          onBatch: (n) => app.metrics.writerBatch.observe(n),
        });
    const writer = writers[0] ?? null;
    const prices = new PriceBook(app.storage);
    const live = new Fanout(app.bus);
    const ingest = new IngestService({ bus: app.bus, writer, prices, redactor: createServerRedactor(), sealer: app.traceCrypto });
    app.decorate('prices', prices);
    app.decorate('live', live);
    app.decorate('ingest', ingest);
    // Close invocations whose process died mid-call (see ingest/abandon.ts).
    const sweep = setInterval(
      () => void sweepAbandoned(app.storage, app.bus, app.config.abandonAfterMs).catch((err) => app.log.warn({ err }, 'abandon sweep failed')),
      Math.min(30_000, app.config.abandonAfterMs),
    );
    sweep.unref();
    app.addHook('onReady', async () => {
      for (const w of writers) w.start();
      await thread?.start();
      live.start();
    });
    app.addHook('preClose', async () => clearInterval(sweep));
    app.addHook('preClose', async () => {
      live.close();
    });
    app.addHook('onClose', async () => {
      await Promise.all([...writers.map((w) => w.stop()), thread?.stop()]);
    });
  },
  { name: 'ingest', dependencies: ['db', 'bus', 'crypto', 'metrics'] },
);
