import { createHash, hash } from 'node:crypto';
import { toEvent } from '../storage/event-columns.ts';
import { scoped } from '../storage/scoped.ts';
import type { SqlClient } from '../storage/sql-client.ts';
import type { AuditEntry } from './audit-chain.ts';
import { type AuditLog, eventLeafText, type LeafVersion, rowToEntry } from './audit-log.ts';
import { CheckpointError, parseVerifierKey } from './checkpoint.ts';
import { inclusionProofFromLeafHashes, verifyInclusion } from './merkle.ts';
import { verifyChain } from './verify.ts';

/**
 * The offline audit bundle (issue 15, item 4; format in docs/audit-bundle.md): one
 * tenant's audit entries, the inclusion proof of every event still stored in its
 * batch's Merkle root, the signed checkpoints and the verifier key, in one JSON file.
 * `verifyBundle` needs nothing else: no database, no data directory, no network.
 */

export const BUNDLE_FORMAT = 'fmo-audit-bundle/v1';
/** The leaf formats a bundle may carry (audit-log.ts eventLeafText); positions 1 (event
 * id) and 3 (tenant) are the same in both. */
const LEAF_TAGS = new Set<unknown>(['fmo/event-leaf/v1', 'fmo/event-leaf/v2']);

/** Past this many events the bundle carries no further proofs (and says so). */
export const DEFAULT_MAX_PROOFS = 200_000;

export interface BundleProof {
  event_id: string;
  /** The `events.batch` entry whose batch_root the path leads to. */
  entry_seq: number;
  leaf_index: number;
  tree_size: number;
  /** The exact text whose SHA-256 is the event's leaf (see docs/audit-bundle.md). */
  leaf_data: string;
  /** Sibling hashes, leaf side first (RFC 9162 §2.1.3), hex. */
  path: string[];
}

export interface AuditBundle {
  format: typeof BUNDLE_FORMAT;
  origin: string;
  tenant_id: string;
  exported_at: string;
  /** `<name>+<keyid>+<base64(0x01 ‖ Ed25519 public key)>` (Go signed-note verifier key). */
  verifier_key: string;
  /** SHA-256 (hex) of the verifier_key text: what `--key` compares with. */
  key_fingerprint: string;
  entries: AuditEntry[];
  checkpoints: string[];
  proofs: BundleProof[];
  /** Batches whose events are gone (retention) or past the proof cap: no proofs for them. */
  batches_without_proofs: number;
}

export const keyFingerprint = (verifierKey: string) => createHash('sha256').update(verifierKey, 'utf8').digest('hex');

/**
 * Builds the bundle of one tenant: first a checkpoint is signed at the chain's head, so
 * that every entry in the bundle is covered by a signature; then the entries up to that
 * head, all checkpoints up to it, and the proofs.
 */
export async function buildBundle(db: SqlClient, audit: AuditLog, tenant: string, opts: { maxProofs?: number } = {}): Promise<AuditBundle> {
  await audit.checkpointTenant(tenant);
  return scoped(db, [tenant], async (tx) => {
    const size = Number(
      (await tx.query<{ size: string | null }>('SELECT max(size) AS size FROM audit_checkpoints WHERE tenant_id = $1', [tenant])).rows[0]
        ?.size ?? 0,
    );
    const entries = (await tx.query('SELECT * FROM audit_log WHERE tenant_id = $1 AND seq <= $2 ORDER BY seq', [tenant, size])).rows.map(
      rowToEntry,
    );
    const checkpoints = (
      await tx.query<{ note: string }>('SELECT note FROM audit_checkpoints WHERE tenant_id = $1 AND size <= $2 ORDER BY size', [
        tenant,
        size,
      ])
    ).rows.map((r) => r.note);
    const batches = (
      await tx.query<{ seq: string; event_ids: string[]; leaf_hashes: string[] | null; leaf_version: LeafVersion }>(
        'SELECT seq, event_ids, leaf_hashes, leaf_version FROM audit_batches WHERE tenant_id = $1 AND seq <= $2 ORDER BY seq',
        [tenant, size],
      )
    ).rows;
    const kept = new Set(entries.map((e) => e.seq));
    const proofs: BundleProof[] = [];
    let without = 0;
    const max = opts.maxProofs ?? DEFAULT_MAX_PROOFS;
    for (const b of batches) {
      const ids = b.event_ids.map(String);
      if (!kept.has(Number(b.seq)) || proofs.length + ids.length > max) {
        without++;
        continue;
      }
      const { rows } = await tx.query('SELECT * FROM model_events WHERE tenant_id = $1 AND id = ANY($2::uuid[])', [tenant, ids]);
      const texts = new Map(rows.map((r) => [r.id as string, eventLeafText(toEvent(r), b.leaf_version)]));
      if (!ids.every((id) => texts.has(id))) {
        // A held document's batch: the other events are gone, their leaf hashes kept.
        const hashes = b.leaf_hashes;
        if (hashes?.length !== ids.length) {
          without++;
          continue;
        }
        ids.forEach((id, i) => {
          const text = texts.get(id);
          if (text === undefined) return;
          const path = inclusionProofFromLeafHashes(hashes, i);
          proofs.push({ event_id: id, entry_seq: Number(b.seq), leaf_index: i, tree_size: ids.length, leaf_data: text, path });
        });
        continue;
      }
      const leafData = ids.map((id) => texts.get(id) as string);
      const paths = allInclusionProofs(leafData.map((t) => hash('sha256', t, 'buffer')));
      ids.forEach((id, i) => {
        proofs.push({
          event_id: id,
          entry_seq: Number(b.seq),
          leaf_index: i,
          tree_size: ids.length,
          leaf_data: leafData[i] as string,
          path: paths[i] as string[],
        });
      });
    }
    const verifier_key = audit.verifierKey;
    return {
      format: BUNDLE_FORMAT,
      origin: audit.origin,
      tenant_id: tenant,
      exported_at: new Date().toISOString(),
      verifier_key,
      key_fingerprint: keyFingerprint(verifier_key),
      entries,
      checkpoints,
      proofs,
      batches_without_proofs: without,
    };
  });
}

