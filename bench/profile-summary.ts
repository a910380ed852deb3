/**
 * Top functions by self time in a V8 CPU profile (from `npm run bench -- --profile`,
 * written to bench/results/profiles/).
 *
 *   npx tsx bench/profile-summary.ts bench/results/profiles/<file>.cpuprofile [top=25]
 */
import fs from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}
const file = process.argv[2];
if (!file) {
  console.error('usage: tsx bench/profile-summary.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(process.argv[3] ?? 25);
const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const total = prof.samples.length;
const self = new Map<string, number>();
for (const n of prof.nodes) {
  const url = n.callFrame.url.replace(/^.*\/node_modules\//, '~/').replace(/^.*\/packages\//, 'packages/').replace(/^file:\/\//, '');
  const key = `${n.callFrame.functionName || '(anonymous)'}  ${url}:${n.callFrame.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + n.hitCount);
}
const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, top);
for (const [k, v] of rows) console.log(`${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
