/**
 * Redaction throughput, one core: strings/s for short (~100 chars) and long
 * (~5 KB) model-traffic-like texts, with and without the name pass.
 *
 *   npx tsx packages/redact/bench/redact.bench.ts
 *
 * Texts mix clean prose (the common case, which the prefilters should make
 * cheap) with PII-bearing lines, rotated so no single string is cached by V8.
 * A fresh RedactionContext per 100 strings mirrors one context per trace.
 */
import { RedactionContext, type RedactOptions, redactText } from '../src/index.ts';

const SHORT = [
  'The model returned a summary of the quarterly report with three key findings.',
  'Please contact Maria Garcia at maria.garcia@example.com or +1 (415) 555-2671.',
  'Classification: invoice; confidence 0.93; latency 412 ms; tokens in 812 out 96.',
  'Refund card 4111 1111 1111 1111 and wire the rest to DE89 3704 0044 0532 0130 00.',
  'Retrieved 12 chunks from the Policy Index; the Compliance Team reviews on Friday.',
  'Request from 203.0.113.42 used key sk-proj-Abc123Def456Ghi789Jkl012Mno345 today.',
].map((s) => s.padEnd(100, ' .').slice(0, 100));

const PARAGRAPHS = [
  'The pipeline parsed the uploaded contract, extracted 14 clauses and embedded them with the local embedder. ',
  'Clause 7 references a termination fee of 12,500 EUR payable within 30 days of notice, which the policy stage flagged. ',
  'The counterparty is Acme Widgets Ltd, registered at 221B Baker Street, and the signatory is John Smith. ',
  'For questions reach legal@example.com or call 020 7946 0958 during office hours. ',
  'The model rationale cites sections 3.2 and 4.1 and rates compliance risk as medium with confidence 0.71. ',
  'Version 2.4.1 of the rules engine evaluated 38 rules in 4 ms; no rule matched the Data Retention category. ',
];
function longText(seed: number): string {
  let s = '';
  let i = seed;
  while (s.length < 5000) s += PARAGRAPHS[i++ % PARAGRAPHS.length];
  return s.slice(0, 5000);
}
const LONG = Array.from({ length: 6 }, (_, i) => longText(i));

function bench(label: string, texts: string[], opts: RedactOptions, minMs: number): number {
  // Warm up (JIT, lexicon load) before timing.
  for (let i = 0; i < 200; i++) redactText(texts[i % texts.length] as string, undefined, opts);
  let n = 0;
  let ctx = new RedactionContext();
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let k = 0; k < 100; k++) redactText(texts[(n + k) % texts.length] as string, ctx, opts);
    n += 100;
    ctx = new RedactionContext();
    elapsed = performance.now() - start;
  }
  const perSec = (n / elapsed) * 1000;
  console.log(`${label.padEnd(34)} ${Math.round(perSec).toLocaleString('en-US').padStart(10)} strings/s  (${(1000 / perSec * 1000).toFixed(1)} µs each)`);
  return perSec;
}

const ms = Number(process.env.BENCH_MS ?? 1500);
console.log(`@frostbyte/redact bench, node ${process.version}, ${ms} ms per case\n`);
bench('short (100 chars), names on', SHORT, { names: true }, ms);
bench('short (100 chars), names off', SHORT, { names: false }, ms);
bench('long (5 KB), names on', LONG, { names: true }, ms);
bench('long (5 KB), names off', LONG, { names: false }, ms);