/** Every leaf's audit path of one tree, in O(n log n) (merkle.ts's tree: unpaired last node promoted). */
function allInclusionProofs(leaves: readonly Buffer[]): string[][] {
  const levels: Buffer[][] = [leaves.map((l) => hash('sha256', Buffer.concat([Buffer.from([0]), l]), 'buffer'))];
  for (let level = levels[0] as Buffer[]; level.length > 1; ) {
    const next: Buffer[] = [];
    for (let j = 0; j < level.length; j += 2) {
      const right = level[j + 1];
      next.push(right ? hash('sha256', Buffer.concat([Buffer.from([1]), level[j] as Buffer, right]), 'buffer') : (level[j] as Buffer));
    }
    levels.push(next);
    level = next;
  }
  return leaves.map((_, index) => {
    const path: string[] = [];
    let i = index;
    for (const level of levels.slice(0, -1)) {
      const sibling = i ^ 1;
      if (sibling < level.length) path.push((level[sibling] as Buffer).toString('hex'));
      i = Math.floor(i / 2);
    }
    return path;
  });
}

// ─── Verification (no I/O) ─────────────────────────────────────────────────

export type BundlePart = 'format' | 'key' | 'entry' | 'checkpoint' | 'proof';

export interface BundleProblem {
  /** Which kind of thing broke. */
  part: BundlePart;
  /** Where: `entries[seq=12]`, `checkpoints[0]`, `proofs[3] (event …)`, `verifier_key`. */
  where: string;
  detail: string;
}

export interface BundleVerifyResult {
  ok: boolean;
  tenant_id: string | null;
  entries: number;
  checkpoints: number;
  proofs: number;
  key_fingerprint: string | null;
  problems: BundleProblem[];
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Checks a bundle (the parsed JSON) with nothing but itself and, optionally, the
 * expected key (`expectedKey`: the verifier key text or its SHA-256 fingerprint).
 * Reports every part that broke, the first bad entry of the chain first.
 */
export function verifyBundle(bundle: unknown, expectedKey?: string): BundleVerifyResult {
  const problems: BundleProblem[] = [];
  const res = (extra: Partial<BundleVerifyResult> = {}): BundleVerifyResult => ({
    ok: problems.length === 0,
    tenant_id: null,
    entries: 0,
    checkpoints: 0,
    proofs: 0,
    key_fingerprint: null,
    problems,
    ...extra,
  });
  const b = bundle as Partial<AuditBundle> | null;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) {
    problems.push({ part: 'format', where: 'bundle', detail: 'the bundle is not a JSON object' });
    return res();
  }
  if (b.format !== BUNDLE_FORMAT)
    problems.push({ part: 'format', where: 'format', detail: `expected "${BUNDLE_FORMAT}", found ${JSON.stringify(b.format)}` });
  if (typeof b.tenant_id !== 'string' || !b.tenant_id) problems.push({ part: 'format', where: 'tenant_id', detail: 'missing tenant_id' });
  if (typeof b.origin !== 'string' || !b.origin) problems.push({ part: 'format', where: 'origin', detail: 'missing origin' });
  if (!Array.isArray(b.entries)) problems.push({ part: 'format', where: 'entries', detail: 'entries must be an array' });
  if (!Array.isArray(b.checkpoints)) problems.push({ part: 'format', where: 'checkpoints', detail: 'checkpoints must be an array' });
  if (!Array.isArray(b.proofs)) problems.push({ part: 'format', where: 'proofs', detail: 'proofs must be an array' });
  if (problems.length) return res();
  const tenant = b.tenant_id as string;
  const entries = b.entries as AuditEntry[];
  const checkpoints = b.checkpoints as string[];
  const proofs = b.proofs as BundleProof[];

