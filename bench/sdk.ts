/**
 * SDK hot-path overhead: wrapModel vs OpenTelemetry JS (NodeTracerProvider +
 * BatchSpanProcessor + OTLP/HTTP exporter, same attributes), in one run. The
 * measurement itself is the SDK's own `packages/sdk/bench/overhead.bench.ts` (its
 * author's harness, kept next to the code it measures); this file runs it in a fresh
 * process and turns its JSON into result rows.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { TelemetrySdk, withContext } from '@frostbyte/telemetry';
import { type BenchOptions, type BenchResult, log, main, result, round } from './lib/common.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

interface Row {
  name: string;
  p50_ns: number;
  p99_ns: number;
  cpu_us_per_call: number;
  cpu_us_per_event: number;
  overhead_p50_ns?: number;
  overhead_p99_ns?: number;
  cpu_overhead_us_per_call?: number;
  events_per_call: number;
  delivered?: number;
}

export async function run(o: BenchOptions): Promise<BenchResult[]> {
  const calls = o.quick ? 50_000 : 200_000;
  log(`sdk: ${calls} calls per variant (packages/sdk/bench/overhead.bench.ts)`);
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', 'packages/sdk/bench/overhead.bench.ts', String(calls)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    let s = '';
    child.stdout.on('data', (b: Buffer) => {
      s += b.toString();
    });
    child.on('exit', (code) => (code === 0 ? resolve(s) : reject(new Error(`overhead.bench.ts exited ${code}:\n${s.slice(-2000)}`))));
  });
  // The harness prints a table, then one pretty-printed JSON document.
  const start = out.lastIndexOf('\n{\n');
  const doc = JSON.parse(out.slice(start + 1)) as { rows: Row[]; calls: number };
  const by = (n: string) => {
    const r = doc.rows.find((x) => x.name === n);
    if (!r) throw new Error(`overhead.bench.ts printed no '${n}' row`);
    return r;
  };
  const bare = by('bare');
  const fmo = by('fmo:usage');
  const fmoTik = doc.rows.find((x) => x.name === 'fmo:tiktoken');
  const otel = by('otel');
  const ov = (r: Row, k: 'p50' | 'p99') => r[`overhead_${k}_ns`] ?? r[`${k}_ns`] - bare[`${k}_ns`];
  const common = `${doc.calls} calls per variant after warm-up; bare model call p50 ${bare.p50_ns} ns subtracted; fmo sends 2 events per call (started+completed), OTel 1 span`;
  const rows = [
    result({
      name: 'sdk.overhead_p50',
      ours: ov(fmo, 'p50'),
      peer_or_limit: ov(otel, 'p50'),
      peer_name: 'OpenTelemetry JS span+BatchSpanProcessor+OTLP',
      unit: 'ns/call',
      notes: `wrapModel added latency at p50 (target ≤ 5000 ns and ≤ 0.5× OTel). ${common}`,
    }),
    result({
      name: 'sdk.overhead_p99',
      ours: ov(fmo, 'p99'),
      peer_or_limit: ov(otel, 'p99'),
      peer_name: 'OpenTelemetry JS',
      unit: 'ns/call',
      notes: 'added latency at p99',
    }),
    result({
      name: 'sdk.cpu_per_event',
      ours: fmo.cpu_us_per_event,
      peer_or_limit: otel.cpu_us_per_event,
      peer_name: 'OpenTelemetry JS (per span)',
      unit: 'µs CPU/event',
      notes: `process CPU over the measured calls plus the final flush (batching, ids, JSON, gzip, HTTP to a local sink); per call: fmo ${fmo.cpu_us_per_call} µs vs OTel ${otel.cpu_us_per_call} µs; delivered fmo ${fmo.delivered ?? '?'} / OTel ${otel.delivered ?? '?'}`,
    }),
  ];
  if (fmoTik) {
    rows.push(
      result({
        name: 'sdk.overhead_p50_tiktoken',
        ours: ov(fmoTik, 'p50'),
        peer_or_limit: 5000,
        peer_name: 'target (DESIGN §7)',
        unit: 'ns/call',
        notes: `model returns no usage, tokens counted with tiktoken at export (off the caller's path); CPU ${fmoTik.cpu_us_per_event} µs/event`,
      }),
    );
  }
  rows.push(await exportThroughput(o));
  return rows;
}

/**
 * How fast one process can hand events to a server that is a round trip away: a sink
 * that answers every batch after `RTT_MS` (a server in another region, or a busy one);
 * the SDK's queue is filled, then `flush()` is timed until the sink has every event.
 * Keeping several full batches in flight (`maxConcurrentExports`, default 4) against
 * the one-at-a-time pump the SDK had before, same run.
 */
async function exportThroughput(o: BenchOptions): Promise<BenchResult> {
  const RTT_MS = 40;
  const calls = o.quick ? 15_000 : 30_000; // 2 events each: under the queue's spill mark
  let received = 0;
  const sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      setTimeout(() => res.writeHead(202, { 'content-type': 'application/json' }).end('{}'), RTT_MS);
    });
  });
  sink.keepAliveTimeout = 60_000;
  sink.listen(0, '127.0.0.1');
  await once(sink, 'listening');
  const endpoint = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  const meta = { model_name: 'bench-model', model_version: '1.0.0', stage: 'parse', operation: 'parse' } as const;
  const measure = async (maxConcurrentExports: number) => {
    const sdk = new TelemetrySdk({
      endpoint,
      spoolDir: path.join(os.tmpdir(), `fmo-bench-export-${process.pid}-${maxConcurrentExports}`),
      flushOnExit: false,
      countTokens: false,
      maxConcurrentExports,
    });
    received = 0;
    const t0 = performance.now();
    await withContext({ tenant_id: 'bench' }, async () => {
      for (let i = 0; i < calls; i++) void sdk.observe(meta, () => 'ok');
    });
    await sdk.flush();
    const seconds = (performance.now() - t0) / 1000;
    const stats = sdk.stats();
    await sdk.shutdown();
    return { perSecond: (stats.exported + stats.replayed) / seconds, stats, requests: received };
  };
  try {
    const one = await measure(1);
    const four = await measure(4);
    log(`sdk: export to a sink ${RTT_MS} ms away: ${round(four.perSecond)} events/s with 4 batches in flight, ${round(one.perSecond)} with one`);
    return result({
      name: 'sdk.export_events_per_s_40ms_rtt',
      ours: four.perSecond,
      peer_or_limit: one.perSecond,
      peer_name: 'the same SDK, one batch in flight at a time (before)',
      unit: 'events/s',
      notes:
        `${calls * 2} events queued by ${calls} calls, then flush() timed until a sink answering every batch after ${RTT_MS} ms had them all; ` +
        `4 in flight: ${four.requests} requests, exported ${four.stats.exported}, spooled ${four.stats.spooled}; ` +
        `one in flight: ${one.requests} requests, exported ${one.stats.exported}, spooled ${one.stats.spooled}`,
    });
  } finally {
    sink.closeAllConnections();
    sink.close();
  }
}

await main(import.meta.url, run);
