/**
 * PII eval: precision / recall / F1 per entity type on eval/labelled.jsonl.
 *
 *   npm run eval:pii      (= tsx packages/redact/eval/run.ts)
 *
 * Stage by stage: read the labelled lines → locate each gold value in its text
 * (gold labels carry values, not offsets) → run findEntities with default
 * options → match predictions to gold of the same type by character overlap,
 * each gold span used once → print the table and write eval/results.json.
 *
 * Overlap (not exact) matching because boundaries are a matter of taste
 * ("Dr. Chen" vs "Chen") while what matters is that the value is gone. The
 * "leaked" column is stricter on the privacy side: gold values with any
 * character not covered by a prediction of any type.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ENTITY_TYPES } from '../src/placeholder.ts';
import { findEntities } from '../src/redact.ts';

interface Labelled {
  text: string;
  entities: Array<{ type: string; value: string }>;
}
interface Row {
  tp: number;
  fp: number;
  fn: number;
  leaked: number;
  precision: number;
  recall: number;
  f1: number;
}

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const lines: Labelled[] = readFileSync(here('./labelled.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Labelled);

const counts = new Map<string, { tp: number; fp: number; fn: number; leaked: number }>();
const bucket = (type: string) => {
  let c = counts.get(type);
  if (c === undefined) {
    c = { tp: 0, fp: 0, fn: 0, leaked: 0 };
    counts.set(type, c);
  }
  return c;
};
const errors: Array<{ kind: 'FP' | 'FN'; type: string; value: string; text: string }> = [];

const started = performance.now();
for (const line of lines) {
  // Locate gold values left to right (the same value may appear twice).
  const gold: Array<{ type: string; value: string; start: number; end: number; matched: boolean }> = [];
  const cursor = new Map<string, number>();
  for (const e of line.entities) {
    const from = cursor.get(e.value) ?? 0;
    const start = line.text.indexOf(e.value, from);
    if (start === -1) throw new Error(`gold value not in text: ${e.value} | ${line.text}`);
    cursor.set(e.value, start + e.value.length);
    gold.push({ ...e, start, end: start + e.value.length, matched: false });
  }
  const predicted = findEntities(line.text);
  for (const p of predicted) {
    const g = gold.find((x) => !x.matched && x.type === p.type && p.start < x.end && x.start < p.end);
    if (g !== undefined) {
      g.matched = true;
      bucket(p.type).tp++;
    } else {
      bucket(p.type).fp++;
      errors.push({ kind: 'FP', type: p.type, value: line.text.slice(p.start, p.end), text: line.text });
    }
  }
  for (const g of gold) {
    if (!g.matched) {
      bucket(g.type).fn++;
      errors.push({ kind: 'FN', type: g.type, value: g.value, text: line.text });
    }
    let covered = 0;
    for (let i = g.start; i < g.end; i++) if (predicted.some((p) => p.start <= i && i < p.end)) covered++;
    if (covered < g.end - g.start) bucket(g.type).leaked++;
  }
}
const elapsedMs = performance.now() - started;

const ratio = (a: number, b: number): number => (b === 0 ? 1 : a / b);
const rows: Record<string, Row> = {};
const total = { tp: 0, fp: 0, fn: 0, leaked: 0 };
for (const type of ENTITY_TYPES) {
  const c = counts.get(type) ?? { tp: 0, fp: 0, fn: 0, leaked: 0 };
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  rows[type] = { ...c, precision, recall, f1 };
  total.tp += c.tp;
  total.fp += c.fp;
  total.fn += c.fn;
  total.leaked += c.leaked;
}
const microP = ratio(total.tp, total.tp + total.fp);
const microR = ratio(total.tp, total.tp + total.fn);
const micro = { ...total, precision: microP, recall: microR, f1: (2 * microP * microR) / (microP + microR) };

const f = (x: number): string => x.toFixed(3);
const table = [
  '| type | gold | TP | FP | FN | leaked | precision | recall | F1 |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...Object.entries(rows).map(([t, r]) => `| ${t} | ${r.tp + r.fn} | ${r.tp} | ${r.fp} | ${r.fn} | ${r.leaked} | ${f(r.precision)} | ${f(r.recall)} | ${f(r.f1)} |`),
  `| **all (micro)** | ${micro.tp + micro.fn} | ${micro.tp} | ${micro.fp} | ${micro.fn} | ${micro.leaked} | ${f(micro.precision)} | ${f(micro.recall)} | ${f(micro.f1)} |`,
].join('\n');
console.log(`PII eval: ${lines.length} lines, ${elapsedMs.toFixed(0)} ms\n`);
console.log(table);
if (process.argv.includes('--errors')) {
  for (const e of errors) console.log(`${e.kind} ${e.type} ${JSON.stringify(e.value)} in ${JSON.stringify(e.text)}`);
} else if (errors.length > 0) {
  console.log(`\n${errors.length} errors; run with --errors to list them`);
}
writeFileSync(here('./results.json'), `${JSON.stringify({ lines: lines.length, byType: rows, micro, errors }, null, 2)}\n`);