  // 1. The key: it parses, its fingerprint is the one written, and (if given) the one expected.
  const vkey = typeof b.verifier_key === 'string' ? b.verifier_key : '';
  const fingerprint = keyFingerprint(vkey);
  let keyOk = true;
  try {
    parseVerifierKey(vkey);
  } catch (e) {
    keyOk = false;
    problems.push({
      part: 'key',
      where: 'verifier_key',
      detail: `not a valid verifier key: ${e instanceof CheckpointError ? e.message : String(e)}`,
    });
  }
  if (keyOk && b.key_fingerprint !== fingerprint) {
    problems.push({
      part: 'key',
      where: 'key_fingerprint',
      detail: `the verifier key's SHA-256 is ${fingerprint}, the bundle says ${String(b.key_fingerprint)}`,
    });
  }
  if (expectedKey !== undefined) {
    const want = expectedKey.trim();
    const match = want === vkey || want.toLowerCase() === fingerprint;
    if (!match) {
      problems.push({
        part: 'key',
        where: 'verifier_key',
        detail: `the bundle is signed by key ${fingerprint}, not the expected ${HEX64.test(want.toLowerCase()) ? want.toLowerCase() : keyFingerprint(want)}`,
      });
    }
  }
  if (!keyOk) return res({ tenant_id: tenant, key_fingerprint: fingerprint });

  // 2. The chain and its signed checkpoints.
  const chain = verifyChain({ entries, checkpoints, publicKey: vkey, tenant, origin: b.origin as string });
  if (!chain.ok) {
    const f = chain.firstBad;
    const cp = f.reason.startsWith('checkpoint') || f.reason === 'epoch_unattested';
    const m = /^checkpoint #(\d+)/.exec(f.detail);
    problems.push({
      part: cp ? 'checkpoint' : 'entry',
      where: cp ? (m ? `checkpoints[${m[1]}]` : `checkpoint at size ${f.seq}`) : `entries[seq=${f.seq}]`,
      detail: `${f.reason}: ${f.detail}`,
    });
  } else {
    if (chain.checkpoints === 0 && entries.length) {
      problems.push({
        part: 'checkpoint',
        where: 'checkpoints',
        detail: 'no checkpoint signed by the verifier key: nothing vouches for the entries',
      });
    } else if (chain.unattested > 0) {
      problems.push({
        part: 'entry',
        where: `entries[seq=${(chain.head?.seq ?? 0) - chain.unattested + 1}..${chain.head?.seq}]`,
        detail: `${chain.unattested} entries after the newest signed checkpoint: not vouched for by any signature`,
      });
    }
  }

  // 3. The proofs: each event's leaf, through its path, to the batch_root of an entry in the verified chain.
  const bySeq = new Map(entries.map((e) => [e?.seq, e]));
  proofs.forEach((p, i) => {
    const where = `proofs[${i}] (event ${typeof p?.event_id === 'string' ? p.event_id : '?'})`;
    const bad = proofProblem(p, tenant, bySeq);
    if (bad) problems.push({ part: 'proof', where, detail: bad });
  });

  return res({
    tenant_id: tenant,
    entries: entries.length,
    checkpoints: chain.ok ? chain.checkpoints : 0,
    proofs: proofs.length,
    key_fingerprint: fingerprint,
  });
}

function proofProblem(p: BundleProof, tenant: string, bySeq: Map<number, AuditEntry>): string | null {
  if (typeof p !== 'object' || p === null) return 'not an object';
  if (typeof p.leaf_data !== 'string' || !Array.isArray(p.path)) return 'leaf_data and path are required';
  let leaf: unknown;
  try {
    leaf = JSON.parse(p.leaf_data);
  } catch {
    return 'leaf_data is not JSON';
  }
  if (!Array.isArray(leaf) || !LEAF_TAGS.has(leaf[0])) return 'leaf_data is not an fmo/event-leaf/v1 or /v2 array';
  if (leaf[1] !== p.event_id) return `leaf_data names event ${String(leaf[1])}, the proof says ${p.event_id}`;
  if (leaf[3] !== tenant) return 'leaf_data belongs to another tenant';
  const entry = bySeq.get(p.entry_seq);
  if (!entry) return `entry seq ${p.entry_seq} is not in the bundle`;
  if (entry.action !== 'events.batch' || typeof entry.batch_root !== 'string')
    return `entry seq ${p.entry_seq} is not an events.batch entry`;
  if (entry.details?.count !== p.tree_size)
    return `tree_size ${p.tree_size} differs from entry seq ${p.entry_seq}'s count ${String(entry.details?.count)}`;
  const leafDigest = hash('sha256', p.leaf_data, 'buffer');
  const leafHash = hash('sha256', Buffer.concat([Buffer.from([0]), leafDigest]), 'hex');
  if (!verifyInclusion(leafHash, p.leaf_index, p.tree_size, p.path, entry.batch_root)) {
    return `the path from leaf ${p.leaf_index} of ${p.tree_size} does not lead to the batch_root of entry seq ${p.entry_seq}`;
  }
  return null;
}
