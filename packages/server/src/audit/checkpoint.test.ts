import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CheckpointBody,
  CheckpointError,
  type CheckpointErrorReason,
  formatCheckpointBody,
  formatVerifierKey,
  generateSigningKey,
  loadOrCreateSigningKey,
  parseCheckpointBody,
  parseVerifierKey,
  signCheckpoint,
  signingKeyFromSeed,
  signNote,
  verifierKeyOf,
  verifyCheckpoint,
  verifyNote,
} from './checkpoint.ts';
import { SecretFileError } from '../crypto/secret-file.ts';

const posix = process.platform !== 'win32';

const body = (over: Partial<CheckpointBody> = {}): CheckpointBody => ({
  origin: 'frostbyte.test/audit',
  tenant: 'acme',
  size: 1042,
  hash: 'ab'.repeat(32),
  ...over,
});

function reasonOf(fn: () => unknown): CheckpointErrorReason {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CheckpointError);
    return (err as CheckpointError).reason;
  }
  throw new Error('expected a CheckpointError');
}

describe('signed notes: compatibility with golang.org/x/mod/sumdb/note', () => {
  // The example from the Go package's documentation and tests.
  const VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
  const SKEY_B64 = 'AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz'; // from PRIVATE+KEY+PeterNeumann+c74f20a3+…
  const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
  const NOTE = `${TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

  it('derives the same key id and verifier key string', () => {
    const key = signingKeyFromSeed('PeterNeumann', Buffer.from(SKEY_B64, 'base64').subarray(1));
    expect(key.keyId.toString(16)).toBe('c74f20a3');
    expect(formatVerifierKey(key)).toBe(VKEY);
  });

  it('produces the same signed note byte for byte, and verifies Go\'s', () => {
    const key = signingKeyFromSeed('PeterNeumann', Buffer.from(SKEY_B64, 'base64').subarray(1));
    expect(signNote(key, TEXT)).toBe(NOTE);
    expect(verifyNote(VKEY, NOTE)).toEqual({ text: TEXT, keyName: 'PeterNeumann' });
    expect(verifyNote(parseVerifierKey(VKEY).publicKey, NOTE).keyName).toBe('PeterNeumann');
  });

  it('rejects mangled verifier keys', () => {
    expect(() => parseVerifierKey(VKEY.replace('c74f20a3', 'c74f20a4'))).toThrow(CheckpointError);
    expect(() => parseVerifierKey(VKEY.slice(0, -2))).toThrow(CheckpointError);
    expect(() => parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toThrow(CheckpointError);
  });
});

describe('checkpoint bodies', () => {
  it('format as origin, tenant, size, base64 hash and an optional epoch line', () => {
    const hash = 'ab'.repeat(32);
    expect(formatCheckpointBody(body())).toBe(
      `frostbyte.test/audit\nacme\n1042\n${Buffer.from(hash, 'hex').toString('base64')}\n`,
    );
    const withEpoch = formatCheckpointBody(body({ epoch: { seq: 1000, hash: 'cd'.repeat(32) } }));
    expect(withEpoch.endsWith(`\nepoch 1000 ${'cd'.repeat(32)}\n`)).toBe(true);
    expect(parseCheckpointBody(withEpoch)).toEqual(body({ epoch: { seq: 1000, hash: 'cd'.repeat(32) } }));
  });

  it.each([
    ['a tenant with a newline', { tenant: 'a\nb' }],
    ['a tenant with a space', { tenant: 'a b' }],
    ['an empty origin', { origin: '' }],
    ['a negative size', { size: -1 }],
    ['an uppercase hash', { hash: 'AB'.repeat(32) }],
    ['an epoch beyond the size', { epoch: { seq: 2000, hash: 'cd'.repeat(32) } }],
  ])('refuse %s', (_name, over) => {
    expect(reasonOf(() => formatCheckpointBody(body(over)))).toBe('malformed');
  });

  it.each([
    ['a missing final newline', 'o\nt\n1\nq83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA='],
    ['a size with a leading zero', 'o\nt\n01\nq83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=\n'],
    ['a short hash', 'o\nt\n1\nq83vEjRW\n'],
    ['an extra line', 'o\nt\n1\nq83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=\nepoch 1 x\n'],
  ])('parse strictly: %s', (_name, text) => {
    expect(reasonOf(() => parseCheckpointBody(text))).toBe('malformed');
  });
});

describe('signCheckpoint / verifyCheckpoint', () => {
  it('round-trips', () => {
    const key = generateSigningKey();
    const note = signCheckpoint(key, body({ epoch: { seq: 7, hash: 'ee'.repeat(32) } }));
    expect(note).toMatch(/\n\n— frostbyte-audit [A-Za-z0-9+/]+=*\n$/);
    const cp = verifyCheckpoint(key.publicKey, note);
    expect(cp).toMatchObject({ ...body(), epoch: { seq: 7, hash: 'ee'.repeat(32) }, keyName: 'frostbyte-audit' });
    expect(verifyCheckpoint(verifierKeyOf(key), note).size).toBe(1042);
    expect(verifyCheckpoint(formatVerifierKey(key), note).size).toBe(1042);
    const pem = key.publicKey.export({ format: 'pem', type: 'spki' }) as string;
    expect(verifyCheckpoint(pem, note).size).toBe(1042);
  });

  it('detects a flipped bit in every character of the note', () => {
    const key = generateSigningKey();
    const note = signCheckpoint(key, body());
    for (let i = 0; i < note.length; i++) {
      const flipped = note.slice(0, i) + String.fromCharCode(note.charCodeAt(i) ^ 1) + note.slice(i + 1);
      expect(() => verifyCheckpoint(key.publicKey, flipped), `char ${i}`).toThrow(CheckpointError);
    }
  });

  it('detects an edited body as a bad signature', () => {
    const key = generateSigningKey();
    const note = signCheckpoint(key, body({ size: 1042 }));
    expect(reasonOf(() => verifyCheckpoint(key.publicKey, note.replace('\n1042\n', '\n1041\n')))).toBe('bad_signature');
  });

  it('rejects a note by another key, or under another name', () => {
    const key = generateSigningKey();
    const note = signCheckpoint(key, body());
    expect(reasonOf(() => verifyCheckpoint(generateSigningKey().publicKey, note))).toBe('no_signature');
    expect(reasonOf(() => verifyCheckpoint({ ...verifierKeyOf(key), name: 'other' }, note))).toBe('no_signature');
  });

  it('accepts a co-signed note when one signature is ours', () => {
    const ours = generateSigningKey('frostbyte-audit');
    const witness = generateSigningKey('witness.example');
    const note = signCheckpoint(ours, body());
    const witnessLine = signNote(witness, formatCheckpointBody(body())).split('\n\n')[1] as string;
    const cosigned = note + witnessLine;
    expect(verifyCheckpoint(ours.publicKey, cosigned).size).toBe(1042);
    expect(verifyCheckpoint(witness.publicKey, cosigned).keyName).toBe('witness.example');
  });

  it('refuses keys that are not Ed25519', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const note = signCheckpoint(generateSigningKey(), body());
    expect(reasonOf(() => verifyCheckpoint(publicKey, note))).toBe('malformed');
  });
});

describe('loadOrCreateSigningKey', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fmo-signing-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a 0600 PEM key once and loads the same key afterwards', async () => {
    const file = join(dir, 'keys', 'audit-signing.pem');
    const first = await loadOrCreateSigningKey(file);
    expect(first.created).toBe(true);
    if (posix) expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const again = await loadOrCreateSigningKey(file);
    expect(again.created).toBe(false);
    expect(formatVerifierKey(again.key)).toBe(formatVerifierKey(first.key));
    const note = signCheckpoint(first.key, body());
    expect(verifyCheckpoint(again.key.publicKey, note).size).toBe(1042);
  });

  it('accepts a raw, hex or base64 seed and a custom key name', async () => {
    const seed = randomBytes(32);
    const expected = formatVerifierKey(signingKeyFromSeed('fmo-prod', seed));
    for (const [name, content] of [
      ['raw', seed],
      ['hex', `${seed.toString('hex')}\n`],
      ['b64', seed.toString('base64')],
    ] as const) {
      const file = join(dir, name);
      await writeFile(file, content, { mode: 0o600 });
      const { key } = await loadOrCreateSigningKey(file, { name: 'fmo-prod' });
      expect(formatVerifierKey(key), name).toBe(expected);
    }
  });

  it.runIf(posix)('refuses a group/world-readable key file', async () => {
    const file = join(dir, 'audit-signing.pem');
    await loadOrCreateSigningKey(file);
    await chmod(file, 0o640);
    await expect(loadOrCreateSigningKey(file)).rejects.toThrow(SecretFileError);
  });

  it('says what it expected when the file holds something else', async () => {
    const file = join(dir, 'junk');
    await writeFile(file, 'hello', { mode: 0o600 });
    await expect(loadOrCreateSigningKey(file)).rejects.toThrow(/PKCS#8 PEM or a 32-byte seed/);
  });
});
