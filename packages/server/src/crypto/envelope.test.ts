import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type DataKeyRecord,
  DecryptError,
  type DecryptErrorReason,
  type FieldAad,
  Keyring,
  KeyringError,
  open,
  SEALED_OVERHEAD,
  seal,
  sealedKeyVersion,
} from './envelope.ts';
import { loadOrCreateMasterKey } from './master-key.ts';
import { SecretFileError } from './secret-file.ts';

const posix = process.platform !== 'win32';

function place(tenant: string, over: Partial<FieldAad> = {}): FieldAad {
  return { tenant, table: 'model_events', column: 'input', rowId: randomUUID(), ...over };
}

function ringWith(...tenants: string[]): { master: Buffer; ring: Keyring } {
  const master = randomBytes(32);
  const ring = Keyring.fromRecords(master, []);
  for (const t of tenants) ring.createDataKey(t);
  return { master, ring };
}

function openError(fn: () => unknown): DecryptErrorReason {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DecryptError);
    return (err as DecryptError).reason;
  }
  throw new Error('expected open() to throw');
}

describe('seal/open', () => {
  it('round-trips strings, buffers and empty values', () => {
    const { ring } = ringWith('acme');
    const at = place('acme');
    expect(open(ring, at, seal(ring, at, 'résumé of 📄')).toString('utf8')).toBe('résumé of 📄');
    const bytes = randomBytes(4096);
    expect(open(ring, at, seal(ring, at, bytes)).equals(bytes)).toBe(true);
    expect(open(ring, at, seal(ring, at, '')).length).toBe(0);
  });

  it('writes format | keyVersion | iv | tag | ciphertext, with a fresh IV each time', () => {
    const { ring } = ringWith('acme');
    const at = place('acme');
    const a = seal(ring, at, 'same');
    const b = seal(ring, at, 'same');
    expect(a.length).toBe(SEALED_OVERHEAD + 4);
    expect(a[0]).toBe(0xf1);
    expect(a.readUInt32BE(1)).toBe(1);
    expect(a.subarray(5, 17).equals(b.subarray(5, 17))).toBe(false);
    expect(a.subarray(SEALED_OVERHEAD).toString()).not.toBe('same');
  });

  it.each([
    ['another row', { rowId: randomUUID() }],
    ['another column', { column: 'output' }],
    ['another table', { table: 'decision_traces' }],
  ])('refuses a value moved to %s', (_name, moved) => {
    const { ring } = ringWith('acme');
    const at = place('acme');
    const sealed = seal(ring, at, 'secret');
    expect(openError(() => open(ring, { ...at, ...moved }, sealed))).toBe('auth_failed');
  });

  it('refuses a value moved to another tenant', () => {
    const { ring } = ringWith('acme', 'globex');
    const at = place('acme');
    const sealed = seal(ring, at, 'secret');
    // Same key version exists for globex, so this reaches the cipher and fails authentication.
    expect(openError(() => open(ring, { ...at, tenant: 'globex' }, sealed))).toBe('auth_failed');
    expect(openError(() => open(ring, { ...at, tenant: 'initech' }, sealed))).toBe('unknown_key');
  });

  it('length-prefixes AAD fields so they cannot be shifted into each other', () => {
    const { ring } = ringWith('acme');
    const at = place('acme', { table: 'ab', column: 'c' });
    const sealed = seal(ring, at, 'secret');
    expect(openError(() => open(ring, { ...at, table: 'a', column: 'bc' }, sealed))).toBe('auth_failed');
  });

  it('detects a flipped bit anywhere in the ciphertext, tag or IV', () => {
    const { ring } = ringWith('acme');
    const at = place('acme');
    const sealed = seal(ring, at, 'a value long enough to flip');
    for (let i = 5; i < sealed.length; i++) {
      const bad = Buffer.from(sealed);
      bad[i] = (bad[i] as number) ^ 0x01;
      expect(openError(() => open(ring, at, bad))).toBe('auth_failed');
    }
  });

  it('treats a changed key version as unknown, and junk as malformed', () => {
    const { ring } = ringWith('acme');
    const at = place('acme');
    const sealed = seal(ring, at, 'x');
    const otherVersion = Buffer.from(sealed);
    otherVersion.writeUInt32BE(7, 1);
    expect(openError(() => open(ring, at, otherVersion))).toBe('unknown_key');
    expect(openError(() => open(ring, at, sealed.subarray(0, SEALED_OVERHEAD - 1)))).toBe('malformed');
    const wrongFormat = Buffer.from(sealed);
    wrongFormat[0] = 0x00;
    expect(openError(() => open(ring, at, wrongFormat))).toBe('malformed');
  });

  it('opens bytes handed back as a plain Uint8Array (PGlite bytea)', () => {
    const { ring } = ringWith('acme');
    const at = place('acme');
    const sealed = seal(ring, at, 'from pglite');
    const u8 = new Uint8Array(sealed.length + 3).subarray(3);
    u8.set(sealed);
    expect(open(ring, at, u8).toString()).toBe('from pglite');
  });

  it('refuses to seal for a tenant without a data key', () => {
    const { ring } = ringWith('acme');
    expect(() => seal(ring, place('nobody'), 'x')).toThrow(KeyringError);
  });
});

