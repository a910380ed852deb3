/**
 * Python middleware hot-path overhead: a `wrap_model` no-op call against the bare call,
 * measured by `python/bench/overhead.py` (time.perf_counter_ns per call) in a fresh
 * python3 process; this file turns its JSON into result rows. OpenTelemetry Python is
 * not installable here (no PyPI), so the peer column is the 5 µs target instead.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { type BenchOptions, type BenchResult, log, main, result } from './lib/common.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

interface Row {
  p50_ns: number;
  p99_ns: number;
  mean_ns: number;
}

export async function run(o: BenchOptions): Promise<BenchResult[]> {
  const calls = o.quick ? 50_000 : 200_000;
  log(`python: ${calls} calls per variant (python/bench/overhead.py)`);
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('python3', ['python/bench/overhead.py', String(calls)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let s = '';
    child.stdout.on('data', (b: Buffer) => {
      s += b.toString();
    });
    child.on('exit', (code) => (code === 0 ? resolve(s) : reject(new Error(`overhead.py exited ${code}:\n${s.slice(-2000)}`))));
  });
  const doc = JSON.parse(out.trim().split('\n').pop() as string) as {
    calls: number;
    python: string;
    rows: { bare: Row; fmo: Row };
    delivered: number;
    dropped: number;
    otel: string;
  };
  const { bare, fmo } = doc.rows;
  const common = `Python ${doc.python}, ${doc.calls} calls after warm-up, bare p50 ${bare.p50_ns} ns subtracted; 2 events per call to a discarding exporter on the export thread (delivered ${doc.delivered}, dropped ${doc.dropped} when the queue was full); ${doc.otel}`;
  return [
    result({
      name: 'python.overhead_p50',
      ours: fmo.p50_ns - bare.p50_ns,
      peer_or_limit: 5000,
      peer_name: 'target (DESIGN §7)',
      unit: 'ns/call',
      notes: `wrap_model added latency at p50. ${common}`,
    }),
    result({
      name: 'python.overhead_p99',
      ours: fmo.p99_ns - bare.p99_ns,
      peer_or_limit: null,
      peer_name: '—',
      unit: 'ns/call',
      notes: 'added latency at p99 (includes GIL hand-offs to the export thread)',
    }),
    result({
      name: 'python.overhead_mean',
      ours: fmo.mean_ns - bare.mean_ns,
      peer_or_limit: null,
      peer_name: '—',
      unit: 'ns/call',
      notes: 'mean added latency: the export thread\'s event building shares the GIL with the caller',
    }),
  ];
}

await main(import.meta.url, run);
