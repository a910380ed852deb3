import { randomBytes } from 'node:crypto';
import { AlertService } from '../alerts/alert-service.ts';
import { PipelineMonitor } from '../alerts/pipeline-monitor.ts';
import { DEFAULT_ALERT_RULES } from '../alerts/thresholds.ts';
import { AlertWebhook } from '../alerts/webhook.ts';
import type { Bus } from '../bus/bus.ts';
import { MemoryBus } from '../bus/memory-bus.ts';
import { RedisStreamsBus } from '../bus/redis-streams-bus.ts';
import { sweepAbandoned } from '../ingest/abandon.ts';
import { IngestService } from '../ingest/ingest-events.ts';
import { PriceBook } from '../ingest/pricing.ts';
import { createServerRedactor } from '../ingest/server-redactor.ts';
import { combineStats, type WriterStats, writerLoops, writerStall } from '../ingest/writer.ts';
import { WriterThread } from '../ingest/writer-thread.ts';
import { seqToString } from '../kernel/seq.ts';
import { Fanout } from '../live/fanout.ts';
import { auditHook } from '../registry/audit-hook.ts';
import { ExperimentService } from '../registry/experiment-service.ts';
import { RegistryService } from '../registry/registry-service.ts';
import { seedRegistry } from '../registry/seed.ts';
import { RecognizerService } from '../redaction/recognizer-service.ts';
import { QuarantineRepository } from '../storage/quarantine.ts';
import { scopedRunner } from '../storage/scoped.ts';
import { type ComposeOptions, composeAdmin } from './core.ts';
import { createMetrics, registerSealMetrics } from './metrics.ts';

/**
 * The one wiring of a server process. Builds, in order: the database and its
 * repositories, audit log, keys and authentication (core.ts); the bus; the writer
 * (loops here, or a worker thread in server mode) and its quarantine; pricing, live
 * fan-out and ingest;
 * the registry and experiments (seeded with the pipeline's defaults); the pipeline
 * monitor and alerting. Every link is passed in a constructor. `start()` starts what
 * runs in the background, `quiesce()` stops taking new work, `close()` lets the writer
 * finish, signs a last checkpoint and closes the stores.
 */
