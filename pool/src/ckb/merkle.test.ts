import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ckbHash, ZERO_HASH } from './hash.js';
import { cbmtRoot } from './merkle.js';

/** The array form of the same tree (`build_merkle_tree`): nodes[i] = merge(nodes[2i+1], nodes[2i+2]). */
function treeRoot(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return ZERO_HASH;
  const nodes: Uint8Array[] = [...new Array<Uint8Array>(leaves.length - 1), ...leaves];
  for (let i = leaves.length - 2; i >= 0; i--) nodes[i] = ckbHash(nodes[2 * i + 1]!, nodes[2 * i + 2]!);
  return nodes[0]!;
}

const leaf = (n: number) => ckbHash(Uint8Array.of(n));

describe('CBMT root', () => {
  it('empty is zero, one leaf is itself, two leaves are merged', () => {
    expect(cbmtRoot([])).toEqual(ZERO_HASH);
    expect(cbmtRoot([leaf(1)])).toEqual(leaf(1));
    expect(cbmtRoot([leaf(1), leaf(2)])).toEqual(ckbHash(leaf(1), leaf(2)));
  });

  it('five leaves follow the RFC 0006 shape', () => {
    const l = [2, 3, 5, 7, 11].map(leaf);
    // merkle-tree's build_five: nodes[3] = m(l3,l4), nodes[1] = m(nodes[3],l0), nodes[2] = m(l1,l2)
    const expected = ckbHash(ckbHash(ckbHash(l[3]!, l[4]!), l[0]!), ckbHash(l[1]!, l[2]!));
    expect(cbmtRoot(l)).toEqual(expected);
  });

  it('queue form equals the array-tree form for any leaf count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70 }), (n) => {
        const leaves = Array.from({ length: n }, (_, i) => leaf(i));
        expect(cbmtRoot(leaves)).toEqual(treeRoot(leaves));
      }),
      { numRuns: 40 },
    );
  });
});
