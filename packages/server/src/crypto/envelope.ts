import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';

/**
 * Field-level envelope encryption (DESIGN §5 "Encryption at rest").
 *
 *   master key (32 B, env or 0600 file)
 *     └─ wraps, per tenant and key version, a data key (AES-256-GCM key wrap)
 *          └─ seals one column value of one row (AES-256-GCM, AAD binds the place)
 *
 * Invariants:
 * - A sealed value opens only at the place it was sealed for: the AAD covers
 *   tenant, table, column, row id and key version, each length-prefixed so no two
 *   different places serialise to the same bytes ("ab"+"c" ≠ "a"+"bc").
 * - A wrapped data key unwraps only for its own tenant and version (they are the
 *   wrap's AAD), so swapping `encryption_keys` rows between tenants fails loudly.
 * - Rotation never makes old rows unreadable: old versions stay in the keyring for
 *   opening, only the primary version seals.
 * - `destroy(tenant)` forgets every version's key material; what remains are
 *   tombstones, so opening an old value says `key_destroyed`, not `unknown_key`.
 *
 * No I/O here (the master key file: master-key.ts). Persisting `records()` is the
 * caller's job (one transaction per change: see `createDataKey`).
 */

// ─── Formats ────────────────────────────────────────────────────────────────

export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Wrapped data key: `version(1) | iv(12) | tag(16) | ct(32)`. */
const WRAP_FORMAT_V1 = 0x01;
const WRAPPED_BYTES = 1 + IV_BYTES + TAG_BYTES + KEY_BYTES;

/** Sealed value: `format(1) | keyVersion(4, BE) | iv(12) | tag(16) | ciphertext`. */
export const SEALED_FORMAT_V1 = 0xf1;
export const SEALED_OVERHEAD = 1 + 4 + IV_BYTES + TAG_BYTES;

// Domain separation: a key-wrap AAD can never equal a field AAD.
const WRAP_AAD_LABEL = Buffer.from('fmo/dek-wrap/v1', 'utf8');
const FIELD_AAD_LABEL = Buffer.from('fmo/field/v1', 'utf8');

const MAX_KEY_VERSION = 0xffff_ffff;

// ─── Types ──────────────────────────────────────────────────────────────────

/** One row of `encryption_keys`. */
export interface DataKeyRecord {
  tenant_id: string;
  version: number;
  /** `version(1)|iv(12)|tag(16)|ct(32)`; empty once destroyed. */
  wrapped_key: Buffer;
  primary: boolean;
  destroyed_at?: Date | null;
}

/** A stored row as read back: PGlite returns `bytea` as a plain Uint8Array. */
export type DataKeyRecordInput = Omit<DataKeyRecord, 'wrapped_key'> & { wrapped_key: Uint8Array };

/** Where a value lives; all four (plus the key version) are authenticated. */
export interface FieldAad {
  tenant: string;
  table: string;
  column: string;
  rowId: string;
}

export type DecryptErrorReason = 'key_destroyed' | 'unknown_key' | 'auth_failed' | 'malformed';

