import type { KeyObject } from 'node:crypto';
import { type AuditEntry, type ChainHead, entryShapeProblem, GENESIS_HASH, hashEntry } from './audit-chain.ts';
import { type Checkpoint, CheckpointError, parseCheckpointBody, type VerifierKey, verifyCheckpoint } from './checkpoint.ts';
import { merkleRoot } from './merkle.ts';

/**
 * `frostbyte audit verify` without the database: given one tenant's audit rows
 * (ordered by seq) and its signed checkpoints, say whether the log is intact, or
 * name the first bad row and why.
 *
 * What is checked, and which tampering it catches:
 * - every entry's hash is recomputed from its content       → edited field
 * - seq runs epoch+1, epoch+2, … without gaps or repeats     → deleted row, swapped rows, duplicate
 * - prev_hash equals the previous entry's hash               → forged insert (hash recomputed, link not)
 * - every checkpoint's signature verifies                    → edited checkpoint
 * - every checkpoint's head hash equals the entry at its size → rewritten history (links recomputed too)
 * - the newest checkpoint's size ≤ the last seq present      → truncated tail
 * - a start after seq 1 is vouched for by a signed epoch     → rows dropped from the head
 *
 * Limit (inherent to any hash chain): entries appended after the newest
 * checkpoint are attested by nothing but the chain itself; `unattested` reports
 * how many, so checkpoint often (the writer signs one per flush).
 */

export type ChainFailureReason =
  | 'malformed' // a row that cannot be an audit entry (wrong types, bad ts, …)
  | 'tenant_mismatch' // a row or checkpoint of another tenant
  | 'missing_entry' // a seq is absent (deleted row, or head rows dropped without an epoch)
  | 'out_of_order' // rows not in seq order
  | 'duplicate_seq' // two rows claim one seq
  | 'hash_mismatch' // content does not hash to the stored hash
  | 'broken_link' // prev_hash is not the previous entry's hash
  | 'checkpoint_mismatch' // a signed checkpoint names another hash for this seq
  | 'checkpoint_malformed' // a checkpoint note cannot be parsed
  | 'checkpoint_signature' // a checkpoint is not validly signed by the given key
  | 'truncated' // a signed checkpoint covers entries that are not there
  | 'epoch_unattested'; // the given epoch is not in any validly signed checkpoint

export interface ChainFailure {
  /** The first seq that is wrong (for checkpoint problems: the size it claims, 0 if unreadable). */
  seq: number;
  reason: ChainFailureReason;
  /** Human-readable; names no content, only positions and hashes. */
  detail: string;
}

export type VerifyChainResult =
  | {
      ok: true;
      /** Entries verified. */
      entries: number;
      /** Checkpoints whose signature verified. */
      checkpoints: number;
      /** Last verified entry (or the epoch when no entry is kept); null for an empty log. */
      head: ChainHead | null;
      /** Entries after the newest checkpoint: intact as a chain, not yet signed. */
      unattested: number;
    }
  | { ok: false; firstBad: ChainFailure };

export interface VerifyChainInput {
  /** One tenant's rows, ordered by seq. */
  entries: readonly AuditEntry[];
  /** Signed checkpoint notes of that tenant, any order. */
  checkpoints: readonly string[];
  /** Ed25519 public key (KeyObject, SPKI PEM, `VerifierKey` or its `name+id+base64` form). */
  publicKey: KeyObject | VerifierKey | string;
  /** Where the kept suffix starts after pruning; must be vouched for by a signed checkpoint. */
  epoch?: ChainHead;
  /** Expected tenant; defaults to the first entry's (or first checkpoint's) tenant. */
  tenant?: string;
  /** Expected checkpoint origin; unchecked when omitted. */
  origin?: string;
}