export async function composeServer(o: ComposeOptions) {
  const { config, log } = o;
  // Embedded mode: a per-process admin token for the CLI (written 0600 beside the data).
  const cliToken = config.databaseUrl ? null : `fmo_cli_${randomBytes(32).toString('base64url')}`;
  const core = await composeAdmin({ ...o, adminTokens: [config.adminToken, cliToken] });
  const { db, storage, audit, retention, stats } = core;
  const metrics = createMetrics();
  registerSealMetrics(metrics.registry, core.crypto.stats);

  // Bus: Redis Streams when REDIS_URL is set, else the in-process ring, continuing
  // positions above what is stored so ids stay increasing across restarts.
  let bus: Bus;
  if (config.redisUrl) bus = await RedisStreamsBus.connect(config.redisUrl, config.redisPrefix, config.busMaxLen);
  else {
    const mem = new MemoryBus(Math.min(config.busMaxLen, 200_000));
    const max = await storage.maxSeq();
    mem.resumeAfter(max === null ? null : seqToString(max));
    bus = mem;
  }

  // Several writer loops when the bus is durable: the database takes concurrent batch
  // inserts far faster than one loop feeds it (per-tenant audit appends serialise on an
  // advisory lock). In server mode they run in a worker thread (writer-thread.ts), off
  // the event loop that serves HTTP and SSE. The memory bus keeps one loop here, whose
  // in-order commits let ingest wait for "committed up to seq".
  const loops = bus.durable ? Math.max(1, config.writerLoops) : 1;
  // Records the writer cannot store go to the quarantine (never acked away unseen).
  const quarantine = new QuarantineRepository(db);
  const threaded = bus instanceof RedisStreamsBus && config.writerThread && config.databaseUrl !== null;
  const thread = threaded
    ? new WriterThread({ config, loops }, log, {
        batch: (size, tenants) => {
          metrics.writerBatch.observe(size);
          audit.markAppended(tenants);
        },
        quarantined: () => metrics.writerQuarantined.inc(),
      })
    : null;
  const writers = threaded
    ? []
    : writerLoops(bus, storage, log, {
        consumerName: config.consumerName,
        loops,
        quarantine,
        onBatch: (n) => metrics.writerBatch.observe(n),
        onQuarantine: () => metrics.writerQuarantined.inc(),
      });
  let startedAt = Date.now();

  /** Is the writer making progress (`/readyz`)? Each loop's stall (ingest/writer.ts
   * `writerStall`), or a writer thread that has stopped posting its stats; with the
   * loops' figures combined. Same answer for loops here and in the thread. */
  const writerHealth = (): { stalled: string | null; stats: WriterStats; loops: number } => {
    const now = Date.now();
    const stallMs = config.writerStallMs;
    let all: WriterStats[] = writers.map((w) => w.stats);
    let stalled: string | null = null;
    if (thread) {
      const t = thread.stats();
      all = t.loops;
      const silentFor = now - (t.heardAt ?? startedAt);
      if (silentFor >= stallMs) stalled = `the writer thread has not reported for ${Math.round(silentFor / 1000)} s`;
    }
    for (const s of all) stalled ??= writerStall(s, now, stallMs);
    return { stalled, stats: combineStats(all), loops: all.length };
  };

  const prices = new PriceBook(storage);
  const live = new Fanout(bus);
  const recordChange = auditHook(audit, log);
  // Users' recognizers and allow-list terms (issue 14), applied by ingest per tenant.
  const recognizers = new RecognizerService(scopedRunner(db), recordChange, log);
  await recognizers.load();
  const ingest = new IngestService({ bus, writer: writers[0] ?? null, prices, redactor: createServerRedactor(recognizers.rulesFor), sealer: core.crypto });

  const registry = new RegistryService(db, stats, recordChange, {
    abandonAfterMs: config.abandonAfterMs,
    // A registered version's prices apply to the next ingested batch.
    onChange: () => void prices.refresh(true).catch((err) => log.error({ err }, 'registry: price reload failed')),
  });
  const experiments = new ExperimentService(db, stats, registry, recordChange);
  await seedRegistry(registry, log);

  const pipelineMonitor = new PipelineMonitor(stats, registry, { abandonAfterMs: config.abandonAfterMs, slowFiguresMs: config.slowFiguresMs ?? 60_000 });
  const alerts = new AlertService(scopedRunner(db), {
    monitor: pipelineMonitor,
    live,
    webhook: new AlertWebhook(config.alertWebhookUrl ?? null, log),
    audit: recordChange,
    rules: DEFAULT_ALERT_RULES,
    log,
    quarantine,
  });

  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, fn: () => Promise<unknown>, what: string) => {
    const t = setInterval(() => void fn().catch((err) => log.error({ err }, `${what} failed`)), ms);
    t.unref();
    timers.push(t);
  };

  return {
    ...core,
    cliToken,
    metrics,
    bus,
    quarantine,
    writerHealth,
    prices,
    live,
    ingest,
    recognizers,
    registry,
    experiments,
    pipelineMonitor,
    alerts,

    async start() {
      // Day partitions ahead of time, re-checked hourly.
      every(3600_000, () => storage.ensurePartitions(new Date(), 7), 'partitions');
      // Close invocations whose process died mid-call (ingest/abandon.ts).
      every(Math.min(30_000, config.abandonAfterMs), () => sweepAbandoned(storage, bus, config.abandonAfterMs), 'abandon sweep');
      // Seals are counted in memory on the ingest path and added to their keys' stored
      // totals here, which also rotates a key that reached its budget (crypto/trace-crypto.ts).
      every(1000, () => core.crypto.reportSeals(), 'data keys: seal count');
      // Rules changed through another process reach this one's ingest within 5 s.
      every(5000, () => recognizers.load(), 'redaction rules reload');
      // Whatever an earlier process appended and did not sign (a crash) gets signed now.
      void audit.checkpointAll(true).catch((err) => log.error({ err }, 'audit: start-up checkpoint failed'));
      if (config.auditCheckpointMs > 0) every(config.auditCheckpointMs, () => audit.checkpointAll(), 'audit: checkpoint');
      if (config.retentionEveryMs > 0)
        every(
          config.retentionEveryMs,
          async () => {
            const r = await retention.run();
            log.info({ dropped_days: r.dropped_days, audit_pruned: r.audit_pruned }, 'retention ran');
          },
          'retention',
        );
      startedAt = Date.now();
      for (const w of writers) w.start();
      await thread?.start();
      await live.start(await storage.maxSeq());
      await alerts.start(config.alertEvaluateMs ?? 5000);
    },

    /** Stops taking new work: timers, live clients, alert evaluation. */
    async quiesce() {
      for (const t of timers) clearInterval(t);
      live.close();
      await alerts.stop();
    },

    /** Lets the writers finish their batches, signs a last checkpoint, closes the stores. */
    async close() {
      for (const t of timers) clearInterval(t);
      await Promise.all([...writers.map((w) => w.stop()), thread?.stop()]);
      await core.crypto.reportSeals().catch((err) => log.error({ err }, 'data keys: final seal count failed'));
      // A last checkpoint so a clean shutdown leaves nothing unattested.
      await audit.checkpointAll().catch((err) => log.error({ err }, 'audit: final checkpoint failed'));
      await bus.close();
      await db.close();
    },
  };
}

export type ServerServices = Awaited<ReturnType<typeof composeServer>>;
