import { describe, expect, it } from 'vitest';
import { type AuditEntry, type AuditFields, appendEntry, hashEntry } from './audit-chain.ts';
import { generateSigningKey, type SigningKey, signCheckpoint } from './checkpoint.ts';
import { eventDigest, merkleRoot } from './merkle.ts';
import { type ChainFailureReason, ChainVerifier, type VerifyChainInput, verifyBatch, verifyChain } from './verify.ts';

const ORIGIN = 'frostbyte.test/audit';
const key = generateSigningKey();

function fieldsFor(tenant: string, i: number): AuditFields {
  return {
    tenant_id: tenant,
    ts: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
    actor: `user:${i % 3}`,
    action: i % 2 ? 'ingest.batch' : 'model.deploy',
    target: `target-${i}`,
    details: { i, note: `entry ${i}` },
    ...(i % 2 ? { batch_root: merkleRoot([eventDigest({ i })]) } : {}),
  };
}

/** A log of `n` entries with a signed checkpoint every `every` entries (and at the end). */
function makeLog(n: number, opts: { tenant?: string; every?: number; signer?: SigningKey } = {}) {
  const tenant = opts.tenant ?? `t-${Math.random().toString(36).slice(2, 8)}`;
  const signer = opts.signer ?? key;
  const entries: AuditEntry[] = [];
  const checkpoints: string[] = [];
  for (let i = 1; i <= n; i++) {
    entries.push(appendEntry(entries.at(-1) ?? null, fieldsFor(tenant, i)));
    if (i % (opts.every ?? 5) === 0 || i === n) checkpoints.push(checkpointAt(entries, i, signer));
  }
  return { tenant, entries, checkpoints };
}

function checkpointAt(entries: AuditEntry[], size: number, signer = key, epoch?: { seq: number; hash: string }) {
  const head = entries.find((e) => e.seq === size) as AuditEntry;
  return signCheckpoint(signer, { origin: ORIGIN, tenant: head.tenant_id, size, hash: head.hash, ...(epoch ? { epoch } : {}) });
}

function verify(over: Partial<VerifyChainInput> & Pick<VerifyChainInput, 'entries' | 'checkpoints'>) {
  return verifyChain({ publicKey: key.publicKey, origin: ORIGIN, ...over });
}

function expectBad(result: ReturnType<typeof verifyChain>, seq: number, reason: ChainFailureReason) {
  expect(result.ok, JSON.stringify(result)).toBe(false);
  if (!result.ok) expect({ seq: result.firstBad.seq, reason: result.firstBad.reason }).toEqual({ seq, reason });
}

/** Rehash an entry after editing it, as an attacker with write access would. */
const rehash = (e: AuditEntry): AuditEntry => ({ ...e, hash: hashEntry(e) });

