import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { readOrCreateSecretFile } from '../crypto/secret-file.ts';

/**
 * Ed25519-signed audit checkpoints in the signed-note format of Go's
 * golang.org/x/mod/sumdb/note (as used by transparency logs), so standard tooling
 * and people can read them:
 *
 *   frostbyte.local/audit          ← origin: which log
 *   acme                           ← tenant
 *   1042                           ← size: entries 1..size are covered
 *   q0mM…Zk=                       ← base64 hash of entry #size (the chain head)
 *   epoch 1000 7f3a…c1             ← optional: entries ≤ 1000 were pruned; entry 1000's hash (hex)
 *                                  ← blank line
 *   — frostbyte-audit AbCd…==      ← "— <key name> base64(keyid(4) ‖ Ed25519 sig(64))"
 *
 * The signature covers the body text exactly (every byte up to the blank line).
 * keyid = first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ raw public key), as in Go,
 * so `formatVerifierKey` output works with Go's `note.NewVerifier`.
 *
 * Invariant: a checkpoint is trusted only after `verifyCheckpoint` — parsing the
 * body alone (`parseCheckpointBody`) is for reporting, never for anchoring.
 */

export const DEFAULT_KEY_NAME = 'frostbyte-audit';

const ALG_ED25519 = 0x01;
const SIG_PREFIX = '\u2014 '; // em dash + space, as in Go's notes
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const HEX_HASH = /^[0-9a-f]{64}$/;
const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;

export interface SigningKey {
  name: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: number;
}

export interface VerifierKey {
  name: string;
  publicKey: KeyObject;
  keyId: number;
}

export interface CheckpointBody {
  /** Which log, e.g. `frostbyte.example/audit`. */
  origin: string;
  tenant: string;
  /** Number of entries covered (= seq of the head entry; 0 for an empty log). */
  size: number;
  /** Hash of entry #size, lowercase hex (GENESIS_HASH when size is 0). */
  hash: string;
  /** Present after pruning: the last pruned entry, whose hash the first kept entry links to. */
  epoch?: { seq: number; hash: string };
}

export interface Checkpoint extends CheckpointBody {
  /** Name of the key whose signature verified. */
  keyName: string;
  /** The signed body text, byte for byte. */
  text: string;
}

export type CheckpointErrorReason = 'malformed' | 'no_signature' | 'bad_signature';

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  constructor(
    readonly reason: CheckpointErrorReason,
    message: string,
  ) {
    super(message);
  }
}

// ─── Keys ───────────────────────────────────────────────────────────────────

export function generateSigningKey(name: string = DEFAULT_KEY_NAME): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return signingKeyFrom(name, privateKey, publicKey);
}

/** A signing key from a raw 32-byte Ed25519 seed (e.g. from a secrets manager). */
export function signingKeyFromSeed(name: string, seed: Uint8Array): SigningKey {
  if (seed.length !== 32) throw new CheckpointError('malformed', 'an Ed25519 seed is 32 bytes');
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  return signingKeyFrom(name, privateKey, createPublicKey(privateKey));
}

/**
 * Read the signing key from `file` (PKCS#8 PEM, or a raw 32-byte seed as bytes,
 * hex or base64), or create it as PEM with mode 0600. A file that group/others can
 * read is refused.
 */
export async function loadOrCreateSigningKey(
  file: string,
  opts: { name?: string } = {},
): Promise<{ key: SigningKey; created: boolean }> {
  const name = opts.name ?? DEFAULT_KEY_NAME;
  const { data, created } = await readOrCreateSecretFile(file, () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    return Buffer.from(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, 'utf8');
  });
  const privateKey = parsePrivateKey(data, file);
  return { key: signingKeyFrom(name, privateKey, createPublicKey(privateKey)), created };
}

/** The public half to hand to verifiers (and to `frostbyte audit verify`). */
export function verifierKeyOf(key: SigningKey): VerifierKey {
  return { name: key.name, publicKey: key.publicKey, keyId: key.keyId };
}

/** Go note verifier-key string: `<name>+<keyid hex8>+<base64(0x01 ‖ pubkey)>`. */
export function formatVerifierKey(key: SigningKey | VerifierKey): string {
  const raw = Buffer.concat([Buffer.from([ALG_ED25519]), rawPublicKey(key.publicKey)]);
  return `${key.name}+${key.keyId.toString(16).padStart(8, '0')}+${raw.toString('base64')}`;
}

