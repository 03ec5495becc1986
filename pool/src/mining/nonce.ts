/**
 * The 16-byte CKB nonce N and how an SV2 channel's nonce space is laid out in it (docs/protocol.md
 * §2): the pool's `extranonce_prefix` and the `miner_part` the share carries, in one of two orders.
 *
 *   prefix-first (SV2's own order, the default):  N = extranonce_prefix || miner_part
 *   prefix-last  (extension 0x4e02, §9):         N = miner_part || extranonce_prefix
 *
 *   standard channel: miner_part = version (u32 LE) || nonce (u32 LE), prefix 8 bytes
 *   extended channel: miner_part = extranonce || nonce (u32 LE), len(prefix) + len(extranonce) + 4 = 16
 *
 * N is the byte string hashed after pow_hash; `submit_block` carries it as the u128 whose
 * little-endian bytes are N, whatever the layout.
 */

/** Nonce bytes fed to Eaglesong after pow_hash. */
export const NONCE_BYTES = 16;
/** The u32 `nonce` field of every share. */
export const NONCE_U32_BYTES = 4;

export type NonceLayout = 'prefix-first' | 'prefix-last';

/** Where the miner part starts in N. */
function minerAt(prefixLength: number, layout: NonceLayout): number {
  return layout === 'prefix-first' ? prefixLength : 0;
}

/** Where the prefix starts in N. */
export function prefixAt(prefixLength: number, layout: NonceLayout): number {
  return layout === 'prefix-first' ? 0 : NONCE_BYTES - prefixLength;
}

function writeU32LE(out: Uint8Array, at: number, value: number): void {
  out[at] = value & 0xff;
  out[at + 1] = (value >>> 8) & 0xff;
  out[at + 2] = (value >>> 16) & 0xff;
  out[at + 3] = (value >>> 24) & 0xff;
}

function readU32LE(n: Uint8Array, at: number): number {
  return (n[at]! | (n[at + 1]! << 8) | (n[at + 2]! << 16) | (n[at + 3]! << 24)) >>> 0;
}

/** Writes N for a standard-channel share (prefix of 8 bytes) into `out` and returns it. */
export function standardNonce(
  prefix: Uint8Array,
  version: number,
  nonce: number,
  out: Uint8Array = new Uint8Array(NONCE_BYTES),
  layout: NonceLayout = 'prefix-first',
): Uint8Array {
  const m = minerAt(prefix.length, layout);
  out.set(prefix, prefixAt(prefix.length, layout));
  writeU32LE(out, m, version);
  writeU32LE(out, m + 4, nonce);
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
  layout: NonceLayout = 'prefix-first',
): Uint8Array {
  const m = minerAt(prefix.length, layout);
  out.set(prefix, prefixAt(prefix.length, layout));
  out.set(extranonce, m);
  writeU32LE(out, m + extranonce.length, nonce);
  return out;
}

/** The SubmitSharesExtended fields that rebuild N on a channel with this prefix length (inverse of extendedNonce). */
export function extendedFields(
  n: Uint8Array,
  prefixLength: number,
  layout: NonceLayout,
): { extranonce: Uint8Array; nonce: number } {
  const m = minerAt(prefixLength, layout);
  const size = NONCE_BYTES - prefixLength - NONCE_U32_BYTES;
  return { extranonce: n.slice(m, m + size), nonce: readU32LE(n, m + size) };
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
