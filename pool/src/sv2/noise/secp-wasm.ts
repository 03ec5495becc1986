/**
 * secp256k1 for the SV2 handshake: libsecp256k1 (through the `secp256k1` crate) in the noise.wasm
 * module built from pool/noise-wasm. Constant-time k·G and x-only ECDH (its `ecmult_gen` and
 * `ecmult_const`), BIP-324 ElligatorSwift encoding and decoding. The module allocates nothing, so
 * its memory never grows and the view stays valid. Secret inputs are wiped from its buffer by
 * every call. Its context's k·G blinding is randomized once at load.
 */
import { randomBytes } from 'node:crypto';
import type { RandomSource } from './ellswift.js';
import { noiseWasm } from './wasm-load.js';

interface SecpExports {
  memory: { buffer: ArrayBuffer };
  io_ptr(): number;
  randomize(): void;
  ecdh_x(): number;
  ecdh2_ell(): number;
  pubkey_x(): number;
  keygen(): number;
  ellswift_encode(): number;
  ellswift_decode(): number;
}

const wasm = noiseWasm<SecpExports>();
const io = new Uint8Array(wasm.memory.buffer, wasm.io_ptr(), 256);
io.set(randomBytes(32), 0);
wasm.randomize();

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
 * For P = XSwiftEC(ell) (any 64 bytes): x(a·P) ‖ x(b·P), 64 bytes; undefined when a or b is not
 * in [1, n). The responder's two ECDHs in one call.
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

/**
 * x(k·G) ‖ an ElligatorSwift encoding of it (96 bytes) for a secret key k in [1, n); undefined
 * for a bad key. `random` gives the 32 bytes libsecp256k1 draws the encoding from.
 */
export function wasmKeygen(k: Uint8Array, random: RandomSource): Uint8Array | undefined {
  io.set(k, 0);
  io.set(random(32), 32);
  return wasm.keygen() === 1 ? io.slice(0, 96) : undefined;
}

/** An ElligatorSwift encoding (64 bytes) of x; undefined when x is not on the curve. */
export function wasmEllswiftEncode(x: Uint8Array, random: RandomSource): Uint8Array | undefined {
  io.set(x, 0);
  io.set(random(32), 32);
  return wasm.ellswift_encode() === 1 ? io.slice(32, 96) : undefined;
}

/** XSwiftEC(u, t) of BIP-324 for any 64 bytes u ‖ t (both taken mod p): the 32-byte x. */
export function wasmEllswiftDecode(ell: Uint8Array): Uint8Array {
  io.set(ell.subarray(0, 64), 0);
  wasm.ellswift_decode();
  return io.slice(0, 32);
}