export function verifyChain(input: VerifyChainInput): VerifyChainResult {
  // Failures are collected and the one with the lowest seq wins, so the report
  // names the first bad row even when a checkpoint problem was noticed earlier.
  const failures: { f: ChainFailure; order: number }[] = [];
  const fail = (seq: number, reason: ChainFailureReason, detail: string, order: number): void => {
    failures.push({ f: { seq, reason, detail }, order });
  };

  // 1. Checkpoints: only validly signed ones anchor anything.
  const verified: Checkpoint[] = [];
  input.checkpoints.forEach((note, i) => {
    try {
      verified.push(verifyCheckpoint(input.publicKey, note));
    } catch (err) {
      if (!(err instanceof CheckpointError)) throw err;
      const reason = err.reason === 'malformed' ? 'checkpoint_malformed' : 'checkpoint_signature';
      fail(claimedSize(note), reason, `checkpoint #${i}: ${err.message}`, 1);
    }
  });
  const tenant = input.tenant ?? input.entries[0]?.tenant_id ?? verified[0]?.tenant;
  const anchors: Checkpoint[] = [];
  for (const cp of verified) {
    if (cp.tenant !== tenant) {
      fail(cp.size, 'tenant_mismatch', `checkpoint at size ${cp.size} is for another tenant`, 1);
    } else if (input.origin !== undefined && cp.origin !== input.origin) {
      fail(cp.size, 'checkpoint_malformed', `checkpoint at size ${cp.size} has origin "${cp.origin}", expected "${input.origin}"`, 1);
    } else {
      anchors.push(cp);
    }
  }

  // 2. Where the chain starts: genesis, or an epoch some signed checkpoint vouches for.
  let start: ChainHead = { seq: 0, hash: GENESIS_HASH };
  const first = input.entries[0];
  const attested = (e: ChainHead): boolean =>
    anchors.some(
      (cp) => (cp.epoch?.seq === e.seq && cp.epoch.hash === e.hash) || (cp.size === e.seq && cp.hash === e.hash),
    );
  if (input.epoch) {
    if (!attested(input.epoch)) {
      fail(input.epoch.seq + 1, 'epoch_unattested', `no signed checkpoint vouches for epoch ${input.epoch.seq}`, 0);
    }
    start = input.epoch;
  } else if (first && typeof first.seq === 'number' && first.seq > 1) {
    const epoch = anchors.map((cp) => cp.epoch).find((e) => e?.seq === first.seq - 1);
    if (epoch) start = epoch;
    else {
      // No signed epoch explains why rows 1..first.seq-1 are missing.
      const known = Math.max(0, ...anchors.map((cp) => cp.epoch?.seq ?? 0).filter((s) => s < first.seq));
      fail(known + 1, 'missing_entry', `entries before seq ${first.seq} are missing and no signed epoch covers them`, 0);
    }
  }

  // 3. The rows themselves.
  const bySize = new Map<number, Checkpoint[]>();
  for (const cp of anchors) bySize.set(cp.size, [...(bySize.get(cp.size) ?? []), cp]);
  const epochAt = new Map<number, string>();
  for (const cp of anchors) if (cp.epoch) epochAt.set(cp.epoch.seq, cp.epoch.hash);
  const present = new Set(input.entries.map((e) => e?.seq));

  let prev = start;
  let count = 0;
  const entries = input.entries.filter((e) => !(input.epoch && typeof e?.seq === 'number' && e.seq <= start.seq));
  for (const entry of entries) {
    const seq = prev.seq + 1;
    const bad = checkEntry(entry, seq, prev, tenant, present);
    if (bad) {
      fail(bad.seq, bad.reason, bad.detail, 0);
      break;
    }
    const cpBad = (bySize.get(seq) ?? []).find((cp) => cp.hash !== entry.hash);
    if (cpBad) {
      fail(seq, 'checkpoint_mismatch', `signed checkpoint at size ${seq} names hash ${cpBad.hash}, entry has ${entry.hash}`, 0);
      break;
    }
    const epochHash = epochAt.get(seq);
    if (epochHash !== undefined && epochHash !== entry.hash) {
      fail(seq, 'checkpoint_mismatch', `signed epoch at seq ${seq} names hash ${epochHash}, entry has ${entry.hash}`, 0);
      break;
    }
    prev = { seq, hash: entry.hash };
    count++;
  }

  // 4. The tail: nothing a signed checkpoint covers may be missing.
  const newest = Math.max(0, ...anchors.map((cp) => cp.size));
  if (failures.every((x) => x.order !== 0) && newest > prev.seq) {
    fail(prev.seq + 1, 'truncated', `signed checkpoint covers ${newest} entries, log ends at ${prev.seq}`, 0);
  }

  if (failures.length > 0) {
    failures.sort((a, b) => a.f.seq - b.f.seq || a.order - b.order);
    return { ok: false, firstBad: (failures[0] as { f: ChainFailure }).f };
  }
  return {
    ok: true,
    entries: count,
    checkpoints: anchors.length,
    head: prev.seq === 0 ? null : prev,
    unattested: Math.max(0, prev.seq - newest),
  };
}

/** True when the entry's `batch_root` is the Merkle root of these event digests (in batch order). */
export function verifyBatch(entry: Pick<AuditEntry, 'batch_root'>, eventDigests: readonly Uint8Array[]): boolean {
  return typeof entry.batch_root === 'string' && eventDigests.length > 0 && merkleRoot(eventDigests) === entry.batch_root;
}

function checkEntry(
  entry: AuditEntry,
  seq: number,
  prev: ChainHead,
  tenant: string | undefined,
  present: ReadonlySet<unknown>,
): ChainFailure | undefined {
  if (typeof entry !== 'object' || entry === null) return { seq, reason: 'malformed', detail: 'row is not an object' };
  const shape = entryShapeProblem(entry);
  if (shape) return { seq, reason: 'malformed', detail: `row at seq ${seq}: ${shape}` };
  if (typeof entry.hash !== 'string') return { seq, reason: 'malformed', detail: `row at seq ${seq}: hash missing` };
  if (entry.tenant_id !== tenant) return { seq, reason: 'tenant_mismatch', detail: `row at seq ${seq} belongs to another tenant` };
  if (entry.seq !== seq) {
    if (entry.seq < seq) {
      return entry.seq === prev.seq
        ? { seq: entry.seq, reason: 'duplicate_seq', detail: `seq ${entry.seq} appears twice` }
        : { seq, reason: 'out_of_order', detail: `expected seq ${seq}, found ${entry.seq}` };
    }
    return present.has(seq)
      ? { seq, reason: 'out_of_order', detail: `expected seq ${seq}, found ${entry.seq}; rows are not in seq order` }
      : { seq, reason: 'missing_entry', detail: `seq ${seq} is missing (next present is ${entry.seq})` };
  }
  const recomputed = hashEntry(entry);
  if (recomputed !== entry.hash) {
    return { seq, reason: 'hash_mismatch', detail: `content of seq ${seq} hashes to ${recomputed}, row says ${entry.hash}` };
  }
  if (entry.prev_hash !== prev.hash) {
    return { seq, reason: 'broken_link', detail: `seq ${seq} links to ${entry.prev_hash}, previous entry is ${prev.hash}` };
  }
  return undefined;
}

/** The size a checkpoint claims, for reporting a bad one; 0 when even that is unreadable. */
function claimedSize(note: string): number {
  if (typeof note !== 'string') return 0;
  const split = note.lastIndexOf('\n\n');
  try {
    return parseCheckpointBody(split < 0 ? note : note.slice(0, split + 1)).size;
  } catch {
    const size = Number(note.split('\n')[2]);
    return Number.isSafeInteger(size) && size >= 0 ? size : 0;
  }
}