describe('verifyChain', () => {
  it('passes an untouched log and reports what it verified', () => {
    const { entries, checkpoints } = makeLog(23);
    expect(verify({ entries, checkpoints })).toEqual({
      ok: true,
      entries: 23,
      checkpoints: 5,
      head: { seq: 23, hash: entries[22]?.hash },
      unattested: 0,
    });
  });

  it('passes an empty log', () => {
    expect(verify({ entries: [], checkpoints: [] })).toMatchObject({ ok: true, entries: 0, head: null });
  });

  it('detects an edited field, even when only details changed', () => {
    const { entries, checkpoints } = makeLog(12);
    const bad = entries.map((e) => (e.seq === 7 ? { ...e, details: { ...e.details, note: 'edited' } } : e));
    expectBad(verify({ entries: bad, checkpoints }), 7, 'hash_mismatch');
    const badActor = entries.map((e) => (e.seq === 2 ? { ...e, actor: 'user:someone-else' } : e));
    expectBad(verify({ entries: badActor, checkpoints }), 2, 'hash_mismatch');
  });

  it('detects an edited field whose hash was recomputed (the next link breaks)', () => {
    const { entries, checkpoints } = makeLog(12);
    const bad = entries.map((e) => (e.seq === 7 ? rehash({ ...e, target: 'target-x' }) : e));
    expectBad(verify({ entries: bad, checkpoints }), 8, 'broken_link');
  });

  it('detects an edited last entry with a recomputed hash through the checkpoint', () => {
    const { entries, checkpoints } = makeLog(12);
    const bad = entries.map((e) => (e.seq === 12 ? rehash({ ...e, target: 'target-x' }) : e));
    expectBad(verify({ entries: bad, checkpoints }), 12, 'checkpoint_mismatch');
  });

  it('detects a deleted row', () => {
    const { entries, checkpoints } = makeLog(12);
    expectBad(verify({ entries: entries.filter((e) => e.seq !== 6), checkpoints }), 6, 'missing_entry');
    expectBad(verify({ entries: entries.filter((e) => e.seq !== 1), checkpoints }), 1, 'missing_entry');
  });

  it('detects swapped rows', () => {
    const { entries, checkpoints } = makeLog(12);
    // Rows handed over in the wrong order.
    const reordered = [...entries];
    [reordered[3], reordered[4]] = [reordered[4] as AuditEntry, reordered[3] as AuditEntry];
    expectBad(verify({ entries: reordered, checkpoints }), 4, 'out_of_order');
    // Seq values swapped in the table, so ORDER BY seq returns the contents swapped.
    const swapped = entries.map((e) =>
      e.seq === 4 ? { ...(entries[4] as AuditEntry), seq: 4 } : e.seq === 5 ? { ...(entries[3] as AuditEntry), seq: 5 } : e,
    );
    expectBad(verify({ entries: swapped, checkpoints }), 4, 'hash_mismatch');
  });

  it('detects a forged insert with a recomputed hash but a broken link', () => {
    const { tenant, entries, checkpoints } = makeLog(12);
    // Insert after seq 6 and renumber the rest, rehashing each row but leaving its prev_hash.
    const forged = appendEntry(entries[5] as AuditEntry, { ...fieldsFor(tenant, 99), action: 'grant.admin' });
    const renumbered = entries.slice(6).map((e) => rehash({ ...e, seq: e.seq + 1 }));
    const bad = [...entries.slice(0, 6), forged, ...renumbered];
    expectBad(verify({ entries: bad, checkpoints }), 8, 'broken_link');
  });

  it('detects a forged insert that reuses a seq', () => {
    const { tenant, entries, checkpoints } = makeLog(12);
    const forged = appendEntry(entries[5] as AuditEntry, fieldsFor(tenant, 99));
    const bad = [...entries.slice(0, 7), forged, ...entries.slice(7)];
    expectBad(verify({ entries: bad, checkpoints }), 7, 'duplicate_seq');
  });

  it('detects a forged insert with the whole suffix rewritten consistently (checkpoint mismatch)', () => {
    const { tenant, entries, checkpoints } = makeLog(12);
    const rewritten = entries.slice(0, 6);
    rewritten.push(appendEntry(rewritten.at(-1) ?? null, { ...fieldsFor(tenant, 99), action: 'grant.admin' }));
    for (const e of entries.slice(6, 11)) {
      const { seq: _s, prev_hash: _p, hash: _h, ...fields } = e;
      rewritten.push(appendEntry(rewritten.at(-1) ?? null, { ...fields, batch_root: e.batch_root ?? undefined }));
    }
    expect(rewritten).toHaveLength(12);
    // The chain itself is self-consistent: only the signed checkpoint at size 10 gives it away.
    expectBad(verify({ entries: rewritten, checkpoints }), 10, 'checkpoint_mismatch');
    expect(verify({ entries: rewritten, checkpoints: [] }).ok).toBe(true);
  });

  it('detects a truncated tail against the newest checkpoint', () => {
    const { entries, checkpoints } = makeLog(12);
    expectBad(verify({ entries: entries.slice(0, 9), checkpoints }), 10, 'truncated');
    expectBad(verify({ entries: [], checkpoints }), 1, 'truncated');
  });

  it('detects a flipped byte in a checkpoint', () => {
    const { entries, checkpoints } = makeLog(12);
    const note = checkpoints[1] as string; // size 10
    const lines = note.split('\n');
    const hashLine = lines[3] as string;
    lines[3] = (hashLine[0] === 'A' ? 'B' : 'A') + hashLine.slice(1);
    const flipped = [checkpoints[0] as string, lines.join('\n'), checkpoints[2] as string];
    expectBad(verify({ entries, checkpoints: flipped }), 10, 'checkpoint_signature');
    const sizeFlipped = [note.replace('\n10\n', '\n11\n')];
    expectBad(verify({ entries, checkpoints: sizeFlipped }), 11, 'checkpoint_signature');
    expectBad(verify({ entries, checkpoints: ['garbage'] }), 0, 'checkpoint_malformed');
  });

  it('rejects checkpoints signed by another key', () => {
    const { entries } = makeLog(12);
    const foreign = checkpointAt(entries, 12, generateSigningKey());
    expectBad(verify({ entries, checkpoints: [foreign] }), 12, 'checkpoint_signature');
  });

  it('names the lowest bad seq when several things are wrong', () => {
    const { entries, checkpoints } = makeLog(12);
    const bad = entries.map((e) => (e.seq === 3 ? { ...e, action: 'edited' } : e));
    const flipped = checkpoints.map((c, i) => (i === 1 ? c.replace('\n10\n', '\n11\n') : c));
    expectBad(verify({ entries: bad, checkpoints: flipped }), 3, 'hash_mismatch');
  });

  it('rejects rows and checkpoints of another tenant', () => {
    const a = makeLog(6);
    const b = makeLog(6);
    const mixed = a.entries.map((e, i) => (i === 2 ? (b.entries[2] as AuditEntry) : e));
    expectBad(verify({ entries: mixed, checkpoints: a.checkpoints }), 3, 'tenant_mismatch');
    expectBad(verify({ entries: a.entries, checkpoints: [...a.checkpoints, ...b.checkpoints] }), 5, 'tenant_mismatch');
    expectBad(verify({ entries: a.entries, checkpoints: a.checkpoints, tenant: b.tenant }), 1, 'tenant_mismatch');
  });

  it('rejects checkpoints of another origin when one is expected', () => {
    const { entries, tenant } = makeLog(4);
    const other = signCheckpoint(key, { origin: 'elsewhere', tenant, size: 4, hash: (entries[3] as AuditEntry).hash });
    expectBad(verify({ entries, checkpoints: [other] }), 4, 'checkpoint_malformed');
  });

  it('reports a row with database-shaped types as malformed, saying why', () => {
    const { entries, checkpoints } = makeLog(4);
    // node-postgres returns int8 as a string.
    const asRows = entries.map((e) => ({ ...e, seq: String(e.seq) as unknown as number }));
    const result = verify({ entries: asRows, checkpoints });
    expectBad(result, 1, 'malformed');
    if (!result.ok) expect(result.firstBad.detail).toMatch(/seq must be an integer/);
  });

  it('counts entries after the newest checkpoint as unattested (a forged tail is only caught by the next checkpoint)', () => {
    const { tenant, entries, checkpoints } = makeLog(10);
    const tail = [...entries];
    for (let i = 0; i < 3; i++) tail.push(appendEntry(tail.at(-1) ?? null, fieldsFor(tenant, 50 + i)));
    expect(verify({ entries: tail, checkpoints })).toMatchObject({ ok: true, entries: 13, unattested: 3 });
  });

  describe('after pruning', () => {
    /** 30 entries; entries 1..20 pruned under a signed epoch checkpoint. */
    function pruned() {
      const log = makeLog(30, { every: 10 });
      const epoch = { seq: 20, hash: (log.entries[19] as AuditEntry).hash };
      const epochCheckpoint = checkpointAt(log.entries, 30, key, epoch);
      const kept = log.entries.slice(20);
      // Old checkpoints may be pruned too; keep the one at 10 to show it is harmless.
      return { ...log, epoch, kept, checkpoints: [log.checkpoints[0] as string, epochCheckpoint] };
    }

    it('the kept suffix verifies with the epoch given, or taken from the signed checkpoint', () => {
      const { kept, checkpoints, epoch } = pruned();
      expect(verify({ entries: kept, checkpoints, epoch })).toMatchObject({ ok: true, entries: 10, unattested: 0 });
      expect(verify({ entries: kept, checkpoints })).toMatchObject({ ok: true, entries: 10 });
    });

    it('a plain checkpoint at the prune point also vouches for the epoch', () => {
      const log = makeLog(30, { every: 10 });
      const epoch = { seq: 20, hash: (log.entries[19] as AuditEntry).hash };
      expect(verify({ entries: log.entries.slice(20), checkpoints: log.checkpoints, epoch }).ok).toBe(true);
    });

    it('an epoch no signed checkpoint vouches for is refused', () => {
      const { kept, checkpoints } = pruned();
      const forged = { seq: 20, hash: 'ab'.repeat(32) };
      expectBad(verify({ entries: kept, checkpoints, epoch: forged }), 21, 'epoch_unattested');
    });

    it('rows deleted beyond the epoch are detected', () => {
      const { kept, checkpoints } = pruned();
      expectBad(verify({ entries: kept.slice(2), checkpoints }), 21, 'missing_entry');
    });

    it('a head dropped without any epoch is detected', () => {
      const { entries, checkpoints } = makeLog(30, { every: 10 });
      expectBad(verify({ entries: entries.slice(20), checkpoints }), 1, 'missing_entry');
    });

    it('tampering in the kept suffix is still detected', () => {
      const { kept, checkpoints, epoch } = pruned();
      const bad = kept.map((e) => (e.seq === 25 ? { ...e, target: 'x' } : e));
      expectBad(verify({ entries: bad, checkpoints, epoch }), 25, 'hash_mismatch');
      const relinked = kept.map((e) => (e.seq === 21 ? rehash({ ...e, prev_hash: 'cd'.repeat(32) }) : e));
      expectBad(verify({ entries: relinked, checkpoints, epoch }), 21, 'broken_link');
    });

    it('unpruned rows still verify from genesis, and must match the signed epoch', () => {
      const { entries, checkpoints } = pruned();
      expect(verify({ entries, checkpoints })).toMatchObject({ ok: true, entries: 30 });
      const rewritten = entries.slice(0, 19);
      for (const e of entries.slice(19)) {
        const { seq: _s, prev_hash: _p, hash: _h, ...fields } = e;
        const f = e.seq === 20 ? { ...fields, target: 'x' } : fields;
        rewritten.push(appendEntry(rewritten.at(-1) ?? null, { ...f, batch_root: e.batch_root ?? undefined }));
      }
      expectBad(verify({ entries: rewritten, checkpoints }), 20, 'checkpoint_mismatch');
    });
  });
});

