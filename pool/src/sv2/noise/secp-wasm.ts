/**
 * secp256k1 for the SV2 handshake in WebAssembly, compiled from pool/noise-wasm/secp to
 * secp256k1.wasm next to this file, on RustCrypto k256's constant-time field arithmetic:
 * constant-time x-only ECDH (libsecp256k1's ecmult_const: GLV split, signed odd 5-bit digits,
 * Jacobian a = 0 formulas; the responder's two ECDHs share one decoded point and one table),
 * constant-time k·G from a table built once, and BIP-324 XSwiftEC / XSwiftECInv / XElligatorSwift.
 * The module allocates nothing (its k·G table is static memory, filled on first use), so its memory
 * never grows and the view stays valid. Secret inputs are wiped from its buffer by every call.
 */
import type { RandomSource } from './ellswift.js';
import { instantiateWasm } from './wasm-load.js';

interface SecpExports {
  memory: { buffer: ArrayBuffer };
  io_ptr(): number;
  x_is_valid(): number;
  ecdh_x(): number;
  ecdh2_ell(): number;
  pubkey_x(): number;
  keygen(tries: number): number;
  ellswift_encode(tries: number): number;
  ellswift_decode(): number;
  ellswift_inv(ellCase: number): number;
}

const wasm = instantiateWasm<SecpExports>('secp256k1.wasm');
const io = new Uint8Array(wasm.memory.buffer, wasm.io_ptr(), 1024);
/** ElligatorSwift tries per call: 33 random bytes each; one try succeeds with probability ~1/4. */
const TRIES = 7;

/**
 * x(k · P) (32 bytes, big-endian) for the point P with x coordinate `x` (either y gives the same
 * x); undefined when x is not on the curve or k is not in [1, n).
 */
export function wasmEcdhX(k: Uint8Array, x: Uint8Array): Uint8Array | undefined {
  io.set(k, 0);
  io.set(x, 32);
  return wasm.ecdh_x() === 1 ? io.slice(0, 32) : undefined;
}

/**
 * For P = XSwiftEC(ell) (64 bytes, u and t reduced mod p here): x(a·P) ‖ x(b·P), 64 bytes;
 * undefined when a or b is not in [1, n). Both multiplications share P's decoding and table.
 */
export function wasmEcdh2Ell(ell: Uint8Array, a: Uint8Array, b: Uint8Array): Uint8Array | undefined {
  io.set(ell, 0);
  io.set(a, 64);
  io.set(b, 96);
  return wasm.ecdh2_ell() === 1 ? io.slice(0, 64) : undefined;
}

/** x(k·G) (32 bytes) for a secret key k in [1, n); undefined otherwise. */
export function wasmPublicKeyX(k: Uint8Array): Uint8Array | undefined {
  io.set(k, 0);
  return wasm.pubkey_x() === 1 ? io.slice(0, 32) : undefined;
}

/** Rounds of TRIES after which a random source is taken to be broken (legitimately: (3/4)^448). */
const MAX_ROUNDS = 64;

/** Asks for more random bytes while the module reports that they ran out (returns 2). */
function encodeLoop(rc: number, random: RandomSource): number {
  for (let round = 1; rc === 2; round++) {
    if (round === MAX_ROUNDS) throw new Error('the random source gives no usable ElligatorSwift u values');
    io.set(random(33 * TRIES), 32);
    rc = wasm.ellswift_encode(TRIES);
  }
  return rc;
}

/**
 * x(k·G) ‖ an ElligatorSwift encoding of it (96 bytes) for a secret key k in [1, n), in one call
 * (more only in the rare case that 7 encoding tries all fail); undefined for a bad key.
 */
export function wasmKeygen(k: Uint8Array, random: RandomSource): Uint8Array | undefined {
  io.set(k, 0);
  io.set(random(33 * TRIES), 32);
  return encodeLoop(wasm.keygen(TRIES), random) === 1 ? io.slice(0, 96) : undefined;
}

/** An ElligatorSwift encoding (64 bytes) of x; undefined when x is not on the curve. */
export function wasmEllswiftEncode(x: Uint8Array, random: RandomSource): Uint8Array | undefined {
  io.set(x, 0);
  io.set(random(33 * TRIES), 32);
  return encodeLoop(wasm.ellswift_encode(TRIES), random) === 1 ? io.slice(32, 96) : undefined;
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
