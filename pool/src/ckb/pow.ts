/**
 * CKB Eaglesong proof of work (`nervosnetwork/ckb pow/src/eaglesong.rs`):
 * output = eaglesong(pow_hash ‖ nonce as 16 LE bytes); valid iff output, read as a big-endian u256,
 * is <= target, where target = compact_to_target(compact_target) and a zero or overflowing target is invalid.
 * Testnet's spec uses `EaglesongBlake2b` (`pow/src/eaglesong_blake2b.rs`): output = ckbhash(eaglesong(…)).
 */
import { ckbPowHash } from '../eaglesong/index.js';
import { ckbHash } from './hash.js';
import { headerHashOf, nonceToBytes, powHashOf } from './header.js';
import type { Header } from './header.js';
import { decodeCompact, targetToBytesBE } from './target.js';

/** The chain spec's `[pow] func`: mainnet `Eaglesong`, testnet `EaglesongBlake2b`. */
export type PowFunction = 'Eaglesong' | 'EaglesongBlake2b';

/** PoW output for (pow_hash, nonce) under `func` (default Eaglesong, mainnet). */
export function powOutput(powHash: Uint8Array, nonce: bigint, func: PowFunction = 'Eaglesong'): Uint8Array {
  const output = ckbPowHash(powHash, nonceToBytes(nonce));
  return func === 'EaglesongBlake2b' ? ckbHash(output) : output;
}

/** True when the PoW output of (pow_hash, nonce) <= target (big-endian); target 0 never passes. */
export function verifyPow(
  powHash: Uint8Array,
  nonce: bigint,
  target: bigint,
  func: PowFunction = 'Eaglesong',
): boolean {
  if (target <= 0n) return false;
  return meetsTarget(powOutput(powHash, nonce, func), targetToBytesBE(target));
}

/** Compares a 32-byte big-endian hash with a 32-byte big-endian target: hash <= target. */
export function meetsTarget(hashBE: Uint8Array, targetBE: Uint8Array): boolean {
  return Buffer.compare(hashBE, targetBE) <= 0;
}

/** Everything the node's PoW check looks at for one header, for tools and error messages. */
export interface PowCheck {
  powHash: Uint8Array;
  blockHash: Uint8Array;
  output: Uint8Array;
  target: bigint;
  /** compact_target overflowed or decoded to 0: the node rejects the header whatever the nonce. */
  invalidTarget: boolean;
  meets: boolean;
}

export function checkHeaderPow(header: Header, func: PowFunction = 'Eaglesong'): PowCheck {
  const powHash = powHashOf(header);
  const output = powOutput(powHash, header.nonce, func);
  const { target, overflow } = decodeCompact(header.compactTarget);
  const invalidTarget = overflow || target === 0n;
  return {
    powHash,
    blockHash: headerHashOf(header),
    output,
    target,
    invalidTarget,
    meets: !invalidTarget && meetsTarget(output, targetToBytesBE(target)),
  };
}