/** Opening failed. `reason` says why; the message never contains plaintext or key bytes. */
export class DecryptError extends Error {
  override readonly name = 'DecryptError';
  constructor(
    readonly reason: DecryptErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/** The keyring or its records are unusable (wrong master key, inconsistent rows, no key). */
export class KeyringError extends Error {
  override readonly name = 'KeyringError';
}

// ─── Keyring ────────────────────────────────────────────────────────────────

interface TenantKeys {
  /** version → data key; absent once destroyed. */
  keys: Map<number, { key: KeyObject; wrapped: Buffer }>;
  primary: number | undefined;
  /** Destroyed versions with when; kept so `open` can say `key_destroyed`. */
  destroyed: Map<number, Date>;
}

type Lookup =
  | { ok: true; key: KeyObject }
  | { ok: false; reason: 'key_destroyed' | 'unknown_key' };

// Filled by Keyring's static block: lets seal/open reach key material that the
// class otherwise keeps private (no getter for raw keys exists on the public API).
let lookupKey: (ring: Keyring, tenant: string, version: number) => Lookup;
let primaryKey: (ring: Keyring, tenant: string) => { version: number; key: KeyObject } | undefined;

export class Keyring {
  readonly #master: KeyObject;
  readonly #tenants = new Map<string, TenantKeys>();

  static {
    lookupKey = (ring, tenant, version) => ring.#lookup(tenant, version);
    primaryKey = (ring, tenant) => {
      const t = ring.#tenants.get(tenant);
      if (!t || t.primary === undefined) return undefined;
      const entry = t.keys.get(t.primary);
      return entry ? { version: t.primary, key: entry.key } : undefined;
    };
  }

  private constructor(master: Buffer) {
    if (!Buffer.isBuffer(master) || master.length !== KEY_BYTES) {
      throw new KeyringError(`master key must be ${KEY_BYTES} bytes`);
    }
    this.#master = createSecretKey(Buffer.from(master));
  }

  /**
   * Rebuild the keyring from stored rows. Throws `KeyringError` when a row does not
   * unwrap with this master key (wrong `FMO_MASTER_KEY`, or a row moved between
   * tenants/versions) or when a tenant has more than one primary.
   */
  static fromRecords(master: Buffer, records: readonly DataKeyRecordInput[]): Keyring {
    const ring = new Keyring(master);
    for (const r of records) {
      checkTenant(r.tenant_id);
      checkVersion(r.version);
      const t = ring.#tenant(r.tenant_id);
      if (t.keys.has(r.version) || t.destroyed.has(r.version)) {
        throw new KeyringError(`duplicate key record: tenant ${r.tenant_id} version ${r.version}`);
      }
      if (r.destroyed_at) {
        t.destroyed.set(r.version, r.destroyed_at);
        continue;
      }
      const key = unwrap(ring.#master, r.tenant_id, r.version, r.wrapped_key);
      t.keys.set(r.version, { key, wrapped: Buffer.from(r.wrapped_key) });
      if (r.primary) {
        if (t.primary !== undefined) {
          throw new KeyringError(
            `tenant ${r.tenant_id} has two primary data keys (versions ${t.primary} and ${r.version}); ` +
              'persist createDataKey() results in one transaction',
          );
        }
        t.primary = r.version;
      }
    }
    return ring;
  }

  /**
   * A fresh data key for `tenant`, which becomes its primary; earlier versions stay
   * for opening. Returns the new record; the previous primary's record changes to
   * `primary: false`, so persist `records(tenant)` (or both rows) in one transaction.
   * Versions are never reused, not even after `destroy`.
   */
  createDataKey(tenant: string): DataKeyRecord {
    checkTenant(tenant);
    const t = this.#tenant(tenant);
    const version = Math.max(0, ...t.keys.keys(), ...t.destroyed.keys()) + 1;
    checkVersion(version);
    const raw = randomBytes(KEY_BYTES);
    const wrapped = wrap(this.#master, tenant, version, raw);
    t.keys.set(version, { key: createSecretKey(raw), wrapped });
    raw.fill(0);
    t.primary = version;
    return { tenant_id: tenant, version, wrapped_key: Buffer.from(wrapped), primary: true, destroyed_at: null };
  }

  /**
   * Crypto-shredding: forget every data key of `tenant`. Returns the tombstone
   * records (empty `wrapped_key`, `destroyed_at` set) that must replace the stored
   * rows; erasure is only complete once the stored wrapped keys are gone too
   * (including from backups that outlive the retention promise).
   */
  destroy(tenant: string, at: Date = new Date()): DataKeyRecord[] {
    const t = this.#tenants.get(tenant);
    if (!t) return [];
    for (const version of t.keys.keys()) t.destroyed.set(version, at);
    t.keys.clear();
    t.primary = undefined;
    return this.records(tenant);
  }

  /** Every record (or one tenant's), in (tenant, version) order, ready to store. */
  records(tenant?: string): DataKeyRecord[] {
    const out: DataKeyRecord[] = [];
    const tenants = tenant === undefined ? [...this.#tenants.keys()].sort() : [tenant];
    for (const id of tenants) {
      const t = this.#tenants.get(id);
      if (!t) continue;
      const versions = [...new Set([...t.keys.keys(), ...t.destroyed.keys()])].sort((a, b) => a - b);
      for (const version of versions) {
        const live = t.keys.get(version);
        out.push(
          live
            ? { tenant_id: id, version, wrapped_key: Buffer.from(live.wrapped), primary: t.primary === version, destroyed_at: null }
            : { tenant_id: id, version, wrapped_key: Buffer.alloc(0), primary: false, destroyed_at: t.destroyed.get(version) ?? null },
        );
      }
    }
    return out;
  }

  /** The version new values are sealed with, if the tenant has a live key. */
  primaryVersion(tenant: string): number | undefined {
    return this.#tenants.get(tenant)?.primary;
  }

  /**
   * The same data keys wrapped under a new master key (master-key rotation).
   * Store the returned keyring's `records()`, then retire the old master key.
   */
  rewrap(newMaster: Buffer): Keyring {
    const next = new Keyring(newMaster);
    for (const [id, t] of this.#tenants) {
      const n = next.#tenant(id);
      n.primary = t.primary;
      for (const [version, at] of t.destroyed) n.destroyed.set(version, at);
      for (const [version, { key }] of t.keys) {
        const raw = key.export();
        n.keys.set(version, { key, wrapped: wrap(next.#master, id, version, raw) });
        raw.fill(0);
      }
    }
    return next;
  }

  #tenant(tenant: string): TenantKeys {
    let t = this.#tenants.get(tenant);
    if (!t) {
      t = { keys: new Map(), primary: undefined, destroyed: new Map() };
      this.#tenants.set(tenant, t);
    }
    return t;
  }

  #lookup(tenant: string, version: number): Lookup {
    const t = this.#tenants.get(tenant);
    const entry = t?.keys.get(version);
    if (entry) return { ok: true, key: entry.key };
    return { ok: false, reason: t?.destroyed.has(version) ? 'key_destroyed' : 'unknown_key' };
  }
}

// ─── Seal / open ────────────────────────────────────────────────────────────

/** Encrypt one column value for one row with the tenant's primary data key. */
export function seal(keyring: Keyring, aad: FieldAad, plaintext: Buffer | string): Buffer {
  const primary = primaryKey(keyring, aad.tenant);
  if (!primary) throw new KeyringError(`tenant ${aad.tenant} has no live data key; call createDataKey first`);
  const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;

  const out = Buffer.allocUnsafe(SEALED_OVERHEAD + data.length);
  out[0] = SEALED_FORMAT_V1;
  out.writeUInt32BE(primary.version, 1);
  const iv = out.subarray(5, 5 + IV_BYTES);
  randomFillIv(iv);

  const cipher = createCipheriv('aes-256-gcm', primary.key, iv);
  cipher.setAAD(fieldAad(aad, primary.version));
  const written = cipher.update(data);
  written.copy(out, SEALED_OVERHEAD);
  const tail = cipher.final(); // empty for GCM, but the API allows it
  tail.copy(out, SEALED_OVERHEAD + written.length);
  cipher.getAuthTag().copy(out, 5 + IV_BYTES);
  return out;
}

/** Decrypt a value sealed for exactly this place. Throws `DecryptError`. */
export function open(keyring: Keyring, aad: FieldAad, sealedBytes: Uint8Array): Buffer {
  if (!(sealedBytes instanceof Uint8Array)) throw new DecryptError('malformed', 'sealed value must be bytes');
  const sealed = asBuffer(sealedBytes);
  if (sealed.length < SEALED_OVERHEAD || sealed[0] !== SEALED_FORMAT_V1) {
    throw new DecryptError('malformed', 'not a sealed value (bad length or format byte)');
  }
  const version = sealed.readUInt32BE(1);
  const found = lookupKey(keyring, aad.tenant, version);
  if (!found.ok) {
    throw new DecryptError(
      found.reason,
      found.reason === 'key_destroyed'
        ? `data key version ${version} of tenant ${aad.tenant} was destroyed`
        : `tenant ${aad.tenant} has no data key version ${version}`,
    );
  }
  const iv = sealed.subarray(5, 5 + IV_BYTES);
  const tag = sealed.subarray(5 + IV_BYTES, SEALED_OVERHEAD);
  const decipher = createDecipheriv('aes-256-gcm', found.key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(fieldAad(aad, version));
  decipher.setAuthTag(tag);
  const body = decipher.update(sealed.subarray(SEALED_OVERHEAD));
  try {
    const tail = decipher.final();
    return tail.length === 0 ? body : Buffer.concat([body, tail]);
  } catch {
    body.fill(0); // unauthenticated plaintext must not escape
    throw new DecryptError('auth_failed', 'sealed value does not authenticate for this tenant/table/column/row');
  }
}

/** The key version a sealed value names (for re-encryption sweeps after rotation). */
export function sealedKeyVersion(sealedBytes: Uint8Array): number {
  const sealed = asBuffer(sealedBytes);
  if (sealed.length < SEALED_OVERHEAD || sealed[0] !== SEALED_FORMAT_V1) {
    throw new DecryptError('malformed', 'not a sealed value (bad length or format byte)');
  }
  return sealed.readUInt32BE(1);
}

// ─── Internals ──────────────────────────────────────────────────────────────

function wrap(master: KeyObject, tenant: string, version: number, raw: Buffer): Buffer {
  const out = Buffer.allocUnsafe(WRAPPED_BYTES);
  out[0] = WRAP_FORMAT_V1;
  const iv = randomBytes(IV_BYTES);
  iv.copy(out, 1);
  const cipher = createCipheriv('aes-256-gcm', master, iv);
  cipher.setAAD(wrapAad(tenant, version));
  const ct = Buffer.concat([cipher.update(raw), cipher.final()]);
  cipher.getAuthTag().copy(out, 1 + IV_BYTES);
  ct.copy(out, 1 + IV_BYTES + TAG_BYTES);
  return out;
}

function unwrap(master: KeyObject, tenant: string, version: number, wrappedBytes: Uint8Array): KeyObject {
  if (!(wrappedBytes instanceof Uint8Array)) {
    throw new KeyringError(`wrapped key for tenant ${tenant} version ${version} is not bytes`);
  }
  const wrapped = asBuffer(wrappedBytes);
  if (wrapped.length !== WRAPPED_BYTES || wrapped[0] !== WRAP_FORMAT_V1) {
    throw new KeyringError(`wrapped key for tenant ${tenant} version ${version} is malformed`);
  }
  const decipher = createDecipheriv('aes-256-gcm', master, wrapped.subarray(1, 1 + IV_BYTES), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(wrapAad(tenant, version));
  decipher.setAuthTag(wrapped.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
  try {
    const raw = Buffer.concat([decipher.update(wrapped.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
    const key = createSecretKey(raw);
    raw.fill(0);
    return key;
  } catch {
    throw new KeyringError(
      `data key for tenant ${tenant} version ${version} does not unwrap: wrong master key, ` +
        'or the record was altered or moved to another tenant/version',
    );
  }
}

function wrapAad(tenant: string, version: number): Buffer {
  return Buffer.concat([WRAP_AAD_LABEL, lengthPrefixed(tenant), u32(version)]);
}

function fieldAad(f: FieldAad, version: number): Buffer {
  // One allocation: this runs on every seal/open of the ingest hot path.
  const fields = [f.tenant, f.table, f.column, f.rowId];
  let size = FIELD_AAD_LABEL.length + 4;
  for (const field of fields) {
    if (typeof field !== 'string') throw new TypeError('AAD fields (tenant, table, column, rowId) must be strings');
    size += 4 + Buffer.byteLength(field, 'utf8');
  }
  const out = Buffer.allocUnsafe(size);
  let at = FIELD_AAD_LABEL.copy(out, 0);
  for (const field of fields) {
    const len = out.write(field, at + 4, 'utf8');
    out.writeUInt32BE(len, at);
    at += 4 + len;
  }
  out.writeUInt32BE(version, at);
  return out;
}

/** A Buffer view (no copy) of bytes that may come from PGlite as a plain Uint8Array. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function lengthPrefixed(s: string): Buffer {
  if (typeof s !== 'string') throw new TypeError('AAD fields must be strings');
  const body = Buffer.from(s, 'utf8');
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}

function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n, 0);
  return b;
}

function checkTenant(tenant: string): void {
  if (typeof tenant !== 'string' || tenant === '') throw new KeyringError('tenant id must be a non-empty string');
}

function checkVersion(version: number): void {
  if (!Number.isInteger(version) || version < 1 || version > MAX_KEY_VERSION) {
    throw new KeyringError(`key version must be an integer in 1..${MAX_KEY_VERSION}, got ${version}`);
  }
}

// Random IVs from a pooled buffer: one randomFill per 4096 seals instead of one
// syscall-sized call per seal. 96-bit random IVs are safe for ~2^32 seals per data
// key (NIST SP 800-38D); trace-crypto.ts counts them and rotates well before that.
const IV_POOL_SIZE = IV_BYTES * 4096;
let ivPool: Buffer = Buffer.alloc(0);
let ivPoolOffset = IV_POOL_SIZE;
function randomFillIv(target: Buffer): void {
  if (ivPoolOffset + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_POOL_SIZE);
    ivPoolOffset = 0;
  }
  ivPool.copy(target, 0, ivPoolOffset, ivPoolOffset + IV_BYTES);
  ivPoolOffset += IV_BYTES;
}
