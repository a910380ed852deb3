import { resolve } from 'node:path';
import { initTelemetry, shutdownTelemetry } from '@frostbyte/telemetry';
import cliProgress from 'cli-progress';
import { drainTelemetry } from '../load.ts';
import { type Logger, RegistryClient } from '../registry-client.ts';
import { type DocumentResult, newRunId, runPipeline } from '../run.ts';
import { listFiles, readDocuments, watchFolder } from './folder.ts';
import { UsageError } from './options.ts';
import { diffStats, printRunSummary } from './output.ts';

/** `npm run pipeline -- run <dir> --tenant <id>`: every file in a folder once (or, with
 * --watch, then each new or changed one), with a progress bar and a summary table. */

export interface RunCommand {
  dir: string;
  tenant: string;
  watch: boolean;
  endpoint: string;
  apiKey: string | undefined;
  concurrency: number;
  store: boolean;
  out: string | undefined;
  registry: boolean;
}

export async function runCommand(o: RunCommand): Promise<number> {
  const files = await listFiles(o.dir).catch((error: Error) => {
    throw new UsageError(`cannot read ${o.dir}: ${error.message}`);
  });
  const telemetry = initTelemetry({ endpoint: o.endpoint, apiKey: o.apiKey });
  const before = telemetry.stats();
  const multibar = new cliProgress.MultiBar(
    {
      format: ' {bar} {percentage}% | {value}/{total} documents | ok {ok} · failed {failed} | {doc}',
      barsize: 28,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      noTTYOutput: !process.stderr.isTTY,
      notTTYSchedule: 2000,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  const log: Logger = { info: (m) => multibar.log(`${m}\n`), warn: (m) => multibar.log(`! ${m}\n`) };
  const registry = o.registry
    ? new RegistryClient({ endpoint: o.endpoint, apiKey: o.apiKey, tenant: o.tenant, log, defaultOptions: outDir(o) })
    : undefined;
  await registry?.start();

  const pipelineRunId = newRunId();
  const bar = multibar.create(files.length, 0, { ok: 0, failed: 0, doc: '' });
  let ok = 0;
  let failed = 0;
  const onDocument = (r: DocumentResult) => {
    if (r.status === 'ok') ok++;
    else {
      failed++;
      log.warn(`${r.filename}: ${r.failed_stage} failed — ${r.error?.type}: ${r.error?.message}`);
    }
    bar.increment(1, { ok, failed, doc: r.filename ?? r.document_id });
  };

  const watcher = o.watch ? watchFolder(o.dir, files, (added) => bar.setTotal(bar.getTotal() + added)) : undefined;
  // Ctrl-C: stop taking new documents, finish those in progress, print the summary.
  // A terminal delivers it to tsx and to this process (tsx relays it too), so repeats
  // within 2 s are the same keypress; a later one exits at once (telemetry stays spooled).
  let stopping = 0;
  const stopOnSignal = () => {
    if (stopping === 0) {
      stopping = Date.now();
      log.info('stopping: finishing the documents in progress… (Ctrl-C again to quit now)');
      watcher?.close();
    } else if (Date.now() - stopping > 2_000) {
      process.exit(130);
    }
  };
  process.on('SIGINT', stopOnSignal);
  process.on('SIGTERM', stopOnSignal);
  const source = watcher ? watcher.documents : readDocuments(o.dir, files);
  const documents = (async function* () {
    for await (const doc of source) {
      if (stopping) return;
      yield doc;
    }
  })();
  if (o.watch) log.info(`watching ${o.dir} for new and changed files (Ctrl-C to stop)`);

  const summary = await runPipeline({
    documents,
    tenant: o.tenant,
    pipelineRunId,
    concurrency: o.concurrency,
    store: o.store,
    telemetry,
    ...(registry ? { models: registry } : {}),
    onDocument,
  });
  multibar.stop();
  registry?.stop();
  process.off('SIGINT', stopOnSignal);
  process.off('SIGTERM', stopOnSignal);

  const drained = await drainTelemetry(telemetry, 10_000);
  const after = telemetry.stats();
  printRunSummary(summary, diffStats(before, after), { endpoint: o.endpoint, drained, registry: registry?.source ?? 'off' });
  await shutdownTelemetry();
  return 0;
}

function outDir(o: RunCommand) {
  return o.out ? { output_dir: resolve(o.out) } : {};
}
