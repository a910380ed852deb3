import { hash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AuditEntry, appendEntry } from './audit-chain.ts';
import { type AuditBundle, BUNDLE_FORMAT, keyFingerprint, verifyBundle } from './bundle.ts';
import { formatVerifierKey, generateSigningKey, signCheckpoint } from './checkpoint.ts';
import { inclusionProof, merkleRoot } from './merkle.ts';

/** The offline verifier on bundles built in memory (the integration test builds them from a server). */

const ORIGIN = 'test.local/audit';
const T = 'acme';
const key = generateSigningKey();
const vkey = formatVerifierKey(key);

function bundle(opts: { events?: number; tail?: number } = {}): AuditBundle {
  const n = opts.events ?? 5;
  const ids = Array.from({ length: n }, (_, i) => `0190000${i}-0000-7000-8000-000000000000`);
  const leafData = ids.map((id, i) =>
    JSON.stringify([
      'fmo/event-leaf/v1',
      id,
      `${i}-0`,
      T,
      'inv',
      null,
      'ts',
      null,
      'rx',
      'doc',
      's',
      'm',
      'v',
      'op',
      'completed',
      1,
      1,
      1,
      true,
      {},
      null,
    ]),
  );
  const leaves = leafData.map((t) => hash('sha256', t, 'buffer'));
  const entries: AuditEntry[] = [];
  const push = (f: Omit<Parameters<typeof appendEntry>[1], 'tenant_id'>) => {
    const prev = entries[entries.length - 1];
    entries.push(appendEntry(prev ? { seq: prev.seq, hash: prev.hash } : null, { tenant_id: T, ...f }));
  };
  push({ actor: 'user:alice', action: 'key.create', target: 'key:1' });
  push({ actor: 'system:writer', action: 'events.batch', target: 'events', details: { count: n }, batch_root: merkleRoot(leaves) });
  push({ actor: 'user:bob', action: 'trace.read', target: `event:${ids[0]}`, details: { reads: 2 } });
  const head = entries[entries.length - 1] as AuditEntry;
  const checkpoints = [signCheckpoint(key, { origin: ORIGIN, tenant: T, size: head.seq, hash: head.hash })];
  for (let i = 0; i < (opts.tail ?? 0); i++) push({ actor: 'user:eve', action: 'trace.read', target: 'event:x' });
  return {
    format: BUNDLE_FORMAT,
    origin: ORIGIN,
    tenant_id: T,
    exported_at: new Date().toISOString(),
    verifier_key: vkey,
    key_fingerprint: keyFingerprint(vkey),
    entries,
    checkpoints,
    proofs: ids.map((id, i) => ({
      event_id: id,
      entry_seq: 2,
      leaf_index: i,
      tree_size: n,
      leaf_data: leafData[i] as string,
      path: inclusionProof(leaves, i),
    })),
    batches_without_proofs: 0,
  };
}

const parts = (b: unknown, k?: string) => verifyBundle(b, k).problems.map((p) => `${p.part} ${p.where}`);

describe('verifyBundle', () => {
  it('an intact bundle passes, with the key pinned by fingerprint or by the key itself', () => {
    const b = bundle();
    expect(verifyBundle(b)).toMatchObject({ ok: true, tenant_id: T, entries: 3, checkpoints: 1, proofs: 5, problems: [] });
    expect(verifyBundle(b, keyFingerprint(vkey)).ok).toBe(true);
    expect(verifyBundle(b, keyFingerprint(vkey).toUpperCase()).ok).toBe(true);
    expect(verifyBundle(b, vkey).ok).toBe(true);
    // Survives a JSON round trip (what the file is).
    expect(verifyBundle(JSON.parse(JSON.stringify(b))).ok).toBe(true);
  });

  it('another key: pinned fingerprint mismatch, or checkpoints re-signed by another key', () => {
    const b = bundle();
    expect(parts(b, keyFingerprint(formatVerifierKey(generateSigningKey())))).toEqual(['key verifier_key']);
    // An attacker swaps in their own key and fingerprint: passes only without --key.
    const evil = generateSigningKey();
    const e = bundle();
    e.verifier_key = formatVerifierKey(evil);
    e.key_fingerprint = keyFingerprint(e.verifier_key);
    expect(parts(e)).toEqual(['checkpoint checkpoints[0]']);
    e.checkpoints = e.checkpoints.map((c) => signCheckpoint(evil, c.slice(0, c.lastIndexOf('\n\n') + 1)));
    expect(verifyBundle(e).ok).toBe(true);
    expect(parts(e, keyFingerprint(vkey))).toEqual(['key verifier_key']);
  });

  it('names the part that broke', () => {
    const cases: [string, (b: AuditBundle) => void, string[]][] = [
      ['a deleted entry', (b) => b.entries.splice(0, 1), ['entry entries[seq=1]']],
      ['an edited entry', (b) => ((b.entries[0] as AuditEntry).target = 'key:2'), ['entry entries[seq=1]']],
      ['the fingerprint field', (b) => (b.key_fingerprint = '0'.repeat(64)), ['key key_fingerprint']],
      ['an unparseable key', (b) => (b.verifier_key = 'nope'), ['key verifier_key']],
      ['no checkpoints', (b) => (b.checkpoints = []), ['checkpoint checkpoints']],
      ['a checkpoint of another origin', (b) => (b.origin = 'other/audit'), ['checkpoint checkpoint at size 3']],
      [
        'a proof of another tenant',
        (b) =>
          ((b.proofs[1] as AuditBundle['proofs'][number]).leaf_data = (b.proofs[1] as AuditBundle['proofs'][number]).leaf_data.replace(
            `"${T}"`,
            '"other"',
          )),
        ['proof proofs[1] (event 01900001-0000-7000-8000-000000000000)'],
      ],
      [
        'a proof to a non-batch entry',
        (b) => ((b.proofs[2] as AuditBundle['proofs'][number]).entry_seq = 1),
        ['proof proofs[2] (event 01900002-0000-7000-8000-000000000000)'],
      ],
      [
        'a wrong tree size',
        (b) => ((b.proofs[0] as AuditBundle['proofs'][number]).tree_size = 4),
        ['proof proofs[0] (event 01900000-0000-7000-8000-000000000000)'],
      ],
      [
        'a swapped leaf index',
        (b) => ((b.proofs[3] as AuditBundle['proofs'][number]).leaf_index = 2),
        ['proof proofs[3] (event 01900003-0000-7000-8000-000000000000)'],
      ],
      ['another format', (b) => ((b as { format: string }).format = 'v0'), ['format format']],
    ];
    for (const [what, edit, want] of cases) {
      const b = bundle();
      edit(b);
      const r = verifyBundle(b);
      expect(r.ok, what).toBe(false);
      expect(parts(b), what).toEqual(want);
    }
    expect(parts(null)).toEqual(['format bundle']);
    expect(parts([])).toEqual(['format bundle']);
  });

  it('entries after the newest checkpoint are reported as not vouched for', () => {
    const b = bundle({ tail: 2 });
    expect(verifyBundle(b).problems).toEqual([
      { part: 'entry', where: 'entries[seq=4..5]', detail: expect.stringMatching(/^2 entries after the newest signed checkpoint/) },
    ]);
  });
});
