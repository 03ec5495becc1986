/**
 * secp256k1 square root and x-only ECDH from RustCrypto's k256 (constant-time), compiled from
 * pool/noise-wasm/secp to secp256k1.wasm next to this file. Measured here: a field square root
 * ~9 µs against ~50 µs for the best BigInt addition chain, x(k·P) ~150 µs against ~200 µs for
 * tiny-secp256k1's `pointMultiply` (which also decompresses P and re-validates it in JS).
 * The module allocates nothing, so its memory never grows and the view stays valid.
 */
import { instantiateWasm } from './wasm-load.js';

interface SecpExports {
  memory: { buffer: ArrayBuffer };
  io_ptr(): number;
  fe_sqrt(): number;
  ecdh_x(): number;
}

const wasm = instantiateWasm<SecpExports>('secp256k1.wasm');
const io = new Uint8Array(wasm.memory.buffer, wasm.io_ptr(), 64);
const ioText = Buffer.from(io.buffer, io.byteOffset, 32);

/** A square root of a (0 ≤ a < p), or undefined when a is not a square. */
export function wasmSqrt(a: bigint): bigint | undefined {
  ioText.write(a.toString(16).padStart(64, '0'), 0, 'hex');
  return wasm.fe_sqrt() === 1 ? BigInt('0x' + ioText.toString('hex')) : undefined;
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
