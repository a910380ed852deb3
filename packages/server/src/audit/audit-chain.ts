import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';

/**
 * Hashing of the append-only audit log (DESIGN §5 "Audit"): one chain per tenant.
 *
 *   hash(n) = SHA-256(canonical(entry n without `hash`)),  entry n.prev_hash = hash(n-1)
 *
 * Invariants:
 * - `seq` starts at 1 and has no gaps within a tenant; the first entry's prev_hash
 *   is GENESIS_HASH, or after pruning the hash of the last pruned entry (which a
 *   signed epoch checkpoint vouches for).
 * - The hashed material is built field by field, not from whatever the row object
 *   holds, so extra columns (id, created_at) never change a hash, and a NULL
 *   `batch_root` read back from the database hashes like an absent one.
 * - `ts` must be `Date.prototype.toISOString()` output (UTC, milliseconds) so it
 *   survives a `timestamptz` round trip unchanged.
 *
 * What goes into `details` is stored forever: no PII (DESIGN §5 "PII").
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface AuditEntry {
  tenant_id: string;
  /** Per tenant, from 1, no gaps. */
  seq: number;
  /** ISO 8601 UTC with milliseconds, as `toISOString()` writes it. */
  ts: string;
  actor: string;
  action: string;
  target: string;
  details: JsonObject;
  /** Merkle root (hex) of an ingested batch's event digests, for batch entries. */
  batch_root?: string | null;
  prev_hash: string;
  hash: string;
}

export type UnhashedAuditEntry = Omit<AuditEntry, 'hash'>;

/** What the caller decides; the chain supplies seq, prev_hash and hash. */
export interface AuditFields {
  tenant_id: string;
  /** Defaults to now. The server's clock is the authority (DESIGN §3 "Time"). */
  ts?: string;
  actor: string;
  action: string;
  target: string;
  details?: JsonObject;
  batch_root?: string;
}

/** The part of the previous entry the next one depends on. */
export interface ChainHead {
  seq: number;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

const HEX_HASH = /^[0-9a-f]{64}$/;

export class AuditEntryError extends Error {
  override readonly name = 'AuditEntryError';
}

/** The entry hash: SHA-256 over the canonical JSON of the hashed fields, hex. */
export function hashEntry(entry: UnhashedAuditEntry): string {
  return createHash('sha256').update(canonicalJson(hashedMaterial(entry)), 'utf8').digest('hex');
}

/**
 * The next entry after `prev` (null: the tenant's first entry). Validates the
 * fields so that nothing is written that would later fail verification for a
 * reason unrelated to tampering.
 */
export function appendEntry(prev: ChainHead | null, fields: AuditFields): AuditEntry {
  if (prev !== null && (!Number.isSafeInteger(prev.seq) || prev.seq < 0 || !HEX_HASH.test(prev.hash))) {
    throw new AuditEntryError('previous entry must have an integer seq and a lowercase hex SHA-256 hash');
  }
  const ts = fields.ts ?? new Date().toISOString();
  const unhashed: UnhashedAuditEntry = {
    tenant_id: fields.tenant_id,
    seq: prev === null ? 1 : prev.seq + 1,
    ts,
    actor: fields.actor,
    action: fields.action,
    target: fields.target,
    details: fields.details ?? {},
    ...(fields.batch_root === undefined ? {} : { batch_root: fields.batch_root }),
    prev_hash: prev === null ? GENESIS_HASH : prev.hash,
  };
  const problem = entryShapeProblem(unhashed);
  if (problem) throw new AuditEntryError(problem);
  return { ...unhashed, hash: hashEntry(unhashed) };
}

/**
 * Why an entry cannot be a well-formed audit entry, or undefined. Used by
 * `appendEntry` before writing and by the verifier on what it reads back.
 */
export function entryShapeProblem(e: UnhashedAuditEntry): string | undefined {
  if (typeof e.tenant_id !== 'string' || e.tenant_id === '') return 'tenant_id must be a non-empty string';
  if (!Number.isSafeInteger(e.seq) || e.seq < 1) return 'seq must be an integer ≥ 1';
  if (typeof e.ts !== 'string' || !isIsoTimestamp(e.ts)) return 'ts must be an ISO timestamp as toISOString() writes it';
  for (const k of ['actor', 'action', 'target'] as const) {
    if (typeof e[k] !== 'string' || e[k] === '') return `${k} must be a non-empty string`;
  }
  if (typeof e.details !== 'object' || e.details === null || Array.isArray(e.details)) {
    return 'details must be a JSON object';
  }
  if (e.batch_root != null && (typeof e.batch_root !== 'string' || !HEX_HASH.test(e.batch_root))) {
    return 'batch_root must be a lowercase hex SHA-256';
  }
  if (typeof e.prev_hash !== 'string' || !HEX_HASH.test(e.prev_hash)) return 'prev_hash must be a lowercase hex SHA-256';
  return undefined;
}

function isIsoTimestamp(ts: string): boolean {
  const d = new Date(ts);
  return !Number.isNaN(d.getTime()) && d.toISOString() === ts;
}

function hashedMaterial(e: UnhashedAuditEntry): Record<string, unknown> {
  const material: Record<string, unknown> = {
    tenant_id: e.tenant_id,
    seq: e.seq,
    ts: e.ts,
    actor: e.actor,
    action: e.action,
    target: e.target,
    details: e.details,
    prev_hash: e.prev_hash,
  };
  if (e.batch_root != null) material.batch_root = e.batch_root;
  return material;
}
