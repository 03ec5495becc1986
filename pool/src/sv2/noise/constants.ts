/** Sizes and constants of `Noise_NX_Secp256k1+EllSwift_ChaChaPoly_SHA256` as SV2 (SRI noise_sv2) uses it. */

export const PROTOCOL_NAME = 'Noise_NX_Secp256k1+EllSwift_ChaChaPoly_SHA256';
export const MAC_LEN = 16;
export const ELLSWIFT_LEN = 64;
export const CERTIFICATE_LEN = 74;
/** Act 1 (initiator → responder): the initiator's ephemeral key, ElligatorSwift-encoded, in clear. */
export const ACT1_LEN = ELLSWIFT_LEN;
/**
 * Act 2 (responder → initiator): ephemeral key (64) ‖ encrypted static key (64+16) ‖ encrypted certificate
 * (74+16) = 234. The spec's prose still says 170 (a leftover from 32-byte keys); SRI sends 234.
 */
export const ACT2_LEN = ELLSWIFT_LEN + (ELLSWIFT_LEN + MAC_LEN) + (CERTIFICATE_LEN + MAC_LEN);
/** Plain SV2 frame header: extension_type u16 ‖ msg_type u8 ‖ msg_length u24. */
export const FRAME_HEADER_LEN = 6;
export const ENCRYPTED_HEADER_LEN = FRAME_HEADER_LEN + MAC_LEN;
/** Largest encrypted chunk (plaintext + MAC) of a frame payload. */
export const MAX_CHUNK_LEN = 65535;
export const MAX_CHUNK_PLAINTEXT = MAX_CHUNK_LEN - MAC_LEN;
/** Largest SV2 payload (msg_length is a u24). */
export const MAX_PAYLOAD_LEN = 0xffffff;
/** SRI accepts a certificate this many seconds before valid_from / after not_valid_after (clock skew). */
export const CERT_TIME_LEEWAY_S = 10;
/** Default certificate lifetime when the responder signs per handshake (SRI's `cert_validity_sec`). */
export const DEFAULT_CERT_VALIDITY_S = 3600;

/** Ciphertext length of a `payloadLen`-byte payload: one MAC per ≤65519-byte chunk. */
export function encryptedPayloadLength(payloadLen: number): number {
  return payloadLen + MAC_LEN * Math.ceil(payloadLen / MAX_CHUNK_PLAINTEXT);
}
