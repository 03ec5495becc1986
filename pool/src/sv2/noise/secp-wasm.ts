/**
 * secp256k1 square root, x-only ECDH and BIP-324 XSwiftEC / XSwiftECInv on RustCrypto's k256
 * (constant-time field and group arithmetic), compiled from
 * pool/noise-wasm/secp to secp256k1.wasm next to this file. Measured here: x(k·P) ~150 µs against
 * ~200 µs for tiny-secp256k1's `pointMultiply`; a field square root ~9 µs against ~50 µs for the
 * best BigInt addition chain in V8, which is what makes XSwiftEC / XSwiftECInv cheaper here.
 * The module allocates nothing, so its memory never grows and the view stays valid.
 */
import { instantiateWasm } from './wasm-load.js';

interface SecpExports {
  memory: { buffer: ArrayBuffer };
  io_ptr(): number;
  x_is_valid(): number;
  ecdh_x(): number;
  ellswift_decode(): number;
  ellswift_inv(ellCase: number): number;
}

const wasm = instantiateWasm<SecpExports>('secp256k1.wasm');
const io = new Uint8Array(wasm.memory.buffer, wasm.io_ptr(), 64);

/** Whether x (32 bytes, big-endian, < p) is the x coordinate of a secp256k1 point. */
export function wasmIsValidX(x: Uint8Array): boolean {
  io.set(x, 0);
  return wasm.x_is_valid() === 1;
}

/**
 * x(k · P) (32 bytes, big-endian) for the point P with x coordinate `x` (either y gives the same
 * x); undefined when x is not on the curve, k is not in [1, n) or the result is infinity.
 * The module wipes its buffer (the secret scalar included) after every call.
 */
export function wasmEcdhX(k: Uint8Array, x: Uint8Array): Uint8Array | undefined {
  io.set(k, 0);
  io.set(x, 32);
  return wasm.ecdh_x() === 1 ? io.slice(0, 32) : undefined;
}

/** XSwiftEC(u, t) of BIP-324 for u, t < p (big-endian at ell[0..32], ell[32..64]): the 32-byte x. */
export function wasmEllswiftDecode(ell: Uint8Array): Uint8Array {
  io.set(ell.subarray(0, 64), 0);
  if (wasm.ellswift_decode() !== 1) throw new Error('ellswift_decode: u or t not reduced');
  return io.slice(0, 32);
}

/**
 * XSwiftECInv(x, u, case) of BIP-324 for x, u < p (32 bytes each, big-endian): t, written to
 * out[off..off+32], and true; false when this case has no solution.
 */
export function wasmEllswiftInv(
  x: Uint8Array,
  u: Uint8Array,
  ellCase: number,
  out: Uint8Array,
  off: number,
): boolean {
  io.set(x, 0);
  io.set(u, 32);
  if (wasm.ellswift_inv(ellCase) !== 1) return false;
  out.set(io.subarray(0, 32), off);
  return true;
}
