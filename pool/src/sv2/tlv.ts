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
 * Encoded size of the user_identity TLV (0 when absent), or -1 when `identity` cannot be sent
 * (longer than 32 UTF-8 bytes, or a lone surrogate); the writer then rejects it.
 */
export function userIdentityTlvSize(identity: string | undefined): number {
  if (identity === undefined) return 0;
  const n = typeof identity === 'string' ? utf8ByteLength(identity) : -1;
  return n < 0 || n > MAX_TLV_USER_IDENTITY_BYTES ? 0 : TLV_HEADER_SIZE + n;
}

/** Appends the user_identity TLV (nothing when `identity` is undefined). */
export function writeUserIdentityTlv(w: Writer, identity: string | undefined): void {
  if (identity === undefined) return;
  const field = 'userIdentity';
  if (typeof identity !== 'string') w.fail(field, `${String(identity)} is not a string`);
  const n = utf8ByteLength(identity);
  if (n < 0) w.fail(field, 'string holds a lone surrogate (no UTF-8 form)');
  if (n > MAX_TLV_USER_IDENTITY_BYTES) {
    w.fail(field, `user_identity TLV is ${n} UTF-8 bytes, more than ${MAX_TLV_USER_IDENTITY_BYTES}`);
  }
  w.u16(EXTENSION_TYPE_WORKER_HASHRATE_TRACKING, field);
  w.u8(TLV_FIELD_TYPE_USER_IDENTITY, field);
  w.u16(n, field);
  w.utf8(identity, n, field);
}

/**
 * Reads the TLV list that fills the rest of the payload and returns the user_identity value
 * (the first one if repeated; undefined if none). TLVs of other extensions or fields are skipped
 * by their length. Throws Sv2ProtocolError for a truncated header or value, a user_identity longer
 * than 32 bytes ("the recipient MUST reject the message", [SPEC] §3.4.3) or one that is not UTF-8.
 * Whether the extension was negotiated is the receiver's business: it ignores the value if not.
 */
export function readTlvUserIdentity(r: Reader): string | undefined {
  let identity: string | undefined;
  while (r.remaining > 0) {
    if (r.remaining < TLV_HEADER_SIZE) r.fail('tlv', `truncated TLV header: ${r.remaining} byte(s)`);
    const extensionType = r.u16('tlv.extensionType');
    const fieldType = r.u8('tlv.fieldType');
    const length = r.u16('tlv.length');
    if (
      extensionType !== EXTENSION_TYPE_WORKER_HASHRATE_TRACKING ||
      fieldType !== TLV_FIELD_TYPE_USER_IDENTITY
    ) {
      r.skip(length, 'tlv.value');
      continue;
    }
    if (length > MAX_TLV_USER_IDENTITY_BYTES) {
      r.fail('userIdentity', `user_identity TLV of ${length} bytes exceeds ${MAX_TLV_USER_IDENTITY_BYTES}`);
    }
    const value = r.utf8(length, 'userIdentity');
    identity ??= value;
  }
  return identity;
}
