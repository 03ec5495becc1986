/**
 * CKB's PoW target encodings, exactly as `ckb-types` `utilities/difficulty.rs` defines them:
 *
 * - compact_target (u32): exponent = c >> 24 (bytes), mantissa = c & 0xffffff, target = mantissa · 256^(e-3).
 *   Unlike Bitcoin's nBits there is no sign bit. Overflow (mantissa ≠ 0 and e > 32) is invalid.
 * - difficulty = 2^256 / target (integer division; target 1 → 2^256 - 1); the inverse is the same formula.
 * - Byte forms: big-endian 32 bytes (how CKB reads the Eaglesong output, V1 `mining.set_target` hex) and
 *   SV2 U256 (32 little-endian bytes, `SetTarget.maximum_target`). Compare integers, never raw bytes.
 */

const U256_MAX = (1n << 256n) - 1n;
const HSPACE = 1n << 256n;

/** Thrown for a compact target, target or difficulty outside what CKB accepts. */
export class CkbTargetError extends RangeError {
  override name = 'CkbTargetError';
}

/** compact → { target, overflow } as `compact_to_target` returns it (the target wraps to 256 bits). */
export function decodeCompact(compact: number): { target: bigint; overflow: boolean } {
  assertU32(compact);
  const exponent = compact >>> 24;
  let mantissa = BigInt(compact & 0x00ffffff);
  let target: bigint;
  if (exponent <= 3) {
    mantissa >>= BigInt(8 * (3 - exponent));
    target = mantissa;
  } else {
    target = (mantissa << BigInt(8 * (exponent - 3))) & U256_MAX;
  }
  return { target, overflow: mantissa !== 0n && exponent > 32 };
}

/** compact → target; throws CkbTargetError for an overflowing compact (the node rejects such headers). */
export function compactToTarget(compact: number): bigint {
  const { target, overflow } = decodeCompact(compact);
  if (overflow) throw new CkbTargetError(`compact target 0x${compact.toString(16)} overflows 256 bits`);
  return target;
}

/** target → compact (`target_to_compact`): lossy, keeps the top 3 significant bytes. */
export function targetToCompact(target: bigint): number {
  assertU256(target);
  const bits = target.toString(2).length - (target === 0n ? 1 : 0);
  const exponent = Math.ceil(bits / 8);
  const mantissa =
    exponent <= 3
      ? (target << BigInt(8 * (3 - exponent))) & 0xffffffffn
      : (target >> BigInt(8 * (exponent - 3))) & 0xffffffffn;
  return (Number(mantissa) | (exponent << 24)) >>> 0;
}

/** 2^256 / target; target 1 → 2^256 - 1. */
export function targetToDifficulty(target: bigint): bigint {
  assertU256(target);
  if (target === 0n) throw new CkbTargetError('target 0 has no difficulty');
  return target === 1n ? U256_MAX : HSPACE / target;
}

/** 2^256 / difficulty; difficulty 1 → 2^256 - 1. */
export function difficultyToTarget(difficulty: bigint): bigint {
  assertU256(difficulty);
  if (difficulty === 0n) throw new CkbTargetError('difficulty 0 has no target');
  return difficulty === 1n ? U256_MAX : HSPACE / difficulty;
}

/** compact → difficulty (`compact_to_difficulty`: 0 for a zero or overflowing compact). */
export function compactToDifficulty(compact: number): bigint {
  const { target, overflow } = decodeCompact(compact);
  return target === 0n || overflow ? 0n : targetToDifficulty(target);
}

/** difficulty → compact (`difficulty_to_compact`). */
export function difficultyToCompact(difficulty: bigint): number {
  return targetToCompact(difficultyToTarget(difficulty));
}

/** target → 32 big-endian bytes. */
export function targetToBytesBE(target: bigint): Uint8Array {
  assertU256(target);
  const out = new Uint8Array(32);
  let v = target;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** target → SV2 U256 (32 little-endian bytes). */
export function targetToU256LE(target: bigint): Uint8Array {
  return targetToBytesBE(target).reverse();
}

/** 32 big-endian bytes → target. */
export function bytesBEToTarget(bytes: Uint8Array): bigint {
  assertLength32(bytes);
  let v = 0n;
  for (let i = 0; i < 32; i++) v = (v << 8n) | BigInt(bytes[i]!);
  return v;
}

/** SV2 U256 (32 little-endian bytes) → target. */
export function u256LEToTarget(bytes: Uint8Array): bigint {
  assertLength32(bytes);
  let v = 0n;
  for (let i = 31; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return v;
}

function assertU32(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new CkbTargetError(`not a u32: ${n}`);
}

function assertU256(n: bigint): void {
  if (typeof n !== 'bigint' || n < 0n || n > U256_MAX) throw new CkbTargetError(`not a u256: ${String(n)}`);
}

function assertLength32(bytes: Uint8Array): void {
  if (bytes.length !== 32) throw new CkbTargetError(`expected 32 bytes, got ${bytes.length}`);
}
