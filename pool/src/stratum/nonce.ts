/**
 * Rebuilding the 16-byte CKB nonce N from an SV2 submission (ckb-sv2 binding):
 *
 *   standard: N = extranonce_prefix(8) || version (u32 LE) || nonce (u32 LE)
 *   extended: N = extranonce_prefix || extranonce || nonce (u32 LE)
 *
 * N is the byte string hashed after pow_hash; `submit_block` carries it as the u128 whose
 * little-endian bytes are N.
 */
import { NONCE_BYTES } from './extranonce.js';

function writeU32LE(out: Uint8Array, at: number, value: number): void {
  out[at] = value & 0xff;
  out[at + 1] = (value >>> 8) & 0xff;
  out[at + 2] = (value >>> 16) & 0xff;
  out[at + 3] = (value >>> 24) & 0xff;
}

/** Writes N for a standard-channel share into `out` (16 bytes) and returns it. */
export function standardNonce(
  prefix: Uint8Array,
  version: number,
  nonce: number,
  out: Uint8Array = new Uint8Array(NONCE_BYTES),
): Uint8Array {
  out.set(prefix, 0);
  writeU32LE(out, 8, version);
  writeU32LE(out, 12, nonce);
  return out;
}

/**
 * Writes N for an extended-channel share. The caller checks
 * `prefix.length + extranonce.length + 4 === 16` (the negotiated extranonce_size).
 */
export function extendedNonce(
  prefix: Uint8Array,
  extranonce: Uint8Array,
  nonce: number,
  out: Uint8Array = new Uint8Array(NONCE_BYTES),
): Uint8Array {
  out.set(prefix, 0);
  out.set(extranonce, prefix.length);
  writeU32LE(out, 12, nonce);
  return out;
}

/** The u128 value `submit_block` carries for nonce bytes N (little-endian). */
export function nonceToU128(n: Uint8Array): bigint {
  let value = 0n;
  for (let i = n.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(n[i]!);
  return value;
}

/** The 16 nonce bytes N of a u128 nonce (inverse of nonceToU128). */
export function u128ToNonce(value: bigint): Uint8Array {
  const out = new Uint8Array(NONCE_BYTES);
  let v = value;
  for (let i = 0; i < NONCE_BYTES; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}
