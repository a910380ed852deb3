#!/usr/bin/env -S npx tsx
import { watch } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initTelemetry, shutdownTelemetry, type TelemetryStats } from '@frostbyte/telemetry';
import cliProgress from 'cli-progress';
import { awaitStoredEvents, drainTelemetry, type LoadResult, runLoad, type StoredCount } from './load.ts';
import { type Logger, RegistryClient } from './registry-client.ts';
import { type DocumentResult, newRunId, type PipelineDocument, type RunSummary, runPipeline } from './run.ts';

/**
 * `npm run pipeline -- <command>`:
 *
 *   run <dir> --tenant <id> [--watch] [--concurrency 4] [--out <dir> | --no-store]
 *   load [--concurrency 2000] [--duration 60s] [--tenant loadtest] [--latency-ms 25] [--no-verify]
 *
 * Both take --endpoint / --api-key (or FMO_ENDPOINT / FMO_API_KEY). Stage models follow
 * the server's model registry (`/v1/pipeline/config`), polled every few seconds; with
 * no registry the built-in defaults run, and the log says so once.
 */

const USAGE = `usage:
  npm run pipeline -- run <dir> --tenant <id> [--watch] [--concurrency N] [--out DIR | --no-store]
  npm run pipeline -- load [--concurrency 2000] [--duration 60s] [--tenant ID] [--latency-ms 25] [--no-verify]
common: --endpoint URL (FMO_ENDPOINT, default http://localhost:8000)  --api-key KEY (FMO_API_KEY)`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      watch: { type: 'boolean', default: false },
      endpoint: { type: 'string' },
      'api-key': { type: 'string' },
      concurrency: { type: 'string' },
      duration: { type: 'string', default: '60s' },
      'latency-ms': { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      'no-store': { type: 'boolean', default: false },
      'no-verify': { type: 'boolean', default: false },
      'no-registry': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const endpoint = values.endpoint ?? process.env.FMO_ENDPOINT ?? 'http://localhost:8000';
  const apiKey = values['api-key'] ?? process.env.FMO_API_KEY ?? undefined;

  if (command === 'run') {
    const dir = rest[0];
    if (!dir) return fail('run needs a directory: npm run pipeline -- run <dir> --tenant <id>');
    if (!values.tenant) return fail('run needs --tenant <id>');
    const concurrency = intOption(values.concurrency, 4, '--concurrency');
    return runCommand({
      dir: resolve(dir),
      tenant: values.tenant,
      watch: values.watch,
      endpoint,
      apiKey,
      concurrency,
      store: !values['no-store'],
      out: values.out,
      registry: !values['no-registry'],
    });
  }
  if (command === 'load') {
    return loadCommand({
      tenant: values.tenant ?? 'loadtest',
      endpoint,
      apiKey,
      concurrency: intOption(values.concurrency, 2000, '--concurrency'),
      durationMs: parseDuration(values.duration),
      latencyMs: values['latency-ms'] === undefined ? 25 : intOption(values['latency-ms'], 25, '--latency-ms', 0),
      seed: values.seed === undefined ? Date.now() % 100_000 : intOption(values.seed, 1, '--seed', 0),
      verify: !values['no-verify'],
    });
  }
  return fail(`unknown command '${command}'\n${USAGE}`);
}

// ---------------------------------------------------------------- run