describe('Keyring', () => {
  it('rotation seals with the new version and still opens old values', () => {
    const { ring } = ringWith('acme');
    const at = place('acme');
    const old = seal(ring, at, 'old');
    const rec = ring.createDataKey('acme');
    expect(rec).toMatchObject({ tenant_id: 'acme', version: 2, primary: true });
    const fresh = seal(ring, at, 'new');
    expect(sealedKeyVersion(old)).toBe(1);
    expect(sealedKeyVersion(fresh)).toBe(2);
    expect(open(ring, at, old).toString()).toBe('old');
    expect(open(ring, at, fresh).toString()).toBe('new');
    expect(ring.records('acme').map((r) => [r.version, r.primary])).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it('round-trips through records() and fromRecords()', () => {
    const { master, ring } = ringWith('acme', 'globex');
    ring.createDataKey('acme');
    const at = place('globex');
    const sealed = seal(ring, at, 'persisted');
    const records = ring.records();
    expect(records.every((r) => r.wrapped_key.length === 1 + 12 + 16 + 32 && r.wrapped_key[0] === 1)).toBe(true);
    const reloaded = Keyring.fromRecords(
      master,
      records.map((r) => ({ ...r, wrapped_key: new Uint8Array(r.wrapped_key) })),
    );
    expect(open(reloaded, at, sealed).toString()).toBe('persisted');
    expect(reloaded.primaryVersion('acme')).toBe(2);
    expect(reloaded.records()).toEqual(records);
  });

  it('refuses records under the wrong master key, or moved between tenants/versions', () => {
    const { master, ring } = ringWith('acme', 'globex');
    const [acme, globex] = ring.records() as [DataKeyRecord, DataKeyRecord];
    expect(() => Keyring.fromRecords(randomBytes(32), [acme])).toThrow(/does not unwrap/);
    // The wrap's AAD binds tenant and version: swapped or renumbered rows do not load.
    expect(() =>
      Keyring.fromRecords(master, [
        { ...acme, wrapped_key: globex.wrapped_key },
        { ...globex, wrapped_key: acme.wrapped_key },
      ]),
    ).toThrow(KeyringError);
    expect(() => Keyring.fromRecords(master, [{ ...acme, version: 2 }])).toThrow(KeyringError);
    const flipped = Buffer.from(acme.wrapped_key);
    flipped[20] = (flipped[20] as number) ^ 1;
    expect(() => Keyring.fromRecords(master, [{ ...acme, wrapped_key: flipped }])).toThrow(KeyringError);
  });

  it('refuses two primaries for one tenant, and duplicate versions', () => {
    const m = randomBytes(32);
    const r = Keyring.fromRecords(m, []);
    r.createDataKey('acme');
    r.createDataKey('acme');
    const recs = r.records().map((x) => ({ ...x, primary: true }));
    expect(() => Keyring.fromRecords(m, recs)).toThrow(/two primary/);
    const one = r.records()[0];
    if (!one) throw new Error('setup');
    expect(() => Keyring.fromRecords(m, [one, one])).toThrow(/duplicate/);
  });

  it('destroy() crypto-shreds every version, and the tombstones survive a reload', () => {
    const { master, ring } = ringWith('acme', 'globex');
    const at1 = place('acme');
    const v1 = seal(ring, at1, 'erase me');
    ring.createDataKey('acme');
    const v2 = seal(ring, at1, 'erase me too');
    const other = place('globex');
    const kept = seal(ring, other, 'keep me');

    const tombstones = ring.destroy('acme', new Date('2025-06-01T00:00:00Z'));
    expect(tombstones).toHaveLength(2);
    expect(tombstones.every((t) => t.wrapped_key.length === 0 && t.destroyed_at instanceof Date && !t.primary)).toBe(true);
    expect(openError(() => open(ring, at1, v1))).toBe('key_destroyed');
    expect(openError(() => open(ring, at1, v2))).toBe('key_destroyed');
    expect(() => seal(ring, at1, 'x')).toThrow(KeyringError);
    expect(open(ring, other, kept).toString()).toBe('keep me');

    const reloaded = Keyring.fromRecords(master, ring.records());
    expect(openError(() => open(reloaded, at1, v1))).toBe('key_destroyed');
    expect(open(reloaded, other, kept).toString()).toBe('keep me');

    // A tenant re-created after erasure gets a new version; old values stay shredded.
    expect(reloaded.createDataKey('acme').version).toBe(3);
    expect(openError(() => open(reloaded, at1, v2))).toBe('key_destroyed');
  });

  it('rewrap() moves data keys to a new master key', () => {
    const { master, ring } = ringWith('acme');
    const at = place('acme');
    const sealed = seal(ring, at, 'survives master rotation');
    const newMaster = randomBytes(32);
    const next = ring.rewrap(newMaster);
    const reloaded = Keyring.fromRecords(newMaster, next.records());
    expect(open(reloaded, at, sealed).toString()).toBe('survives master rotation');
    expect(() => Keyring.fromRecords(master, next.records())).toThrow(KeyringError);
  });

  it('rejects a master key of the wrong size', () => {
    expect(() => Keyring.fromRecords(randomBytes(16), [])).toThrow(/32 bytes/);
  });
});

describe('loadOrCreateMasterKey', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fmo-master-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prefers FMO_MASTER_KEY in hex or base64 and touches no file', async () => {
    const key = randomBytes(32);
    const file = join(dir, 'master.key');
    expect(await loadOrCreateMasterKey({ env: key.toString('hex'), file })).toEqual({ key, source: 'env', created: false });
    expect((await loadOrCreateMasterKey({ env: ` ${key.toString('base64')}\n`, file })).key.equals(key)).toBe(true);
    await expect(stat(file)).rejects.toThrow();
  });

  it('rejects an env key of the wrong length with a hint', async () => {
    await expect(loadOrCreateMasterKey({ env: randomBytes(16).toString('hex'), file: join(dir, 'k') })).rejects.toThrow(
      /32 bytes/,
    );
    await expect(loadOrCreateMasterKey({ env: 'not a key!', file: join(dir, 'k') })).rejects.toThrow(KeyringError);
  });

  it('creates a 0600 key file once and reads the same key afterwards', async () => {
    const file = join(dir, 'data', 'master.key');
    const first = await loadOrCreateMasterKey({ file });
    expect(first.created).toBe(true);
    expect(first.key.length).toBe(32);
    if (posix) expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64').equals(first.key)).toBe(true);
    const again = await loadOrCreateMasterKey({ env: '', file });
    expect(again).toEqual({ key: first.key, source: 'file', created: false });
  });

  it.runIf(posix)('refuses a group/world-readable key file', async () => {
    const file = join(dir, 'master.key');
    await writeFile(file, randomBytes(32));
    await chmod(file, 0o644);
    await expect(loadOrCreateMasterKey({ file })).rejects.toThrow(SecretFileError);
    await expect(loadOrCreateMasterKey({ file })).rejects.toThrow(/mode 0644/);
  });

  it('accepts a raw 32-byte key file and rejects a truncated one', async () => {
    const raw = randomBytes(32);
    const file = join(dir, 'raw.key');
    await writeFile(file, raw, { mode: 0o600 });
    expect((await loadOrCreateMasterKey({ file })).key.equals(raw)).toBe(true);
    const short = join(dir, 'short.key');
    await writeFile(short, randomBytes(20).toString('base64'), { mode: 0o600 });
    await expect(loadOrCreateMasterKey({ file: short })).rejects.toThrow(/32 bytes/);
  });
});
