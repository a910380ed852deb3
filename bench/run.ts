/**
 * `npm run bench [-- --quick] [-- --only sdk,ingest] [-- --profile]`
 *
 * Runs each benchmark in its own process (so one's heap, JIT state and leftover
 * sockets cannot colour the next), prints one table, and writes
 * `bench/results/<date>.json` and `bench/results/latest.json` (the committed one; an
 * `--only` run replaces just its benchmarks' rows in it).
 *
 * Every figure is measured next to its peer (OpenTelemetry JS, raw COPY) or held to
 * its DESIGN.md §7 limit, in the same run, on this machine.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type BenchResult, machine } from './lib/common.ts';

const BENCHMARKS = ['sdk', 'ingest', 'latency', 'fanout', 'history', 'concurrency', 'dashboard', 'redaction', 'python'] as const;
const ROOT = path.resolve(import.meta.dirname, '..');
const RESULTS = path.join(ROOT, 'bench/results');

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const profile = argv.includes('--profile');
const onlyArg = argv.find((a, i) => argv[i - 1] === '--only' || a.startsWith('--only='));
const only = onlyArg ? onlyArg.replace(/^--only=/, '').split(',') : null;
for (const o of only ?? []) {
  if (!(BENCHMARKS as readonly string[]).includes(o)) {
    console.error(`unknown benchmark '${o}'; choose from ${BENCHMARKS.join(', ')}`);
    process.exit(2);
  }
}
const selected = BENCHMARKS.filter((b) => !only || only.includes(b));

interface Run {
  bench: string;
  ok: boolean;
  seconds: number;
  results: BenchResult[];
  error?: string;
}

async function runOne(bench: string): Promise<Run> {
  const t0 = Date.now();
  const args = [
    '--import',
    'tsx',
    '--expose-gc',
    path.join('bench', `${bench}.ts`),
    ...(quick ? ['--quick'] : []),
    ...(profile ? ['--profile'] : []),
  ];
  console.error(`\n▶ ${bench}${quick ? ' (quick)' : ''}`);
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const results: BenchResult[] = [];
  let tail = '';
  let buf = '';
  child.stdout.on('data', (b: Buffer) => {
    buf += b.toString();
    let i = buf.indexOf('\n');
    while (i >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.startsWith('@@RESULT ')) results.push(JSON.parse(line.slice(9)) as BenchResult);
      else {
        tail = `${tail}${line}\n`.slice(-4000);
        if (process.env.BENCH_VERBOSE) console.error(line);
      }
      i = buf.indexOf('\n');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const seconds = Math.round((Date.now() - t0) / 1000);
  if (code !== 0) console.error(`✗ ${bench} failed (exit ${code}) after ${seconds} s\n${tail}`);
  else console.error(`✓ ${bench} in ${seconds} s`);
  return { bench, ok: code === 0, seconds, results, ...(code !== 0 ? { error: tail.slice(-1000) } : {}) };
}

const runs: Run[] = [];
for (const b of selected) runs.push(await runOne(b));

// ---- table ------------------------------------------------------------------------
const rows = runs.flatMap((r) => r.results);
const fmt = (n: number | null) => (n === null ? '—' : Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en-US') : String(n));
const table = [
  ['benchmark', 'ours', 'peer / limit', 'vs', 'ratio', 'unit'],
  ...rows.map((r) => [r.name, fmt(r.ours), fmt(r.peer_or_limit), r.peer_name, r.ratio === null ? '—' : `${r.ratio}×`, r.unit]),
];
const widths = table[0]?.map((_, i) => Math.max(...table.map((l) => String(l[i]).length))) ?? [];
console.log('');
table.forEach((l, k) => {
  console.log(
    l
      .map((c, i) => (i === 0 || i === 3 || i === 5 ? String(c).padEnd(widths[i] as number) : String(c).padStart(widths[i] as number)))
      .join('  '),
  );
  if (k === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
});
for (const r of runs.filter((x) => !x.ok)) console.log(`\n${r.bench}: FAILED — ${r.error?.split('\n').slice(-5).join(' | ')}`);

// ---- JSON ---------------------------------------------------------------------------
const now = new Date();
const doc = {
  date: now.toISOString(),
  quick,
  only,
  machine: machine(),
  benchmarks: Object.fromEntries(runs.map((r) => [r.bench, { ok: r.ok, seconds: r.seconds, quick }])),
  results: rows,
};
fs.mkdirSync(RESULTS, { recursive: true });
const dated = path.join(RESULTS, `${now.toISOString().replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(dated, `${JSON.stringify(doc, null, 2)}\n`);
// latest.json: a partial run replaces only its own benchmarks' rows.
const latestPath = path.join(RESULTS, 'latest.json');
let latest = doc;
if (only && fs.existsSync(latestPath)) {
  try {
    const prev = JSON.parse(fs.readFileSync(latestPath, 'utf8')) as typeof doc;
    const mine = new Set(selected.map(String));
    const benchOf = (name: string) => name.split('.')[0] as string;
    latest = {
      ...doc,
      only: null,
      benchmarks: { ...prev.benchmarks, ...doc.benchmarks },
      results: [...prev.results.filter((r) => !mine.has(benchOf(r.name))), ...rows],
    };
  } catch {}
}
fs.writeFileSync(latestPath, `${JSON.stringify(latest, null, 2)}\n`);
console.log(`\n${JSON.stringify(rows, null, 2)}`);
// The same table in Markdown, for docs/benchmarks.md and the README.
console.log('\n| benchmark | ours | peer / limit | compared with | ratio | unit |\n|---|---:|---:|---|---:|---|');
for (const r of latest.results)
  console.log(
    `| \`${r.name}\` | ${fmt(r.ours)} | ${fmt(r.peer_or_limit)} | ${r.peer_name} | ${r.ratio === null ? '—' : `${r.ratio}×`} | ${r.unit} |`,
  );
console.log(`\nwritten: ${path.relative(ROOT, dated)}, ${path.relative(ROOT, latestPath)}`);
process.exit(runs.every((r) => r.ok) ? 0 : 1);