interface RunCommand {
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

async function runCommand(o: RunCommand): Promise<number> {
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

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
    .sort();
}

function documentIdOf(dir: string, file: string): string {
  const rel = relative(dir, file);
  return (
    rel
      .slice(0, rel.length - extname(rel).length)
      .replaceAll('\\', '/')
      .slice(0, 256) || rel
  );
}

async function readDocument(dir: string, file: string): Promise<PipelineDocument> {
  return {
    document_id: documentIdOf(dir, file),
    filename: relative(dir, file),
    content: new Uint8Array(await readFile(file)),
    source: file,
  };
}

async function* readDocuments(dir: string, files: string[]): AsyncGenerator<PipelineDocument> {
  for (const file of files) yield await readDocument(dir, file);
}

/**
 * Yields every existing file, then each file that appears or changes (by size and
 * mtime, after 300 ms of quiet so half-written files are not read) until `close()`.
 */
function watchFolder(dir: string, initial: string[], onAdded: (n: number) => void) {
  const seen = new Map<string, string>();
  const queue: string[] = [...initial];
  const pending = new Map<string, NodeJS.Timeout>();
  let wake: (() => void) | undefined;
  let closed = false;
  const signature = async (file: string) => {
    const s = await stat(file).catch(() => undefined);
    return s?.isFile() ? `${s.size}:${s.mtimeMs}` : undefined;
  };
  void (async () => {
    for (const f of initial) seen.set(f, (await signature(f)) ?? '');
  })();
  const fsWatcher = watch(dir, { recursive: true }, (_event, name) => {
    if (!name || closed) return;
    const file = join(dir, name.toString());
    if (
      name
        .toString()
        .split('/')
        .some((part) => part.startsWith('.'))
    )
      return;
    clearTimeout(pending.get(file));
    pending.set(
      file,
      setTimeout(async () => {
        pending.delete(file);
        const sig = await signature(file);
        if (sig === undefined || seen.get(file) === sig) return;
        seen.set(file, sig);
        queue.push(file);
        onAdded(1);
        wake?.();
      }, 300),
    );
  });
  async function* documents(): AsyncGenerator<PipelineDocument> {
    for (;;) {
      const file = queue.shift();
      if (file !== undefined) {
        const doc = await readDocument(dir, file).catch(() => undefined); // deleted meanwhile
        if (doc) yield doc;
        continue;
      }
      if (closed) return;
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
  }
  return {
    documents: documents(),
    close() {
      closed = true;
      fsWatcher.close();
      for (const t of pending.values()) clearTimeout(t);
      queue.length = 0;
      wake?.();
    },
  };
}

// ---------------------------------------------------------------- load

interface LoadCommand {
  tenant: string;
  endpoint: string;
  apiKey: string | undefined;
  concurrency: number;
  durationMs: number;
  latencyMs: number;
  seed: number;
  verify: boolean;
}

async function loadCommand(o: LoadCommand): Promise<number> {
  const telemetry = initTelemetry({ endpoint: o.endpoint, apiKey: o.apiKey });
  const before = telemetry.stats();
  const pipelineRunId = newRunId();
  console.error(
    `load: ${o.concurrency} concurrent model operations for ${fmtMs(o.durationMs)} on generated documents (seed ${o.seed}), ` +
      `${o.latencyMs} ms simulated inference latency per stage, tenant ${o.tenant}, run ${pipelineRunId}`,
  );
  const bar = new cliProgress.SingleBar(
    {
      format:
        ' {bar} {phase} {duration_formatted} | documents {docs} (failed {failed}) · model calls started {invocations} · in flight {in_flight} (peak {peak})',
      barsize: 24,
      hideCursor: true,
      noTTYOutput: !process.stderr.isTTY,
      notTTYSchedule: 5000,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.ceil(o.durationMs / 1000), 0, { phase: 'running', docs: 0, invocations: 0, in_flight: 0, peak: 0, failed: 0 });
  const result = await runLoad({
    concurrency: o.concurrency,
    durationMs: o.durationMs,
    tenant: o.tenant,
    seed: o.seed,
    latencyMs: o.latencyMs,
    telemetry,
    pipelineRunId,
    onProgress: (p) =>
      bar.update(Math.min(Math.floor(p.elapsed_ms / 1000), bar.getTotal()), {
        phase: p.phase === 'running' ? 'running ' : 'draining',
        docs: p.documents,
        invocations: p.invocations,
        in_flight: p.in_flight,
        peak: p.peak_in_flight,
        failed: p.failed,
      }),
  });
  bar.update(bar.getTotal());
  bar.stop();
  console.error('load: flushing telemetry…');
  const drained = await drainTelemetry(telemetry, 120_000);
  const stats = diffStats(before, telemetry.stats());
  let stored: StoredCount | undefined;
  let verifyError: string | undefined;
  if (o.verify) {
    console.error('load: counting the events the server stored for this run…');
    try {
      stored = await awaitStoredEvents({
        endpoint: o.endpoint,
        apiKey: o.apiKey,
        tenant: o.tenant,
        documentPrefix: result.document_prefix,
        pipelineRunId,
        expected: result.events_expected,
        timeoutMs: 30_000,
      });
    } catch (error) {
      verifyError = (error as Error).message;
    }
  }
  printLoadResult(result, stats, { drained, stored, verifyError });
  await shutdownTelemetry();
  return stored === undefined ? (o.verify ? 1 : 0) : stored.stored === result.events_expected && stored.rows === stored.stored ? 0 : 1;
}

// ---------------------------------------------------------------- output

function diffStats(a: TelemetryStats, b: TelemetryStats): TelemetryStats {
  return {
    emitted: b.emitted - a.emitted,
    exported: b.exported - a.exported,
    dropped: b.dropped - a.dropped,
    rejected: b.rejected - a.rejected,
    spooled: b.spooled - a.spooled,
    replayed: b.replayed - a.replayed,
    failures: b.failures - a.failures,
    queued: b.queued,
    spool_bytes: b.spool_bytes,
    mode: b.mode,
  };
}

function printRunSummary(s: RunSummary, t: TelemetryStats, info: { endpoint: string; drained: boolean; registry: string }): void {
  const formats = Object.keys(s.by_format).sort();
  const rows: string[][] = formats.map((f) => {
    const r = s.by_format[f] as { ok: number; failed: number };
    return [f, String(r.ok), String(r.failed), String(r.ok + r.failed)];
  });
  rows.push(['total', String(s.ok), String(s.failed), String(s.documents)]);
  console.log(`\npipeline run ${s.pipeline_run_id} · tenant ${s.tenant}`);
  console.log(table(['format', 'ok', 'failed', 'documents'], rows, rows.length - 1));
  const failures = s.results.filter((r) => r.status === 'failed');
  for (const r of failures) console.log(`  failed: ${r.filename} at ${r.failed_stage} — ${r.error?.type}: ${r.error?.message}`);
  console.log(
    table(
      ['', ''],
      [
        ['model invocations', fmtInt(s.invocations)],
        ['events emitted', fmtInt(t.emitted)],
        ['events delivered', `${fmtInt(t.exported + t.replayed)} to ${info.endpoint}`],
        ['events spooled', t.spool_bytes > 0 ? `${fmtInt(t.spooled)} (still on disk; sent on the next run)` : fmtInt(t.spooled)],
        ['events dropped / rejected', `${t.dropped} / ${t.rejected}`],
        ['tokens', fmtInt(s.tokens)],
        [
          'models from',
          info.registry === 'registry'
            ? 'model registry'
            : info.registry === 'off'
              ? 'built-in defaults (--no-registry)'
              : 'built-in defaults (registry unavailable)',
        ],
        ['time', fmtMs(s.duration_ms)],
      ],
    ),
  );
  if (!info.drained) console.log('  telemetry not fully delivered: the rest is in the spool and is sent on the next run');
}

function printLoadResult(
  r: LoadResult,
  t: TelemetryStats,
  info: { drained: boolean; stored: StoredCount | undefined; verifyError: string | undefined },
): void {
  const pct = (n: number, d: number) => (d === 0 ? '—' : `${((100 * n) / d).toFixed(2)} %`);
  const rows: string[][] = [
    ['pipeline run', r.pipeline_run_id],
    ['tenant / document prefix', `${r.tenant} / ${r.document_prefix}`],
    [
      'duration',
      `${fmtMs(r.duration_ms)} (load ${fmtMs(r.load_ms)} + drain ${fmtMs(r.drain_ms)} for the documents in flight at the deadline)`,
    ],
    ['concurrency (workers)', fmtInt(r.concurrency)],
    ['in-flight operations', `peak ${fmtInt(r.peak_in_flight)}, mean ${r.mean_in_flight.toFixed(0)}`],
    ['documents', `${fmtInt(r.documents)} (${fmtInt(r.ok)} ok, ${fmtInt(r.failed)} failed) · ${r.documents_per_s.toFixed(1)}/s`],
    ['invocations made', `${fmtInt(r.invocations)} · ${r.invocations_per_s.toFixed(1)}/s`],
    ['events expected (×2)', fmtInt(r.events_expected)],
    ['events emitted (SDK)', fmtInt(t.emitted)],
    [
      'events exported (SDK)',
      `${fmtInt(t.exported + t.replayed)} (${fmtInt(t.replayed)} via spool) · dropped ${t.dropped} · rejected ${t.rejected}`,
    ],
  ];
  if (Object.keys(r.failures_by_type).length > 0)
    rows.push([
      'failures',
      Object.entries(r.failures_by_type)
        .map(([k, v]) => `${k} ×${v}`)
        .join(', '),
    ]);
  if (info.stored) {
    rows.push([
      'events stored (server)',
      `${fmtInt(info.stored.stored)} distinct ids, ${fmtInt(info.stored.rows)} rows · ${Object.entries(info.stored.by_status)
        .map(([k, v]) => `${k} ${fmtInt(v)}`)
        .join(', ')}`,
    ]);
    rows.push(['captured', `${pct(info.stored.stored, r.events_expected)} (stored / invocations × 2)`]);
  } else if (info.verifyError) rows.push(['events stored (server)', `not counted: ${info.verifyError}`]);
  if (!info.drained) rows.push(['note', 'telemetry not fully drained at exit; the rest stays in the spool']);
  console.log(`\n${table(['load result', ''], rows)}`);
}

function table(header: string[], rows: string[][], ruleBefore = -1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `│ ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' │ ')} │`;
  const rule = (l: string, m: string, r: string) => `${l}${widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}`;
  const out = [rule('┌', '┬', '┐')];
  if (header.some((h) => h !== '')) out.push(line(header), rule('├', '┼', '┤'));
  rows.forEach((r, i) => {
    if (i === ruleBefore) out.push(rule('├', '┼', '┤'));
    out.push(line(r));
  });
  out.push(rule('└', '┴', '┘'));
  return out.join('\n');
}

const fmtInt = (n: number) => n.toLocaleString('en-US');
const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

/** `60s`, `2m`, `500ms`, `1h`, or a bare number of seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--duration '${text}' is not a duration; write e.g. 60s, 2m or 500ms`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
}

function intOption(text: string | undefined, fallback: number, name: string, min = 1): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be an integer ≥ ${min}, got '${text}'`);
  return n;
}

class UsageError extends Error {}

function fail(message: string): number {
  console.error(message);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(error as Error).message}\n${USAGE}`);
      process.exitCode = 2;
    } else {
      console.error(error);
      process.exitCode = 1;
    }
  },
);