export function parseVerifierKey(vkey: string): VerifierKey {
  const parts = vkey.trim().split('+');
  // base64 may itself contain '+', so the name and id are the first two fields.
  const [name, id, ...rest] = parts;
  const b64 = rest.join('+');
  if (!name || !id || !/^[0-9a-f]{8}$/.test(id) || !validKeyName(name)) {
    throw new CheckpointError('malformed', 'verifier key must look like <name>+<8 hex>+<base64>');
  }
  const raw = Buffer.from(b64, 'base64');
  if (raw.length !== 33 || raw[0] !== ALG_ED25519 || raw.toString('base64') !== b64) {
    throw new CheckpointError('malformed', 'verifier key does not hold an Ed25519 public key');
  }
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw.subarray(1)]), format: 'der', type: 'spki' });
  const keyId = computeKeyId(name, publicKey);
  if (keyId !== Number.parseInt(id, 16)) throw new CheckpointError('malformed', 'verifier key id does not match its key');
  return { name, publicKey, keyId };
}

// ─── Bodies ─────────────────────────────────────────────────────────────────

export function formatCheckpointBody(body: CheckpointBody): string {
  const problem = bodyProblem(body);
  if (problem) throw new CheckpointError('malformed', problem);
  let text = `${body.origin}\n${body.tenant}\n${body.size}\n${Buffer.from(body.hash, 'hex').toString('base64')}\n`;
  if (body.epoch) text += `epoch ${body.epoch.seq} ${body.epoch.hash}\n`;
  return text;
}

/** Parse body text strictly: exactly the lines above, canonical encodings only. */
export function parseCheckpointBody(text: string): CheckpointBody {
  if (!text.endsWith('\n')) throw new CheckpointError('malformed', 'checkpoint body must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length !== 4 && lines.length !== 5) {
    throw new CheckpointError('malformed', `checkpoint body must have 4 or 5 lines, has ${lines.length}`);
  }
  const [origin, tenant, sizeText, hashB64, epochLine] = lines as [string, string, string, string, string?];
  if (!DECIMAL.test(sizeText)) throw new CheckpointError('malformed', 'checkpoint size is not a decimal integer');
  const hashBytes = Buffer.from(hashB64, 'base64');
  if (hashBytes.length !== 32 || hashBytes.toString('base64') !== hashB64) {
    throw new CheckpointError('malformed', 'checkpoint hash is not base64 of 32 bytes');
  }
  const body: CheckpointBody = { origin, tenant, size: Number(sizeText), hash: hashBytes.toString('hex') };
  if (epochLine !== undefined) {
    const m = /^epoch (0|[1-9][0-9]{0,15}) ([0-9a-f]{64})$/.exec(epochLine);
    if (!m) throw new CheckpointError('malformed', 'epoch line must be "epoch <seq> <hex hash>"');
    body.epoch = { seq: Number(m[1]), hash: m[2] as string };
  }
  const problem = bodyProblem(body);
  if (problem) throw new CheckpointError('malformed', problem);
  return body;
}

// ─── Sign / verify ──────────────────────────────────────────────────────────

/** The signed checkpoint note: body, blank line, one signature line. */
export function signCheckpoint(key: SigningKey, body: CheckpointBody | string): string {
  const text = typeof body === 'string' ? formatCheckpointBody(parseCheckpointBody(body)) : formatCheckpointBody(body);
  if (typeof body === 'string' && text !== body) throw new CheckpointError('malformed', 'checkpoint body is not canonical');
  return signNote(key, text);
}

/**
 * Verify `note` against `key` and return its parsed body. A bare public key
 * (KeyObject or SPKI PEM) accepts a signature line under any name whose key id
 * matches; a `VerifierKey` (or its string form) also requires the name. Throws
 * `CheckpointError`: `malformed`, `no_signature` (none by this key), `bad_signature`.
 */
export function verifyCheckpoint(key: KeyObject | VerifierKey | string, note: string): Checkpoint {
  const { text, keyName } = verifyNote(key, note);
  // Parse only what the signature covers.
  return { ...parseCheckpointBody(text), keyName, text };
}

/** Sign any note text (must end with a newline and contain no blank line). */
export function signNote(key: SigningKey, text: string): string {
  if (!text.endsWith('\n') || text.includes('\n\n')) {
    throw new CheckpointError('malformed', 'note text must end with a newline and contain no blank line');
  }
  const sig = sign(null, Buffer.from(text, 'utf8'), key.privateKey);
  const blob = Buffer.concat([u32(key.keyId), sig]);
  return `${text}\n${SIG_PREFIX}${key.name} ${blob.toString('base64')}\n`;
}

