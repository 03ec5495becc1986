/**
 * TLV fields appended to a message payload ([SPEC] 03-Protocol-Overview.md §3.4.3) and the one
 * TLV this pool knows: extension 0x0002 Worker-Specific Hashrate Tracking, field 0x01
 * `user_identity`, appended to SubmitSharesExtended ([SPEC] extensions/0x0002-…md).
 *
 * Layout as SRI encodes it ([SRI] sv2/parsers-sv2/src/tlv/codec.rs @ 2680220, `Tlv::encode`):
 *   extension_type U16 LE | field_type U8 | length U16 LE | value (length bytes)
 * The spec's example bytes (`00 02 01 00 0A …`) are big-endian; SRI writes little-endian like every
 * other SV2 integer (`02 00 01 0a 00 …`), and so do we: the SRI bytes are the interoperable ones.
 */
import type { Reader } from './reader.js';
import { utf8ByteLength } from './utf8.js';
import type { Writer } from './writer.js';

/** extension_type of Worker-Specific Hashrate Tracking (SRI `EXTENSION_TYPE_WORKER_HASHRATE_TRACKING`). */
export const EXTENSION_TYPE_WORKER_HASHRATE_TRACKING = 0x0002;
/** field_type of `user_identity` within extension 0x0002 (SRI `TLV_FIELD_TYPE_USER_IDENTITY`). */
export const TLV_FIELD_TYPE_USER_IDENTITY = 0x01;
/** Longest `user_identity` value in UTF-8 bytes (SRI `MAX_USER_IDENTITY_LENGTH`). */
export const MAX_TLV_USER_IDENTITY_BYTES = 32;
/** extension_type U16 + field_type U8 + length U16. */
export const TLV_HEADER_SIZE = 5;
/**
 * Eaglepool's own extension, in the experimental range 0x4000–0x7fff ([SPEC] §3.4.1): the same
 * user_identity field (type 0x01) for names up to 255 bytes, as long as `OpenExtendedMiningChannel`
 * allows. A CKB worker name (a 46- to 97-character address plus `.worker`) does not fit 0x0002's
 * 32 bytes. Negotiated like 0x0002; pools that do not know it answer without it, and receivers
 * that did not negotiate it skip it by length.
 */
export const EXTENSION_TYPE_EAGLEPOOL_LONG_IDENTITY = 0x4e01;
/** Longest value of the long user_identity TLV (STR0_255's bound). */
export const MAX_TLV_LONG_USER_IDENTITY_BYTES = 255;

/** The identity TLVs a SubmitSharesExtended may carry. */
export interface IdentityTlvs {
  /** Extension 0x0002, <= 32 bytes. */
  userIdentity?: string;
  /** Extension 0x4e01 (Eaglepool), <= 255 bytes. */
  longUserIdentity?: string;
}

const TLV_KINDS = [
  {
    key: 'userIdentity',
    extensionType: EXTENSION_TYPE_WORKER_HASHRATE_TRACKING,
    max: MAX_TLV_USER_IDENTITY_BYTES,
  },
  {
    key: 'longUserIdentity',
    extensionType: EXTENSION_TYPE_EAGLEPOOL_LONG_IDENTITY,
    max: MAX_TLV_LONG_USER_IDENTITY_BYTES,
  },
] as const;

/**
 * Encoded size of the identity TLVs (0 when absent). A value that cannot be sent (too long, or a
 * lone surrogate) counts 0 here; the writer then rejects it.
 */
export function identityTlvsSize(m: IdentityTlvs): number {
  let size = 0;
  for (const k of TLV_KINDS) {
    const identity = m[k.key];
    if (identity === undefined) continue;
    const n = typeof identity === 'string' ? utf8ByteLength(identity) : -1;
    if (n >= 0 && n <= k.max) size += TLV_HEADER_SIZE + n;
  }
  return size;
}

/** Appends the identity TLVs that are set (0x0002 first). */
export function writeIdentityTlvs(w: Writer, m: IdentityTlvs): void {
  for (const k of TLV_KINDS) {
    const identity = m[k.key];
    if (identity === undefined) continue;
    const field = k.key;
    if (typeof identity !== 'string') w.fail(field, `${String(identity)} is not a string`);
    const n = utf8ByteLength(identity);
    if (n < 0) w.fail(field, 'string holds a lone surrogate (no UTF-8 form)');
    if (n > k.max) w.fail(field, `${field} TLV is ${n} UTF-8 bytes, more than ${k.max}`);
    w.u16(k.extensionType, field);
    w.u8(TLV_FIELD_TYPE_USER_IDENTITY, field);
    w.u16(n, field);
    w.utf8(identity, n, field);
  }
}

