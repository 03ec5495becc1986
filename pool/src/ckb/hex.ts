/**
 * Hex encodings as CKB's JSON-RPC writes them: `0x`-prefixed, byte strings in byte order (no reversal),
 * unsigned integers as minimal lowercase hex (`0x0`, never `0x00` or `0x01`: the node rejects
 * "redundant leading zeros", `util/jsonrpc-types/src/uints.rs`).
 */

/** Thrown for a hex string that is not what CKB's JSON-RPC would accept. */
export class CkbHexError extends Error {
  override name = 'CkbHexError';
}

const HEX_BODY = /^[0-9a-fA-F]*$/;
const MINIMAL_UINT = /^0x(0|[1-9a-fA-F][0-9a-fA-F]*)$/;

/** `0x…` → bytes; `length` (bytes) is checked when given. */
export function hexToBytes(hex: string, length?: number): Uint8Array {
  if (
    typeof hex !== 'string' ||
    !hex.startsWith('0x') ||
    hex.length % 2 !== 0 ||
    !HEX_BODY.test(hex.slice(2))
  ) {
    throw new CkbHexError(`not a 0x-prefixed even-length hex string: ${JSON.stringify(hex)?.slice(0, 80)}`);
  }
  if (length !== undefined && hex.length !== 2 + 2 * length) {
    throw new CkbHexError(`expected ${length} bytes, got ${(hex.length - 2) / 2}: ${hex.slice(0, 80)}`);
  }
  // A copy: small Buffers are slices of a shared pool, which must not leak into long-lived values.
  return new Uint8Array(Buffer.from(hex.slice(2), 'hex'));
}

/** bytes → `0x…` */
export function bytesToHex(bytes: Uint8Array): string {
  return '0x' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Parses a JSON-RPC unsigned integer (`0x`-prefixed hex); `bits` bounds it. Leading zeros are tolerated on input. */
export function hexToUint(hex: string, bits = 64): bigint {
  if (typeof hex !== 'string' || !/^0x[0-9a-fA-F]+$/.test(hex)) {
    throw new CkbHexError(`not a 0x-prefixed hex integer: ${JSON.stringify(hex)?.slice(0, 80)}`);
  }
  const value = BigInt(hex);
  if (value >> BigInt(bits) !== 0n) throw new CkbHexError(`${hex} does not fit in ${bits} bits`);
  return value;
}

/** Same as hexToUint for values that fit a JS number (u32 fields). */
export function hexToU32(hex: string): number {
  return Number(hexToUint(hex, 32));
}

/** Unsigned integer → minimal `0x` hex as the node requires. */
export function uintToHex(value: bigint | number): string {
  if (typeof value === 'number' ? !Number.isSafeInteger(value) || value < 0 : value < 0n) {
    throw new CkbHexError(`not an unsigned integer: ${value}`);
  }
  return '0x' + value.toString(16);
}

/** True when `hex` is a minimal JSON-RPC unsigned integer (what the node's serde accepts). */
export function isMinimalUintHex(hex: string): boolean {
  return MINIMAL_UINT.test(hex);
}
