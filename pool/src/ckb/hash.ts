/**
 * ckbhash: blake2b-256 with personalization "ckb-default-hash" (`nervosnetwork/ckb util/hash`).
 * @noble/hashes directly (the same code @ckb-ccc/core wraps) to hash bytes without hex round-trips.
 */
import { blake2b } from '@noble/hashes/blake2.js';

const PERSONALIZATION = new TextEncoder().encode('ckb-default-hash');
const OPTS = { dkLen: 32, personalization: PERSONALIZATION } as const;

/** ckbhash of the concatenation of `parts`. */
export function ckbHash(...parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return blake2b(parts[0]!, OPTS);
  const h = blake2b.create(OPTS);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** 32 zero bytes: CKB's value for an empty proposals/uncles list and an empty merkle tree. */
export const ZERO_HASH: Uint8Array = new Uint8Array(32);
