import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TelemetrySdk } from '@frostbyte/telemetry';
import { readSampleDocuments, type SampleDocument } from './corpus/samples.ts';
import { DefaultModels, type Logger, RegistryClient } from './registry-client.ts';
import { newRunId, processDocument } from './run.ts';

/**
 * The demo feeder `npm start` runs beside the server: for each tenant, a document
 * from the bundled samples every 300–800 ms (now and then two at once), cycling
 * through all of them — the corrupt scan included, so failures show up too. The
 * stages get a little simulated latency so "processing" is visible on the monitor.
 * Each tenant follows its own registry config, like a real deployment would.
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
}

/** Per tenant at most this many documents in the pipeline; the pace skips a beat when full. */
const MAX_IN_FLIGHT_PER_TENANT = 8;
const DEMO_LATENCY = { parse: 60, embed: 30, policy: 20, output: 5 };

export async function startDemo(options: DemoOptions): Promise<() => Promise<void>> {
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

  for (const [t, tenant] of options.tenants.entries()) {
    const registry = new RegistryClient({
      endpoint: options.endpoint,
      apiKey,
      tenant,
      defaults,
      defaultOptions,
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
    const feed = (sample: SampleDocument) => {
      if (running >= MAX_IN_FLIGHT_PER_TENANT) return;
      running++;
      const work = rotation
        .then(() =>
          processDocument(
            { document_id: `${sample.document_id}-r${cycle}`, filename: sample.filename, content: sample.content, source: sample.filename },
            { tenant, pipelineRunId, models: registry, telemetry, store: true },
          ),
        )
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

  return async function stop() {
    if (stopped) return;
    stopped = true;
    for (const timer of timers) clearTimeout(timer);
    for (const r of registries) r.stop();
    await Promise.allSettled([...inFlight]);
    await telemetry.shutdown();
  };
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
