/**
 * Hot-path overhead of `wrapModel` vs the bare call vs OpenTelemetry JS, in one run.
 *
 *   npx tsx packages/sdk/bench/overhead.bench.ts [calls=200000]
 *
 * Stages, each against a trivial async model, each after its own warm-up:
 *   1. bare         the model alone (the floor every figure is compared with)
 *   2. fmo:usage    wrapModel, model reports usage (no token counting) — the common case
 *   3. fmo:tiktoken wrapModel, plain return value (tokens counted with tiktoken at export)
 *   4. otel         NodeTracerProvider + BatchSpanProcessor + OTLPTraceExporter (http/json),
 *                   startActiveSpan with the same attributes, tokens set at the end
 * Latency is per call (`process.hrtime.bigint()` around each awaited call); CPU is
 * `process.cpuUsage()` over the measured calls *plus* the final flush, so export work
 * (batching, ids, JSON, gzip, HTTP) is included. Both exporters post to one local
 * HTTP server in this process that drains the body and answers without parsing it.
 * Callers yield to the event loop every 10 calls (env YIELD_EVERY) (as real I/O-bound model calls do), so
 * both batch processors' timers can run; yields are outside the timed region.
 */
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { TelemetrySdk, withContext } from '../src/index.ts';

const CALLS = Number(process.argv[2] ?? 200_000);
const WARMUP = 20_000;
const YIELD_EVERY = Number(process.env.YIELD_EVERY ?? 10);

const meta = { model_name: 'bench-model', model_version: '1.0.0', stage: 'parse', operation: 'parse' } as const;
const ctx = { tenant_id: 'acme', document_id: 'doc-1', pipeline_run_id: 'run-1' };

