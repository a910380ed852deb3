/**
 * Micro-benchmarks of the security core, for the numbers in the README and for
 * `bench/` to adopt: `npx tsx bench/crypto-micro.ts`.
 * Not a test: timings are machine-dependent and asserted nowhere (DESIGN §7).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type AuditEntry, appendEntry } from '../packages/server/src/audit/audit-chain.ts';
import { generateSigningKey, signCheckpoint, verifyCheckpoint } from '../packages/server/src/audit/checkpoint.ts';
import { Keyring, open, seal } from '../packages/server/src/crypto/envelope.ts';
import { eventDigest, merkleRoot } from '../packages/server/src/audit/merkle.ts';
import { verifyChain } from '../packages/server/src/audit/verify.ts';

function measure(name: string, fn: () => void, seconds = 1): void {
  const warmUntil = performance.now() + 200;
  while (performance.now() < warmUntil) fn();
  let n = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
  }
  const us = ((performance.now() - start) * 1000) / n;
  const perSecond = Math.round(1e6 / us).toLocaleString('en-US');
  console.log(`${name.padEnd(44)} ${us.toFixed(2).padStart(9)} µs/op ${perSecond.padStart(12)} ops/s`);
}

const ring = Keyring.fromRecords(randomBytes(32), []);
ring.createDataKey('acme');
const place = { tenant: 'acme', table: 'model_events', column: 'input', rowId: randomUUID() };
for (const size of [100, 1024, 16 * 1024]) {
  const value = randomBytes(size);
  const sealed = seal(ring, place, value);
  measure(`seal ${size} B`, () => seal(ring, place, value));
  measure(`open ${size} B`, () => open(ring, place, sealed));
}

const event = {
  event_id: randomUUID(),
  tenant_id: 'acme',
  invocation_id: randomUUID(),
  kind: 'completed',
  model: { name: 'nomic-embed-text', version: '1.5' },
  stage: 'embed',
  tokens: { input: 512, output: 0 },
  duration_ms: 41.7,
  emitted_at: new Date().toISOString(),
  attributes: { document: 'doc-17', chunk: 4, labels: ['pii:none', 'lang:en'] },
};
measure('eventDigest (typical event)', () => eventDigest(event));
const digests = Array.from({ length: 500 }, (_, i) => eventDigest({ ...event, n: i }));
measure('merkleRoot of a 500-event batch', () => merkleRoot(digests), 0.5);

let head: AuditEntry | null = null;
measure('appendEntry', () => {
  head = appendEntry(head, { tenant_id: 'acme', actor: 'system', action: 'ingest.batch', target: 'batch', details: { n: 500 } });
});

const key = generateSigningKey();
const entries: AuditEntry[] = [];
for (let i = 0; i < 10_000; i++) {
  entries.push(appendEntry(entries.at(-1) ?? null, { tenant_id: 'acme', actor: 'system', action: 'ingest.batch', target: `b${i}`, details: { i } }));
}
const last = entries.at(-1) as AuditEntry;
const note = signCheckpoint(key, { origin: 'bench', tenant: 'acme', size: last.seq, hash: last.hash });
measure('signCheckpoint', () => signCheckpoint(key, { origin: 'bench', tenant: 'acme', size: last.seq, hash: last.hash }), 0.5);
measure('verifyCheckpoint', () => verifyCheckpoint(key.publicKey, note), 0.5);
const t0 = performance.now();
const result = verifyChain({ entries, checkpoints: [note], publicKey: key.publicKey });
const ms = performance.now() - t0;
console.log(`verifyChain of 10,000 entries: ${ms.toFixed(1)} ms (${Math.round(10_000 / (ms / 1000)).toLocaleString('en-US')} entries/s), ok=${result.ok}`);
