import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TelemetrySdk } from '@frostbyte/telemetry';
import { readSampleDocuments, type SampleDocument } from './corpus/samples.ts';
import { DefaultModels, type Logger, RegistryClient } from './registry-client.ts';
import { newRunId, processDocument } from './run.ts';
import { prepareStory, type RetryStats, type Story, type StoryReport, type StoryTimings } from './story.ts';

/**
 * The demo feeder `npm start` runs beside the server: for each tenant, a document
 * from the bundled samples every 300–800 ms (now and then two at once), cycling
 * through all of them — the corrupt scan included, so failures show up too. The
 * stages get a little simulated latency so "processing" is visible on the monitor.
 * Each tenant follows its own registry config, like a real deployment would.
 *
 * Beside the feeding, the story (story.ts) plays an operator's day through the server's
 * API — a new parser version in an A/B experiment, its promotion, a slow version that
 * makes parse the bottleneck and raises an alert, the rollback after its preview, an
 * embedding outage for the second tenant — so every dashboard page has something real
 * to show within two minutes. A document whose run failed with a retryable error (the
 * embedding service down) is run again after a backoff (2 s, 4 s, 8 s by default),
 * under the same document id: the failed attempt and the retry both show in Activity.
 *
 * The output stage stores into `<data dir>/demo-output/<tenant>/`, which is emptied
 * each time a tenant starts a new pass over the samples: the demo runs for hours and
 * must not fill the disk with embeddings, but the output stage should be live too.
 */

export interface DemoOptions {
  endpoint: string;
  apiKey?: string | null | undefined;
  tenants: string[];
  /** pino's logger fits; so does `console`. */
  log?: { info: (message: string) => void; warn: (message: string) => void };
  /** Pace per tenant, ms. Default [300, 800]. */
  intervalMs?: readonly [number, number];
  /** Where unsent telemetry is spooled. Default `$FMO_SPOOL_DIR` or `<data dir>/spool/demo`. */
  spoolDir?: string;
  /** Samples directory. Default the bundled corpus. */
  samplesDir?: string;
  /** Where the output stage writes (emptied every pass). Default `<data dir>/demo-output`. */
  outputDir?: string;
  /** The story (story.ts): on by default (FMO_DEMO_STORY=0 turns it off); timings to compress it. */
  story?: boolean | Partial<StoryTimings>;
  /** First retry of a document that failed with a retryable error, ms (doubling each time). Default 2000. */
  retryDelayMs?: number;
  /** Runs of such a document, the first included. Default 4. */
  maxAttempts?: number;
}

/** What `startDemo` returns: stops the demo; `story` is the story's report once it has played (null when off). */
export type DemoHandle = (() => Promise<void>) & { story: Promise<StoryReport> | null; retries: Map<string, RetryStats> };

/** Per tenant at most this many documents in the pipeline; the pace skips a beat when full.
 * Above the alert rules' backlog threshold (10 in flight), so a slowed stage can show one. */
const MAX_IN_FLIGHT_PER_TENANT = 16;
const DEMO_LATENCY = { parse: 60, embed: 30, policy: 20, output: 5 };

