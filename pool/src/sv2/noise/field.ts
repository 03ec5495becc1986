/**
 * Arithmetic modulo the secp256k1 field prime p = 2^256 − 2^32 − 977 on BigInt, tuned for the
 * ElligatorSwift hot path (ellswift.ts): products are reduced with p's special form instead of a
 * BigInt division (~20 % cheaper), the square root is k256's in WebAssembly (secp-wasm.ts; ~9 µs
 * against ~50 µs for an addition chain on BigInt and ~70 µs for @noble/curves' `Fp.sqrt`), squareness is decided by a binary Jacobi symbol (no exponentiation),
 * and inversion is @noble/curves' extended Euclid. All inputs and outputs are reduced to [0, p).
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { wasmSqrt } from './secp-wasm.js';

const Fp = secp256k1.Point.Fp;
export const P = Fp.ORDER;
const MASK_256 = (1n << 256n) - 1n;
/** 2^256 mod p. */
const C = 0x1000003d1n;

/** x mod p for 0 ≤ x < 2^512 (any product of two reduced elements). */
function reduce(x: bigint): bigint {
  x = (x & MASK_256) + (x >> 256n) * C;
  x = (x & MASK_256) + (x >> 256n) * C;
  return x >= P ? x - P : x;
}

export const mul = (a: bigint, b: bigint): bigint => reduce(a * b);
export const sqr = (a: bigint): bigint => reduce(a * a);
export const add = (a: bigint, b: bigint): bigint => {
  const s = a + b;
  return s >= P ? s - P : s;
};
export const sub = (a: bigint, b: bigint): bigint => (a >= b ? a - b : a - b + P);
export const neg = (a: bigint): bigint => (a === 0n ? 0n : P - a);
/** 1 / a; a must be non-zero. */
export const inv = (a: bigint): bigint => Fp.inv(a);

/** A square root of a (0 ≤ a < p), or undefined when a is not a square: k256 in WebAssembly. */
export const sqrt = wasmSqrt;

/** The low 32 bits of a non-negative BigInt as a number. */
const low32 = (a: bigint): number => Number(BigInt.asUintN(32, a));

/**
 * Jacobi symbol (a/p) by the binary algorithm: 1 for a non-zero square mod p, -1 for a non-square,
 * 0 for 0. About 4× cheaper than an exponentiation, so squareness is tested this way and a square
 * root is only computed once it is known to exist. Runs of factors of 2 are removed with one
 * shift (their count read from the low word), not one at a time.
 */
function jacobi(a: bigint): number {
  let n = P;
  let t = 1;
  while (a !== 0n) {
    let lo = low32(a);
    if (lo === 0) {
      a >>= 32n; // an even number of 2s: (2/n)^32 = 1
      continue;
    }
    const zeros = 31 - Math.clz32(lo & -lo);
    if (zeros > 0) {
      a >>= BigInt(zeros);
      lo = low32(a);
      const r = low32(n) & 7;
      if ((zeros & 1) === 1 && (r === 3 || r === 5)) t = -t;
    }
    if ((lo & 3) === 3 && (low32(n) & 3) === 3) t = -t;
    [a, n] = [n % a, a];
  }
  return n === 1n ? t : 0;
}

/** Whether a (reduced) is a square mod p, 0 included. */
export const isSquare = (a: bigint): boolean => jacobi(a) >= 0;

/** The big-endian 32 bytes at `b[off..off+32]` as a BigInt (not reduced). */
export function fromBytes(b: Uint8Array, off = 0): bigint {
  return BigInt('0x' + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex', off, off + 32));
}

/** Writes v (< 2^256) as 32 big-endian bytes at `out[off..off+32]`; returns out. */
export function toBytes(v: bigint, out: Uint8Array, off = 0): Uint8Array {
  Buffer.from(out.buffer, out.byteOffset, out.byteLength).write(v.toString(16).padStart(64, '0'), off, 'hex');
  return out;
}
