/**
 * Share targets as the mining roles compare and announce them (pure): the PoW comparison on
 * 32 big-endian bytes, and difficulties in the units V1 families use. The CKB conversions
 * themselves (compact, U256 LE, big-endian bytes, 2^256 / target) are in ../ckb/target.ts.
 */
import { targetToBytesBE, targetToDifficulty } from '../ckb/target.js';
import { isHex, strip0x } from './v1-wire.js';

/** A share target with what the hot path needs of it: its big-endian bytes and the credit (2^256 / target). */
export interface ShareTarget {
  readonly target: bigint;
  readonly targetBE: Uint8Array;
  readonly difficulty: bigint;
}

export function shareTarget(target: bigint): ShareTarget {
  return { target, targetBE: targetToBytesBE(target), difficulty: targetToDifficulty(target) };
}

const HSPACE = 1n << 256n;
/** Eaglepool's difficulty unit: difficulty 1 = target 2^256 (one expected hash per share). */
export const DIFF1_2P256 = HSPACE;
/** "Difficulty 1 = 2^32 hashes": the unit of set_difficulty in the Bitcoin-derived V1 families. */
export const DIFF1_2P224 = 1n << 224n;
const SCALE_BITS = 64n;

/** True when `hash` read big-endian is <= `targetBE` (both 32 bytes big-endian). */
export function hashMeetsTarget(hash: Uint8Array, targetBE: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) {
    const h = hash[i]!;
    const t = targetBE[i]!;
    if (h !== t) return h < t;
  }
  return true;
}

/** Target for a (fractional) difficulty whose difficulty-1 target is `one`; undefined when unusable. */
export function targetForDifficulty(d: number, one: bigint): bigint | undefined {
  if (!Number.isFinite(d) || d <= 0) return undefined;
  // d as a binary fraction with 64 bits below the point keeps tiny (devnet) difficulties exact enough.
  const scaled = BigInt(Math.round(d * 2 ** Number(SCALE_BITS)));
  if (scaled === 0n) return HSPACE - 1n;
  const t = (one << SCALE_BITS) / scaled;
  return t >= HSPACE ? HSPACE - 1n : t < 1n ? 1n : t;
}

/** The difficulty of a target in the unit whose difficulty-1 target is `one`, as a JSON number. */
export function difficultyOf(target: bigint, one: bigint): number {
  return Number((one << SCALE_BITS) / target) / 2 ** Number(SCALE_BITS);
}

/** 64 hex digits (optional 0x), big-endian (`be`) or little-endian, → a non-zero target. */
export function targetFromHex(hex: string, be: boolean): bigint | undefined {
  const h = strip0x(hex);
  if (!isHex(h, 32)) return undefined;
  const bytes = Buffer.from(h, 'hex');
  if (!be) bytes.reverse();
  const t = BigInt(`0x${bytes.toString('hex')}`);
  return t === 0n ? undefined : t;
}