describe('ChainVerifier (streaming)', () => {
  it('gives the same answers as verifyChain when fed page by page', () => {
    const { entries, checkpoints } = makeLog(40, { every: 7 });
    const cases = [
      entries,
      entries.map((e) => (e.seq === 17 ? { ...e, action: 'edited' } : e)),
      entries.filter((e) => e.seq !== 30),
      entries.slice(0, 33),
    ];
    for (const rows of cases) {
      const v = new ChainVerifier({ checkpoints, publicKey: key.publicKey, origin: ORIGIN });
      for (let i = 0; i < rows.length; i += 8) for (const e of rows.slice(i, i + 8)) v.push(e);
      expect(v.finish()).toEqual(verify({ entries: rows, checkpoints }));
    }
  });

  it('stops accepting rows after the first bad one', () => {
    const { entries, checkpoints } = makeLog(10);
    const v = new ChainVerifier({ checkpoints, publicKey: key.publicKey });
    const pushed = entries.map((e) => v.push(e.seq === 4 ? { ...e, target: 'x' } : e));
    expect(pushed).toEqual([true, true, true, false, false, false, false, false, false, false]);
    expect(v.finish()).toMatchObject({ ok: false, firstBad: { seq: 4, reason: 'hash_mismatch' } });
  });
});

describe('verifyBatch', () => {
  it('recomputes a batch root from the events', () => {
    const events = Array.from({ length: 9 }, (_, i) => ({ id: `e${i}`, model: 'm', tokens: i }));
    const digests = events.map(eventDigest);
    const entry = appendEntry(null, { ...fieldsFor('acme', 2), batch_root: merkleRoot(digests) });
    expect(verifyBatch(entry, digests)).toBe(true);
    const edited = events.map((e, i) => (i === 4 ? { ...e, tokens: 999 } : e)).map(eventDigest);
    expect(verifyBatch(entry, edited)).toBe(false);
    expect(verifyBatch(entry, digests.slice(1))).toBe(false);
    expect(verifyBatch({ batch_root: null }, digests)).toBe(false);
  });
});
