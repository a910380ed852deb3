import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventDigest, inclusionProof, inclusionProofFromLeafHashes, leafHash, merkleRoot, merkleRootOfLeafHashes, verifyInclusion } from './merkle.ts';

// Certificate Transparency's reference vectors (RFC 6962 test data).
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(
  (h) => Buffer.from(h, 'hex'),
);
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** RFC 6962 §2.1 written literally (recursive split at the largest power of two < n). */
function referenceRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return createHash('sha256').update(Buffer.from([0])).update(leaves[0] as Buffer).digest();
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return createHash('sha256')
    .update(Buffer.from([1]))
    .update(referenceRoot(leaves.slice(0, k)))
    .update(referenceRoot(leaves.slice(k)))
    .digest();
}

const digests = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => eventDigest({ id: `event-${i}`, n: i }));

describe('merkleRoot', () => {
  it('matches the RFC 6962 reference roots for sizes 0..8', () => {
    for (let n = 0; n <= 8; n++) expect(merkleRoot(CT_LEAVES.slice(0, n)), `size ${n}`).toBe(CT_ROOTS[n]);
  });

  it('matches the recursive RFC definition for sizes 1..70', () => {
    for (let n = 1; n <= 70; n++) {
      const leaves = digests(n);
      expect(merkleRoot(leaves), `size ${n}`).toBe(referenceRoot(leaves).toString('hex'));
    }
  });

  it('depends on leaf order and on every leaf', () => {
    const leaves = digests(5);
    const root = merkleRoot(leaves);
    expect(merkleRoot([leaves[1], leaves[0], ...leaves.slice(2)] as Buffer[])).not.toBe(root);
    expect(merkleRoot(leaves.slice(0, 4))).not.toBe(root);
  });

  it('hashes events canonically, whatever their key order', () => {
    expect(eventDigest({ a: 1, b: { c: 2, d: 3 } }).equals(eventDigest({ b: { d: 3, c: 2 }, a: 1 }))).toBe(true);
  });
});

describe('inclusion proofs', () => {
  it('match the RFC 6962 reference proofs', () => {
    expect(inclusionProof(CT_LEAVES, 0)).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    expect(inclusionProof(CT_LEAVES, 5)).toEqual([
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
  });

  it('verify for every index of trees of sizes 1..33, and fail when anything is altered', () => {
    for (let size = 1; size <= 33; size++) {
      const leaves = digests(size);
      const root = merkleRoot(leaves);
      expect(merkleRootOfLeafHashes(leaves.map(leafHash))).toBe(root);
      const bigger = digests(size + 1);
      const other = leafHash(bigger[size] as Buffer);
      const otherRoot = merkleRoot(bigger);
      for (let index = 0; index < size; index++) {
        const leaf = leafHash(leaves[index] as Buffer);
        const proof = inclusionProof(leaves, index);
        const at = `size ${size} index ${index}`;
        // From the leaves' hashes alone (a held document's batch): the same path.
        expect(inclusionProofFromLeafHashes(leaves.map(leafHash), index), at).toEqual(proof);
        expect(verifyInclusion(leaf, index, size, proof, root), at).toBe(true);
        // Another leaf, another position, another root.
        expect(verifyInclusion(other, index, size, proof, root), at).toBe(false);
        if (size > 1) expect(verifyInclusion(leaf, (index + 1) % size, size, proof, root), at).toBe(false);
        expect(verifyInclusion(leaf, index, size, proof, otherRoot), at).toBe(false);
        // Every proof element matters; none may be dropped or added.
        for (let p = 0; p < proof.length; p++) {
          const bad = [...proof];
          bad[p] = leafHash(Buffer.from(`x${p}`));
          expect(verifyInclusion(leaf, index, size, bad, root), `${at} element ${p}`).toBe(false);
        }
        if (proof.length > 0) expect(verifyInclusion(leaf, index, size, proof.slice(0, -1), root), at).toBe(false);
        expect(verifyInclusion(leaf, index, size, [...proof, root], root), at).toBe(false);
      }
    }
  });

  it('reject nonsense without throwing', () => {
    const leaves = digests(4);
    const root = merkleRoot(leaves);
    const leaf = leafHash(leaves[0] as Buffer);
    const proof = inclusionProof(leaves, 0);
    expect(verifyInclusion(leaf, 4, 4, proof, root)).toBe(false);
    expect(verifyInclusion(leaf, -1, 4, proof, root)).toBe(false);
    expect(verifyInclusion(leaf, 0, 0, proof, root)).toBe(false);
    expect(verifyInclusion('zz', 0, 4, proof, root)).toBe(false);
    expect(verifyInclusion(leaf, 0, 4, ['not hex'], root)).toBe(false);
    expect(() => inclusionProof(leaves, 4)).toThrow(RangeError);
  });
});
