import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuditEntryError, type AuditFields, appendEntry, GENESIS_HASH, hashEntry } from './audit-chain.ts';
import { canonicalJson } from './canonical-json.ts';

const fields = (over: Partial<AuditFields> = {}): AuditFields => ({
  tenant_id: 'acme',
  ts: '2025-03-04T05:06:07.089Z',
  actor: 'user:ops-1',
  action: 'api_key.create',
  target: 'api_key:k-1',
  details: { scope: 'ingest', labels: ['a', 'b'] },
  ...over,
});

describe('appendEntry', () => {
  it('starts at seq 1 linked to the genesis hash', () => {
    const e = appendEntry(null, fields());
    expect(e.seq).toBe(1);
    expect(e.prev_hash).toBe(GENESIS_HASH);
    expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes SHA-256 over the canonical JSON of everything but the hash', () => {
    const e = appendEntry(null, fields());
    const { hash, ...rest } = e;
    expect(hash).toBe(createHash('sha256').update(canonicalJson(rest)).digest('hex'));
  });

  it('links each entry to the previous one and counts seq up', () => {
    const a = appendEntry(null, fields());
    const b = appendEntry(a, fields({ action: 'model.deploy' }));
    const c = appendEntry(b, fields({ action: 'tenant.erase' }));
    expect([b.seq, c.seq]).toEqual([2, 3]);
    expect(b.prev_hash).toBe(a.hash);
    expect(c.prev_hash).toBe(b.hash);
  });

  it('continues from an epoch head after pruning', () => {
    const head = { seq: 1000, hash: 'ab'.repeat(32) };
    const e = appendEntry(head, fields());
    expect(e).toMatchObject({ seq: 1001, prev_hash: head.hash });
  });

  it('carries a batch root and hashes a NULL one like an absent one', () => {
    const root = 'cd'.repeat(32);
    const withRoot = appendEntry(null, fields({ batch_root: root }));
    expect(withRoot.batch_root).toBe(root);
    const without = appendEntry(null, fields());
    expect(withRoot.hash).not.toBe(without.hash);
    // As read back from a nullable column.
    expect(hashEntry({ ...without, batch_root: null })).toBe(without.hash);
  });

  it('ignores columns that are not part of the entry', () => {
    const e = appendEntry(null, fields());
    const row = { ...e, id: 42, created_at: new Date() };
    expect(hashEntry(row)).toBe(e.hash);
  });

  it('survives a JSON round trip of the whole row (jsonb details, text ts)', () => {
    const e = appendEntry(null, fields({ details: { z: 1, a: { y: [1, 2.5, 'x'], b: null } } }));
    const back = JSON.parse(JSON.stringify(e)) as typeof e;
    expect(hashEntry(back)).toBe(e.hash);
  });

  it('defaults ts to now in toISOString form', () => {
    const { ts: _omit, ...noTs } = fields();
    const e = appendEntry(null, noTs);
    expect(new Date(e.ts).toISOString()).toBe(e.ts);
  });

  it.each([
    ['a ts that would not survive a timestamptz round trip', { ts: '2025-03-04T05:06:07Z' }],
    ['an unparseable ts', { ts: 'yesterday' }],
    ['an uppercase batch root', { batch_root: 'AB'.repeat(32) }],
    ['a short batch root', { batch_root: 'ab' }],
    ['an empty actor', { actor: '' }],
    ['an empty tenant', { tenant_id: '' }],
    ['array details', { details: [] as unknown as AuditFields['details'] }],
  ])('refuses %s', (_name, over) => {
    expect(() => appendEntry(null, fields(over as Partial<AuditFields>))).toThrow(AuditEntryError);
  });

  it('refuses details that cannot be hashed faithfully', () => {
    expect(() => appendEntry(null, fields({ details: { n: Number.NaN } }))).toThrow();
  });

  it('refuses a malformed previous head', () => {
    expect(() => appendEntry({ seq: 1, hash: 'nope' }, fields())).toThrow(AuditEntryError);
  });
});
