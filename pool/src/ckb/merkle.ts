/**
 * CKB's Complete Binary Merkle Tree root (RFC 0006; `nervosnetwork/merkle-tree` `CBMT::build_merkle_root`),
 * merge = ckbhash(left ‖ right).
 */
import { ckbHash, ZERO_HASH } from './hash.js';

/** Root over 32-byte leaves: zero hash for none, the leaf itself for one. */
export function cbmtRoot(leaves: readonly Uint8Array[]): Uint8Array {
  const n = leaves.length;
  if (n === 0) return ZERO_HASH;
  if (n === 1) return leaves[0]!;
  // Pairs are taken from the right end (rchunks_exact(2)); an odd first leaf goes in front.
  const queue: Uint8Array[] = [];
  for (let i = n; i >= 2; i -= 2) queue.push(ckbHash(leaves[i - 2]!, leaves[i - 1]!));
  if (n % 2 === 1) queue.unshift(leaves[0]!);
  let head = 0;
  while (queue.length - head > 1) {
    const right = queue[head++]!;
    const left = queue[head++]!;
    queue.push(ckbHash(left, right));
  }
  return queue[head]!;
}