export async function startDemo(options: DemoOptions): Promise<DemoHandle> {
  const log: Logger = wrapLog(options.log);
  const samples = await readSampleDocuments(options.samplesDir);
  if (samples.length === 0) throw new Error('demo: no sample documents found');
  const apiKey = options.apiKey ?? undefined;
  const spoolDir = options.spoolDir ?? process.env.FMO_SPOOL_DIR ?? join(resolve(process.env.FMO_DATA_DIR ?? 'data'), 'spool', 'demo');
  // Its own SDK instance, not the global one: the demo shares its process with the server.
  const telemetry = new TelemetrySdk({ endpoint: options.endpoint, apiKey, spoolDir, warn: (m) => log.warn(`demo telemetry: ${m}`) });
  const [minMs, maxMs] = options.intervalMs ?? [300, 800];
  const dataDir = resolve(process.env.FMO_DATA_DIR ?? 'data');
  const outputDir = resolve(options.outputDir ?? join(dataDir, 'demo-output'));
  const defaultOptions = { delay_ms: DEMO_LATENCY, output_dir: outputDir };
  const defaults = new DefaultModels(defaultOptions);
  const pipelineRunId = newRunId();
  const inFlight = new Set<Promise<unknown>>();
  const timers = new Set<NodeJS.Timeout>();
  const registries: RegistryClient[] = [];
  let stopped = false;
  const retryDelayMs = options.retryDelayMs ?? 2_000;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const retries = new Map(options.tenants.map((t) => [t, { failed: 0, retried: 0, recovered: 0, gave_up: 0 } as RetryStats]));
  const storyWanted = options.story ?? !['0', 'false', 'no', 'off'].includes(String(process.env.FMO_DEMO_STORY ?? '1').toLowerCase());
  // Before the registry clients: the second tenant's embedder is reached through the story's gateway.
  const story: Story | null = storyWanted
    ? await prepareStory({
        endpoint: options.endpoint,
        apiKey,
        tenants: options.tenants,
        log,
        ...(typeof storyWanted === 'object' ? { timings: storyWanted } : {}),
        retryStats: (t) => retries.get(t) ?? { failed: 0, retried: 0, recovered: 0, gave_up: 0 },
      })
    : null;

  for (const [t, tenant] of options.tenants.entries()) {
    const failuresTenant = options.tenants[1] ?? options.tenants[0];
    const registry = new RegistryClient({
      endpoint: options.endpoint,
      apiKey,
      tenant,
      defaults,
      defaultOptions: story && tenant === failuresTenant ? { ...defaultOptions, env: story.embeddingsEnv } : defaultOptions,
      log,
    });
    registries.push(registry);
    await registry.start();
    const order = shuffled(samples, t + 1);
    let position = 0;
    let cycle = 0;
    let running = 0;
    let rotate = false;
    let rotation: Promise<unknown> = Promise.resolve();
    const stats = retries.get(tenant) as RetryStats;
    const feed = (sample: SampleDocument, attempt = 0, documentId = `${sample.document_id}-r${cycle}`) => {
      if (attempt === 0 && running >= MAX_IN_FLIGHT_PER_TENANT) return;
      running++;
      const work = rotation
        .then(() =>
          processDocument(
            { document_id: documentId, filename: sample.filename, content: sample.content, source: sample.filename },
            { tenant, pipelineRunId, models: registry, telemetry, store: true },
          ),
        )
        .then((result) => {
          if (result.status === 'ok') {
            if (attempt > 0) stats.recovered++;
            return;
          }
          if (!result.error?.retryable) return;
          stats.failed++;
          if (attempt + 1 >= maxAttempts || stopped) {
            stats.gave_up++;
            log.warn(
              `demo: gave up on ${documentId} for ${tenant} after ${attempt + 1} runs (${result.failed_stage}: ${result.error.message})`,
            );
            return;
          }
          // Same document id: its trace shows the failed run and the retry.
          const retry = setTimeout(
            () => {
              timers.delete(retry);
              if (stopped) return;
              stats.retried++;
              feed(sample, attempt + 1, documentId);
            },
            retryDelayMs * 2 ** attempt,
          );
          timers.add(retry);
        })
        .catch((error) => log.warn(`demo: ${sample.filename} for ${tenant}: ${(error as Error).message}`))
        .finally(() => {
          running--;
          inFlight.delete(work);
        });
      inFlight.add(work);
    };
    const tick = () => {
      if (stopped) return;
      const burst = Math.random() < 0.15 ? 2 : 1;
      // A new pass over the samples: drop the previous pass's output, unless a
      // document is still writing it (then the next pass does).
      if (rotate && running === 0) {
        rotate = false;
        // Documents of this tenant start only once it is gone (the fs thread pool can be slow under load).
        rotation = rm(join(outputDir, tenant), { recursive: true, force: true }).catch(() => undefined);
      }
      for (let i = 0; i < burst; i++) {
        feed(order[position] as SampleDocument);
        position = (position + 1) % order.length;
        if (position === 0) {
          cycle++;
          rotate = true;
        }
      }
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          tick();
        },
        minMs + Math.random() * (maxMs - minMs),
      );
      timers.add(timer);
    };
    // Tenants start out of step, so their events interleave.
    const first = setTimeout(tick, t * 150);
    timers.add(first);
  }
  log.info(`demo: feeding ${samples.length} sample documents for ${options.tenants.join(', ')} (pipeline run ${pipelineRunId})`);
  const storyDone = story ? story.run() : null;

  const stop = async function stop() {
    if (stopped) return;
    stopped = true;
    for (const timer of timers) clearTimeout(timer);
    await story?.stop();
    for (const r of registries) r.stop();
    await Promise.allSettled([...inFlight]);
    await telemetry.shutdown();
  };
  return Object.assign(stop, { story: storyDone, retries });
}

function wrapLog(log: DemoOptions['log']): Logger {
  if (!log) return { info: (m) => console.log(m), warn: (m) => console.warn(m) };
  // pino methods need their `this`.
  return { info: (m) => log.info(m), warn: (m) => log.warn(m) };
}

/** A deterministic shuffle, so each tenant walks the samples in its own order. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed * 0x9e3779b1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s ^ (s >>> 15), 0x85ebca6b) + 0x6b) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
