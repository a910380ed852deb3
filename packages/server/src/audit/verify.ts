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
 *
 * `verifyChain` takes the rows as an array; `ChainVerifier` takes them one page at
 * a time, for logs too long to hold in memory.
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

export interface ChainVerifierOptions {
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

export interface VerifyChainInput extends ChainVerifierOptions {
  /** One tenant's rows, ordered by seq. */
  entries: readonly AuditEntry[];
}

/** Verify a whole log held in memory. For long logs stream rows into a `ChainVerifier`. */
export function verifyChain(input: VerifyChainInput): VerifyChainResult {
  const verifier = new ChainVerifier(input);
  for (const entry of input.entries) if (!verifier.push(entry)) break;
  const result = verifier.finish();
  // With every row at hand, a "missing" seq that is actually present further on
  // was handed over out of order; say so.
  if (!result.ok && result.firstBad.reason === 'missing_entry') {
    const wanted = result.firstBad.seq;
    if (input.entries.some((e) => e?.seq === wanted)) {
      return { ok: false, firstBad: { ...result.firstBad, reason: 'out_of_order', detail: `seq ${wanted} is present but not in seq order` } };
    }
  }
  return result;
}

/**
 * Incremental verifier: `push` rows in seq order (e.g. pages of a keyset query),
 * then `finish`. Memory is O(checkpoints), not O(rows). `push` returns false once
 * a bad row was found; further rows are ignored.
 */
export class ChainVerifier {
  readonly #opts: ChainVerifierOptions;
  // Failures are collected and the one with the lowest seq wins, so the report
  // names the first bad row even when a checkpoint problem was noticed earlier.
  readonly #failures: { f: ChainFailure; rowLevel: boolean }[] = [];
  readonly #verified: Checkpoint[] = [];
  #ready = false;
  #stopped = false;
  #tenant: string | undefined;
  #start: ChainHead = { seq: 0, hash: GENESIS_HASH };
  #prev: ChainHead = this.#start;
  #count = 0;
  #anchors: Checkpoint[] = [];
  #bySize = new Map<number, Checkpoint[]>();
  #epochAt = new Map<number, string>();

  constructor(opts: ChainVerifierOptions) {
    this.#opts = opts;
    // 1. Checkpoints: only validly signed ones anchor anything.
    opts.checkpoints.forEach((note, i) => {
      try {
        this.#verified.push(verifyCheckpoint(opts.publicKey, note));
      } catch (err) {
        if (!(err instanceof CheckpointError)) throw err;
        const reason = err.reason === 'malformed' ? 'checkpoint_malformed' : 'checkpoint_signature';
        this.#fail(claimedSize(note), reason, `checkpoint #${i}: ${err.message}`, false);
      }
    });
  }

