/**
 * What every benchmark shares: the result shape, the hand-off to the runner, the
 * histogram, the infrastructure (a private PostgreSQL cluster and a private Redis, so a
 * benchmark neither disturbs nor is disturbed by tests on the machine's shared
 * services), and event generation.
 *
 * A benchmark is a file `bench/<name>.ts` exporting `run(opts)`; the runner starts each
 * in its own process and reads the `@@RESULT` lines it prints.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { newId } from '@frostbyte/contracts';
import * as hdr from 'hdr-histogram-js';

export interface BenchResult {
  name: string;
  /** Our figure. */
  ours: number;
  /** The peer's figure measured in the same run, or the target/limit it is held to. */
  peer_or_limit: number | null;
  peer_name: string;
  /** ours / peer_or_limit. */
  ratio: number | null;
  unit: string;
  notes: string;
}

export interface BenchOptions {
  quick: boolean;
  /** Write a V8 CPU profile of the server process (node --cpu-prof) to bench/results/profiles. */
  profile: boolean;
}

export function parseOptions(argv = process.argv.slice(2)): BenchOptions {
  return { quick: argv.includes('--quick'), profile: argv.includes('--profile') };
}

export function result(r: Omit<BenchResult, 'ratio'> & { ratio?: number | null }): BenchResult {
  const ratio = r.ratio !== undefined ? r.ratio : r.peer_or_limit ? r.ours / r.peer_or_limit : null;
  return { ...r, ours: round(r.ours), peer_or_limit: r.peer_or_limit === null ? null : round(r.peer_or_limit), ratio: ratio === null ? null : round(ratio, 3) };
}

export const round = (n: number, digits = 2) => {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** (Math.abs(n) >= 100 ? 0 : digits);
  return Math.round(n * f) / f;
};

/** Prints results for the runner (one line each) and to a human. */
export function emit(results: BenchResult[]) {
  for (const r of results) console.log(`@@RESULT ${JSON.stringify(r)}`);
}

/** Runs a benchmark file's `run` when the file is executed directly. */
export async function main(fileUrl: string, run: (o: BenchOptions) => Promise<BenchResult[]>) {
  if (!process.argv[1] || pathToFileURL(path.resolve(process.argv[1])).href !== fileUrl) return;
  try {
    emit(await run(parseOptions()));
    process.exit(0);
  } catch (e) {
    console.error(e);
    process.exit(1);
  }
}

export const log = (msg: string) => console.error(`  ${new Date().toISOString().slice(11, 19)} ${msg}`);

/** Latency histogram in microseconds (1 µs … 10 min, 3 significant digits). */
export function histogram() {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3, bitBucketSize: 64, useWebAssembly: false });
}
export type Histogram = ReturnType<typeof histogram>;
export const ms = (h: Histogram, p: number) => h.getValueAtPercentile(p) / 1000;

/** Epoch milliseconds with sub-millisecond resolution, comparable across processes on
 * one machine (both read the same clock at start-up). */
export const epochMs = () => performance.timeOrigin + performance.now();

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const SAMPLE_TEXT =
  'Invoice 2026-0042 from Nordwind GmbH to jane.doe@example.com: 3 pages, total 1,234.00 EUR, IBAN DE89 3704 0044 0532 0130 00, contact +49 30 1234567.';

/**
 * One model call as the SDK sends it: a `started` and a `completed` event with the
 * same invocation id; the completed one carries a decision trace with PII, so the
 * server's redaction and AES-GCM sealing run on half the events, as in the pipeline.
 */
export function invocationPair(tenant: string, i: number, extra: { run?: string; metadata?: Record<string, unknown> } = {}) {
  const invocation = newId();
  const now = new Date().toISOString();
  const model = MODELS[i % MODELS.length] as (typeof MODELS)[number];
  const base = {
    invocation_id: invocation,
    pipeline_run_id: extra.run ?? null,
    tenant_id: tenant,
    document_id: `doc-${i % 5000}`,
    stage: model.stage,
    model_name: model.name,
    model_version: model.version,
    operation: model.stage,
  };
  return [
    { ...base, id: newId(), timestamp: now, emitted_at: now, status: 'started' as const, metadata: extra.metadata ?? {} },
    {
      ...base,
      id: newId(),
      timestamp: now,
      emitted_at: now,
      status: 'completed' as const,
      duration_ms: 40 + (i % 200),
      input_tokens: 800 + (i % 400),
      output_tokens: 60 + (i % 50),
      metadata: extra.metadata ?? {},
      trace: { input: { text: SAMPLE_TEXT, pages: 3 }, output: { label: 'invoice', total: '1234.00' }, decision_rationale: 'Header reads INVOICE; totals block found.', confidence_score: 0.91 },
    },
  ];
}

/**
 * Request bodies of `pairs` invocation pairs each, all distinct, made from one
 * serialized template by swapping the 8-hex prefix every id in it shares. A new body
 * costs one string replace instead of building and serializing 2 × `pairs` events,
 * so a load generator on the same cores leaves them to the server it measures.
 */
export function bodyFactory(tenant: string, pairs: number): () => string {
  const events = [];
  for (let k = 0; k < pairs; k++) events.push(...invocationPair(tenant, k));
  for (const e of events) {
    e.id = TEMPLATE_PREFIX + e.id.slice(8);
    e.invocation_id = TEMPLATE_PREFIX + e.invocation_id.slice(8);
  }
  const template = JSON.stringify({ events });
  const found = template.split(TEMPLATE_PREFIX).length - 1;
  if (found !== events.length * 2) throw new Error(`template prefix found ${found} times, expected ${events.length * 2}`);
  return () => template.replaceAll(TEMPLATE_PREFIX, (nextPrefix++).toString(16));
}
const TEMPLATE_PREFIX = 'fb0c0de0';
let nextPrefix = 0x10000000 + Math.floor(Math.random() * 0x70000000);

export const MODELS = [
  { name: 'frostbyte-docparse', version: '1.4.0', stage: 'parse' },
  { name: 'frostbyte-docparse', version: '1.5.0', stage: 'parse' },
  { name: 'nomic-embed-text', version: 'v1.5', stage: 'embed' },
  { name: 'local-embedder', version: '0.2.0', stage: 'embed' },
  { name: 'policy-classifier', version: '2.1.0', stage: 'policy' },
  { name: 'policy-classifier', version: '2.2.0-rc1', stage: 'policy' },
] as const;

export const uniq = (p: string) => `${p}${randomBytes(4).toString('hex')}`;