/**
 * Reads the TLV list that fills the rest of the payload and returns the identity values (the
 * first of each if repeated). TLVs of other extensions or fields are skipped by their length.
 * Throws Sv2ProtocolError for a truncated header or value, a value longer than its extension
 * allows ("the recipient MUST reject the message", [SPEC] §3.4.3) or one that is not UTF-8.
 * Whether an extension was negotiated is the receiver's business: it ignores the value if not.
 */
export function readIdentityTlvs(r: Reader): IdentityTlvs {
  const out: IdentityTlvs = {};
  forEachTlv(r, (extensionType, fieldType, length) => {
    const kind =
      fieldType === TLV_FIELD_TYPE_USER_IDENTITY
        ? TLV_KINDS.find((k) => k.extensionType === extensionType)
        : undefined;
    if (!kind) return false;
    if (length > kind.max) r.fail(kind.key, `${kind.key} TLV of ${length} bytes exceeds ${kind.max}`);
    const value = r.utf8(length, kind.key);
    out[kind.key] ??= value;
    return true;
  });
  return out;
}

/**
 * Walks the TLV list that fills the rest of the payload: `visit` reads the value of a TLV it
 * knows and returns true; the others are skipped by their length.
 */
function forEachTlv(
  r: Reader,
  visit: (extensionType: number, fieldType: number, length: number) => boolean,
): void {
  while (r.remaining > 0) {
    if (r.remaining < TLV_HEADER_SIZE) r.fail('tlv', `truncated TLV header: ${r.remaining} byte(s)`);
    const extensionType = r.u16('tlv.extensionType');
    const fieldType = r.u8('tlv.fieldType');
    const length = r.u16('tlv.length');
    if (!visit(extensionType, fieldType, length)) r.skip(length, 'tlv.value');
  }
}

/**
 * Eaglepool's extension 0x4e02, the CKB nonce layout (docs/protocol.md §9): a client that
 * negotiated it may append this TLV to OpenStandardMiningChannel / OpenExtendedMiningChannel to
 * ask that the pool's extranonce_prefix END the 16-byte nonce instead of beginning it (firmware
 * such as NerdMiner_CKB puts the pool's bytes at the tail). Field 0x01, length 1, value
 * NONCE_LAYOUT_PREFIX_FIRST (0, SV2's order) or NONCE_LAYOUT_PREFIX_LAST (1).
 */
export const EXTENSION_TYPE_EAGLEPOOL_NONCE_LAYOUT = 0x4e02;
export const TLV_FIELD_TYPE_NONCE_LAYOUT = 0x01;
export const NONCE_LAYOUT_PREFIX_FIRST = 0;
export const NONCE_LAYOUT_PREFIX_LAST = 1;

/** The layout TLV a channel-open message may carry. */
export interface NonceLayoutTlv {
  /** Extension 0x4e02: 0 prefix first, 1 prefix last; undefined = no TLV. */
  nonceLayout?: number | undefined;
}

export function nonceLayoutTlvSize(m: NonceLayoutTlv): number {
  return m.nonceLayout === undefined ? 0 : TLV_HEADER_SIZE + 1;
}

export function writeNonceLayoutTlv(w: Writer, m: NonceLayoutTlv): void {
  const v = m.nonceLayout;
  if (v === undefined) return;
  if (v !== NONCE_LAYOUT_PREFIX_FIRST && v !== NONCE_LAYOUT_PREFIX_LAST)
    w.fail('nonceLayout', `${String(v)} is not 0 (prefix first) or 1 (prefix last)`);
  w.u16(EXTENSION_TYPE_EAGLEPOOL_NONCE_LAYOUT, 'nonceLayout');
  w.u8(TLV_FIELD_TYPE_NONCE_LAYOUT, 'nonceLayout');
  w.u16(1, 'nonceLayout');
  w.u8(v, 'nonceLayout');
}

/**
 * Reads the TLV list that fills the rest of the payload and returns the nonce layout (the first
 * if repeated); other TLVs are skipped by their length. A layout TLV whose length is not 1 or
 * whose value is not 0 or 1 is a protocol error (Sv2ProtocolError).
 */
export function readNonceLayoutTlv(r: Reader): number | undefined {
  let layout: number | undefined;
  forEachTlv(r, (extensionType, fieldType, length) => {
    if (extensionType !== EXTENSION_TYPE_EAGLEPOOL_NONCE_LAYOUT || fieldType !== TLV_FIELD_TYPE_NONCE_LAYOUT)
      return false;
    if (length !== 1) r.fail('nonceLayout', `nonce layout TLV of ${length} bytes, expected 1`);
    const v = r.u8('nonceLayout');
    if (v > NONCE_LAYOUT_PREFIX_LAST) r.fail('nonceLayout', `nonce layout ${v} is not 0 or 1`);
    layout ??= v;
    return true;
  });
  return layout;
}