/** Verify a signed note's signature by `key`; returns the signed text and the signer's name. */
export function verifyNote(key: KeyObject | VerifierKey | string, note: string): { text: string; keyName: string } {
  const verifier = toVerifier(key);
  if (typeof note !== 'string') throw new CheckpointError('malformed', 'note must be text');
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new CheckpointError('malformed', 'note has no signature block');
  const text = note.slice(0, split + 1);
  const sigLines = note.slice(split + 2, -1).split('\n');

  let sawOurs = false;
  for (const line of sigLines) {
    if (!line.startsWith(SIG_PREFIX)) throw new CheckpointError('malformed', 'signature line must start with "— "');
    const [name, b64, extra] = line.slice(SIG_PREFIX.length).split(' ');
    if (!name || !b64 || extra !== undefined || !validKeyName(name)) {
      throw new CheckpointError('malformed', 'signature line must be "— <name> <base64>"');
    }
    const blob = Buffer.from(b64, 'base64');
    if (blob.length < 5 || blob.toString('base64') !== b64) throw new CheckpointError('malformed', 'signature is not base64');
    if (verifier.name !== undefined && name !== verifier.name) continue;
    if (blob.readUInt32BE(0) !== computeKeyId(name, verifier.publicKey)) continue;
    sawOurs = true;
    if (blob.length === 4 + 64 && verify(null, Buffer.from(text, 'utf8'), verifier.publicKey, blob.subarray(4))) {
      return { text, keyName: name };
    }
  }
  throw sawOurs
    ? new CheckpointError('bad_signature', 'signature does not verify: the note was altered or signed by another key')
    : new CheckpointError('no_signature', 'note carries no signature by this key');
}

// ─── Internals ──────────────────────────────────────────────────────────────

function signingKeyFrom(name: string, privateKey: KeyObject, publicKey: KeyObject): SigningKey {
  if (!validKeyName(name)) throw new CheckpointError('malformed', `key name "${name}" must be non-empty, without spaces or "+"`);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new CheckpointError('malformed', 'signing key must be Ed25519');
  return { name, privateKey, publicKey, keyId: computeKeyId(name, publicKey) };
}

function parsePrivateKey(data: Buffer, file: string): KeyObject {
  const text = data.toString('utf8').trim();
  try {
    let key: KeyObject;
    if (text.startsWith('-----BEGIN')) key = createPrivateKey({ key: text, format: 'pem' });
    else {
      const seed =
        data.length === 32
          ? data
          : /^[0-9a-fA-F]{64}$/.test(text)
            ? Buffer.from(text, 'hex')
            : Buffer.from(text, 'base64');
      if (seed.length !== 32) throw new Error('seed length');
      key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not ed25519');
    return key;
  } catch {
    throw new CheckpointError(
      'malformed',
      `signing key file ${file} must hold an Ed25519 private key as PKCS#8 PEM or a 32-byte seed (raw, hex or base64)`,
    );
  }
}

function toVerifier(key: KeyObject | VerifierKey | string): { name?: string; publicKey: KeyObject } {
  if (typeof key === 'string') {
    if (key.includes('-----BEGIN')) return { publicKey: ed25519Public(createPublicKey(key)) };
    const v = parseVerifierKey(key);
    return { name: v.name, publicKey: v.publicKey };
  }
  if ('publicKey' in key && 'name' in key) return { name: key.name, publicKey: ed25519Public(key.publicKey) };
  return { publicKey: ed25519Public(key as KeyObject) };
}

function ed25519Public(key: KeyObject): KeyObject {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  if (pub.asymmetricKeyType !== 'ed25519') throw new CheckpointError('malformed', 'checkpoint key must be Ed25519');
  return pub;
}

// Exporting a KeyObject costs ~100 µs; verifying many checkpoints with one key
// should not pay it each time.
const rawKeys = new WeakMap<KeyObject, Buffer>();
function rawPublicKey(publicKey: KeyObject): Buffer {
  let raw = rawKeys.get(publicKey);
  if (!raw) {
    const der = publicKey.export({ format: 'der', type: 'spki' });
    raw = der.subarray(der.length - 32);
    rawKeys.set(publicKey, raw);
  }
  return raw;
}

function computeKeyId(name: string, publicKey: KeyObject): number {
  const h = createHash('sha256')
    .update(`${name}\n`, 'utf8')
    .update(Buffer.from([ALG_ED25519]))
    .update(rawPublicKey(publicKey))
    .digest();
  return h.readUInt32BE(0);
}

function validKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name);
}

function bodyProblem(b: CheckpointBody): string | undefined {
  if (!singleLine(b.origin)) return 'origin must be a non-empty line without control characters';
  if (!singleLine(b.tenant) || /\s/.test(b.tenant)) return 'tenant must be non-empty without whitespace';
  if (!Number.isSafeInteger(b.size) || b.size < 0) return 'size must be a non-negative integer';
  if (typeof b.hash !== 'string' || !HEX_HASH.test(b.hash)) return 'hash must be a lowercase hex SHA-256';
  if (b.epoch) {
    if (!Number.isSafeInteger(b.epoch.seq) || b.epoch.seq < 1 || b.epoch.seq > b.size) {
      return 'epoch seq must be between 1 and size';
    }
    if (typeof b.epoch.hash !== 'string' || !HEX_HASH.test(b.epoch.hash)) return 'epoch hash must be a lowercase hex SHA-256';
  }
  return undefined;
}

function singleLine(s: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  return typeof s === 'string' && s.length > 0 && !/[\u0000-\u001f\u007f]/.test(s);
}

function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n, 0);
  return b;
}
