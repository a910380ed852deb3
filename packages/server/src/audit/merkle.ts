import { createHash, hash } from 'node:crypto';
import { canonicalSha256 } from './canonical-json.ts';

/**
 * RFC 6962 / RFC 9162 Merkle tree over the digests of one ingested batch, so one
 * event's inclusion in an audited batch can be proven without the other events.
 *
 *   leaf hash = SHA-256(0x00 ‖ leaf)      node hash = SHA-256(0x01 ‖ left ‖ right)
 *
 * The 0x00/0x01 prefixes keep a leaf from being passed off as an inner node
 * (second-preimage attack). Leaves are the events' digests in the order the batch
 * was accepted; that order is part of the root.
 *
 * Hashes cross this API as lowercase hex (like `batch_root` in the audit log);
 * leaves go in as raw bytes.
 */

const toBuffer = (h: Uint8Array | string): Buffer => (typeof h === 'string' ? Buffer.from(h, 'hex') : Buffer.from(h));

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** SHA-256 of an event's canonical JSON: the leaf that goes into a batch tree. */
export function eventDigest(event: object): Buffer {
  return canonicalSha256(event);
}

/** SHA-256(0x00 ‖ leaf), hex. */
export function leafHash(leaf: Uint8Array): string {
  return hashLeaf(leaf).toString('hex');
}

/** Root of the tree over `leaves`. The empty tree's root is SHA-256("") (RFC 6962 §2.1). */
export function merkleRoot(leaves: readonly Uint8Array[]): string {
  return merkleRootOfLeafHashes(leaves.map(hashLeaf));
}

/** The same root from the leaves' hashes (hex or bytes). */
export function merkleRootOfLeafHashes(hashes: readonly (Uint8Array | string)[]): string {
  if (hashes.length === 0) return createHash('sha256').digest('hex');
  // Bottom-up with an unpaired last node promoted unchanged: the same tree as the
  // RFC's recursive split at the largest power of two below n, without recursion.
  let level: Buffer[] = hashes.map(toBuffer);
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i] as Buffer;
      const right = level[i + 1];
      next.push(right ? hashNode(left, right) : left);
    }
    level = next;
  }
  return (level[0] as Buffer).toString('hex');
}

/** Audit path for `leaves[index]` (RFC 9162 §2.1.3.1), leaf-side first, hex. */
export function inclusionProof(leaves: readonly Uint8Array[], index: number): string[] {
  return inclusionProofFromLeafHashes(leaves.map(hashLeaf), index);
}

/** The same audit path from the leaves' hashes (hex or bytes) instead of the leaves:
 * what a batch keeps once most of its events are gone (a held document's batch). */
export function inclusionProofFromLeafHashes(hashes: readonly (Uint8Array | string)[], index: number): string[] {
  if (!Number.isInteger(index) || index < 0 || index >= hashes.length) {
    throw new RangeError(`leaf index ${index} is outside a tree of size ${hashes.length}`);
  }
  const proof: string[] = [];
  let level: Buffer[] = hashes.map(toBuffer);
  let i = index;
  while (level.length > 1) {
    const sibling = i ^ 1;
    // A promoted node (last, unpaired) has no sibling at this level.
    if (sibling < level.length) proof.push((level[sibling] as Buffer).toString('hex'));
    const next: Buffer[] = [];
    for (let j = 0; j < level.length; j += 2) {
      const left = level[j] as Buffer;
      const right = level[j + 1];
      next.push(right ? hashNode(left, right) : left);
    }
    level = next;
    i = Math.floor(i / 2);
  }
  return proof;
}

/**
 * True when `proof` shows the leaf with hash `leafHashHex` at `index` in a tree of
 * `size` leaves with root `rootHex` (RFC 9162 §2.1.3.2). Never throws on bad input.
 */
export function verifyInclusion(
  leafHashHex: string,
  index: number,
  size: number,
  proof: readonly string[],
  rootHex: string,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (!isHash(leafHashHex) || !isHash(rootHex) || !proof.every(isHash)) return false;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leafHashHex, 'hex');
  for (const p of proof) {
    if (sn === 0) return false;
    const sibling = Buffer.from(p, 'hex');
    if (fn % 2 === 1 || fn === sn) {
      r = hashNode(sibling, r);
      // Skip the levels where this node was promoted without a sibling.
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = hashNode(r, sibling);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.toString('hex') === rootHex.toLowerCase();
}

const HEX_HASH = /^[0-9a-fA-F]{64}$/;
function isHash(s: unknown): s is string {
  return typeof s === 'string' && HEX_HASH.test(s);
}

// One-shot hash() of one buffer: a third cheaper than a Hash object fed in pieces,
// and this runs about twice per ingested event.
function hashLeaf(leaf: Uint8Array): Buffer {
  return hash('sha256', Buffer.concat([LEAF_PREFIX, leaf]), 'buffer');
}

function hashNode(left: Uint8Array, right: Uint8Array): Buffer {
  return hash('sha256', Buffer.concat([NODE_PREFIX, left, right]), 'buffer');
}