// --- local collector --------------------------------------------------------------
let requests = 0;
let bodyBytes = 0;
const server = createServer((req, res) => {
  req.on('data', (c: Buffer) => {
    bodyBytes += c.length;
  });
  req.on('end', () => {
    requests++;
    if (req.url === '/v1/events') res.writeHead(202, { 'content-type': 'application/json' }).end('{"duplicates":0,"rejected":[]}');
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// --- models -------------------------------------------------------------------------
const usageModel = async (x: number) => ({ output: x, usage: { input_tokens: 3, output_tokens: 1 } });
const plainModel = async (x: number) => `result ${x}`;

// --- harness ------------------------------------------------------------------------
interface Row {
  name: string;
  p50_ns: number;
  p99_ns: number;
  mean_ns: number;
  cpu_us_per_call: number;
  events_per_call: number;
  cpu_us_per_event: number;
  overhead_p50_ns?: number;
  overhead_p99_ns?: number;
  cpu_overhead_us_per_call?: number;
  delivered?: number;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

async function measure(
  name: string,
  call: (i: number) => Promise<unknown>,
  flush: () => Promise<void>,
  eventsPerCall: number,
): Promise<Row> {
  for (let i = 0; i < WARMUP; i++) {
    await call(i);
    if (i % YIELD_EVERY === 0) await tick();
  }
  await flush();
  if (global.gc) global.gc();
  const samples = new Float64Array(CALLS);
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) {
    const t0 = process.hrtime.bigint();
    await call(i);
    samples[i] = Number(process.hrtime.bigint() - t0);
    if (i % YIELD_EVERY === 0) await tick();
  }
  await flush();
  const cpu = process.cpuUsage(cpu0);
  samples.sort();
  const cpuUs = (cpu.user + cpu.system) / CALLS;
  let sum = 0;
  for (const s of samples) sum += s;
  return {
    name,
    p50_ns: samples[Math.floor(CALLS * 0.5)] as number,
    p99_ns: samples[Math.floor(CALLS * 0.99)] as number,
    mean_ns: Math.round(sum / CALLS),
    cpu_us_per_call: round(cpuUs),
    events_per_call: eventsPerCall,
    cpu_us_per_event: eventsPerCall === 0 ? 0 : round(cpuUs / eventsPerCall),
  };
}
const round = (n: number) => Math.round(n * 100) / 100;

const rows: Row[] = [];

// 1. bare
rows.push(
  await measure(
    'bare',
    (i) => usageModel(i),
    async () => {},
    0,
  ),
);

// 2–3. Frostbyte SDK
const spoolDir = join(tmpdir(), `fmo-bench-spool-${process.pid}`);
const fmo = new TelemetrySdk({
  endpoint: base,
  spoolDir,
  flushOnExit: false,
  http: { gzipLevel: Number(process.env.FMO_GZIP_LEVEL ?? 1) },
});
await fmo.flush();
const fmoUsage = fmo.wrapModel(usageModel, meta);
const fmoPlain = fmo.wrapModel(plainModel, meta);
const delivered = () => fmo.stats().exported + fmo.stats().replayed;
await withContext(ctx, async () => {
  const before = delivered();
  const r = await measure(
    'fmo:usage',
    (i) => fmoUsage(i),
    () => fmo.flush(),
    2,
  );
  r.delivered = delivered() - before;
  rows.push(r);
});
await withContext(ctx, async () => {
  const before = delivered();
  const r = await measure(
    'fmo:tiktoken',
    (i) => fmoPlain(i),
    () => fmo.flush(),
    2,
  );
  r.delivered = delivered() - before;
  rows.push(r);
});
const fmoStats = fmo.stats();
await fmo.shutdown();
await rm(spoolDir, { recursive: true, force: true });

// 4. OpenTelemetry JS, configured like the SDK (25 ms / 500 per batch, 100k queue)
let otelSpans = 0;
const otlp = new OTLPTraceExporter({ url: `${base}/v1/traces` });
const countingExporter: typeof otlp = Object.assign(Object.create(otlp) as typeof otlp, {
  export: (spans: Parameters<typeof otlp.export>[0], cb: Parameters<typeof otlp.export>[1]) => {
    otelSpans += spans.length;
    otlp.export(spans, cb);
  },
});
const provider = new NodeTracerProvider({
  spanProcessors: [new BatchSpanProcessor(countingExporter, { maxQueueSize: 100_000, maxExportBatchSize: 500, scheduledDelayMillis: 25 })],
});
provider.register();
const tracer = trace.getTracer('bench');
const otelWrapped = (x: number) =>
  tracer.startActiveSpan('parse', (span) => {
    span.setAttributes({
      model_name: meta.model_name,
      model_version: meta.model_version,
      stage: meta.stage,
      operation: meta.operation,
      tenant_id: ctx.tenant_id,
      document_id: ctx.document_id,
      pipeline_run_id: ctx.pipeline_run_id,
    });
    return usageModel(x).then(
      (r) => {
        span.setAttributes({ input_tokens: r.usage.input_tokens, output_tokens: r.usage.output_tokens });
        span.end();
        return r;
      },
      (e: unknown) => {
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(e) });
        span.end();
        throw e;
      },
    );
  });
{
  const before = otelSpans;
  const r = await measure(
    'otel',
    (i) => otelWrapped(i),
    () => provider.forceFlush(),
    1,
  );
  r.delivered = otelSpans - before;
  rows.push(r);
}
await provider.shutdown();
server.close();

// --- report ---------------------------------------------------------------------------
const bare = rows[0] as Row;
for (const r of rows.slice(1)) {
  r.overhead_p50_ns = r.p50_ns - bare.p50_ns;
  r.overhead_p99_ns = r.p99_ns - bare.p99_ns;
  r.cpu_overhead_us_per_call = round(r.cpu_us_per_call - bare.cpu_us_per_call);
}
const otelRow = rows.find((r) => r.name === 'otel') as Row;
const fmoRow = rows.find((r) => r.name === 'fmo:usage') as Row;

const header = [
  'variant',
  'p50 ns',
  'p99 ns',
  'mean ns',
  'Δp50 ns',
  'Δp99 ns',
  'CPU µs/call',
  'ΔCPU µs/call',
  'ev/call',
  'CPU µs/event',
  'delivered',
];
const lines = rows.map((r) => [
  r.name,
  r.p50_ns,
  r.p99_ns,
  r.mean_ns,
  r.overhead_p50_ns ?? '',
  r.overhead_p99_ns ?? '',
  r.cpu_us_per_call,
  r.cpu_overhead_us_per_call ?? '',
  r.events_per_call,
  r.cpu_us_per_event,
  r.delivered ?? '',
]);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
const fmt = (cells: unknown[]) => cells.map((c, i) => String(c).padStart(widths[i] as number)).join('  ');
console.log(`\nSDK hot-path overhead — ${CALLS} calls per variant, Node ${process.version}, ${process.arch}\n`);
console.log(fmt(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const l of lines) console.log(fmt(l));
const ratio = (fmoRow.overhead_p50_ns as number) / (otelRow.overhead_p50_ns as number);
console.log(
  `\nfmo:usage overhead p50 ${fmoRow.overhead_p50_ns} ns (target ≤ 5000), ${round(ratio)}× OTel's ${otelRow.overhead_p50_ns} ns (target ≤ 0.5×)`,
);
console.log(`requests to the collector: ${requests}, body bytes: ${bodyBytes}; fmo stats after run: ${JSON.stringify(fmoStats)}\n`);
console.log(
  JSON.stringify(
    {
      bench: 'sdk-overhead',
      calls: CALLS,
      node: process.version,
      rows,
      fmo_vs_otel_overhead_p50_ratio: round(ratio),
      targets: { overhead_p50_ns_max: 5000, ratio_to_otel_max: 0.5 },
      pass: (fmoRow.overhead_p50_ns as number) <= 5000 && ratio <= 0.5,
      fmo_stats: fmoStats,
    },
    null,
    2,
  ),
);