  /** Feed the next row (in seq order). Returns false once the log is known to be bad. */
  push(entry: AuditEntry): boolean {
    if (!this.#ready) this.#init(entry);
    if (this.#stopped) return false;
    // Rows at or before a given epoch are covered by its signature; skip them.
    if (this.#opts.epoch && typeof entry?.seq === 'number' && entry.seq <= this.#start.seq) return true;

    const seq = this.#prev.seq + 1;
    const bad = checkEntry(entry, seq, this.#prev, this.#tenant);
    if (bad) return this.#stop(bad);
    const cpBad = (this.#bySize.get(seq) ?? []).find((cp) => cp.hash !== entry.hash);
    if (cpBad) {
      return this.#stop({
        seq,
        reason: 'checkpoint_mismatch',
        detail: `signed checkpoint at size ${seq} names hash ${cpBad.hash}, entry has ${entry.hash}`,
      });
    }
    const epochHash = this.#epochAt.get(seq);
    if (epochHash !== undefined && epochHash !== entry.hash) {
      return this.#stop({
        seq,
        reason: 'checkpoint_mismatch',
        detail: `signed epoch at seq ${seq} names hash ${epochHash}, entry has ${entry.hash}`,
      });
    }
    this.#prev = { seq, hash: entry.hash };
    this.#count++;
    return true;
  }

  finish(): VerifyChainResult {
    if (!this.#ready) this.#init(undefined);
    // 4. The tail: nothing a signed checkpoint covers may be missing.
    const newest = Math.max(0, ...this.#anchors.map((cp) => cp.size));
    if (!this.#stopped && !this.#failures.some((x) => x.rowLevel) && newest > this.#prev.seq) {
      this.#fail(this.#prev.seq + 1, 'truncated', `signed checkpoint covers ${newest} entries, log ends at ${this.#prev.seq}`, true);
    }
    if (this.#failures.length > 0) {
      const first = [...this.#failures].sort((a, b) => a.f.seq - b.f.seq || Number(b.rowLevel) - Number(a.rowLevel))[0];
      return { ok: false, firstBad: (first as { f: ChainFailure }).f };
    }
    return {
      ok: true,
      entries: this.#count,
      checkpoints: this.#anchors.length,
      head: this.#prev.seq === 0 ? null : this.#prev,
      unattested: Math.max(0, this.#prev.seq - newest),
    };
  }

  /** Decide tenant, trusted checkpoints and the starting point once the first row is known. */
  #init(first: AuditEntry | undefined): void {
    this.#ready = true;
    const opts = this.#opts;
    this.#tenant = opts.tenant ?? first?.tenant_id ?? this.#verified[0]?.tenant;
    for (const cp of this.#verified) {
      if (cp.tenant !== this.#tenant) {
        this.#fail(cp.size, 'tenant_mismatch', `checkpoint at size ${cp.size} is for another tenant`, false);
      } else if (opts.origin !== undefined && cp.origin !== opts.origin) {
        this.#fail(cp.size, 'checkpoint_malformed', `checkpoint at size ${cp.size} has origin "${cp.origin}", expected "${opts.origin}"`, false);
      } else {
        this.#anchors.push(cp);
      }
    }
    for (const cp of this.#anchors) {
      this.#bySize.set(cp.size, [...(this.#bySize.get(cp.size) ?? []), cp]);
      if (cp.epoch) this.#epochAt.set(cp.epoch.seq, cp.epoch.hash);
    }

    // 2. Where the chain starts: genesis, or an epoch some signed checkpoint vouches for.
    if (opts.epoch) {
      const e = opts.epoch;
      const attested = this.#anchors.some(
        (cp) => (cp.epoch?.seq === e.seq && cp.epoch.hash === e.hash) || (cp.size === e.seq && cp.hash === e.hash),
      );
      if (!attested) this.#fail(e.seq + 1, 'epoch_unattested', `no signed checkpoint vouches for epoch ${e.seq}`, true);
      this.#start = e;
    } else if (first && typeof first.seq === 'number' && first.seq > 1) {
      // The newest signed epoch before the first row. If rows between it and the first
      // row are gone, the scan reports the first missing seq; with no epoch at all, seq 1.
      for (const cp of this.#anchors) {
        if (cp.epoch && cp.epoch.seq < first.seq && cp.epoch.seq > this.#start.seq) this.#start = cp.epoch;
      }
    }
    this.#prev = this.#start;
  }

  #fail(seq: number, reason: ChainFailureReason, detail: string, rowLevel: boolean): void {
    this.#failures.push({ f: { seq, reason, detail }, rowLevel });
  }

  #stop(f: ChainFailure): false {
    this.#fail(f.seq, f.reason, f.detail, true);
    this.#stopped = true;
    return false;
  }
}

/** True when the entry's `batch_root` is the Merkle root of these event digests (in batch order). */
export function verifyBatch(entry: Pick<AuditEntry, 'batch_root'>, eventDigests: readonly Uint8Array[]): boolean {
  return typeof entry.batch_root === 'string' && eventDigests.length > 0 && merkleRoot(eventDigests) === entry.batch_root;
}

function checkEntry(entry: AuditEntry, seq: number, prev: ChainHead, tenant: string | undefined): ChainFailure | undefined {
  if (typeof entry !== 'object' || entry === null) return { seq, reason: 'malformed', detail: 'row is not an object' };
  const shape = entryShapeProblem(entry);
  if (shape) return { seq, reason: 'malformed', detail: `row at seq ${seq}: ${shape}` };
  if (typeof entry.hash !== 'string') return { seq, reason: 'malformed', detail: `row at seq ${seq}: hash missing` };
  if (entry.tenant_id !== tenant) return { seq, reason: 'tenant_mismatch', detail: `row at seq ${seq} belongs to another tenant` };
  if (entry.seq > seq) return { seq, reason: 'missing_entry', detail: `seq ${seq} is missing (next present is ${entry.seq})` };
  if (entry.seq === prev.seq) return { seq: entry.seq, reason: 'duplicate_seq', detail: `seq ${entry.seq} appears twice` };
  if (entry.seq < seq) return { seq, reason: 'out_of_order', detail: `expected seq ${seq}, found ${entry.seq}` };
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
