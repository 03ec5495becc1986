/**
 * SV2 SIGNATURE_NOISE_MESSAGE (74 bytes): version u16 ‖ valid_from u32 ‖ not_valid_after u32 ‖ BIP-340
 * signature (64). The authority signs SHA256(first 10 bytes ‖ x-only responder static key), as SRI's
 * `signature_message.rs` does.
 */
import * as secp from 'tiny-secp256k1';
import { CERTIFICATE_LEN, CERT_TIME_LEEWAY_S } from './constants.js';
import { NoiseError } from './errors.js';
import { sha256 } from './symmetric-state.js';

export interface Certificate {
  version: number;
  /** Unix seconds. */
  validFrom: number;
  /** Unix seconds. */
  notValidAfter: number;
  signature: Uint8Array;
}

export function encodeCertificate(c: Certificate): Uint8Array {
  const out = new Uint8Array(CERTIFICATE_LEN);
  const v = new DataView(out.buffer);
  v.setUint16(0, c.version, true);
  v.setUint32(2, c.validFrom, true);
  v.setUint32(6, c.notValidAfter, true);
  out.set(c.signature, 10);
  return out;
}

export function decodeCertificate(b: Uint8Array): Certificate {
  if (b.length !== CERTIFICATE_LEN)
    throw new NoiseError('BAD_LENGTH', `certificate must be 74 bytes, got ${b.length}`);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    version: v.getUint16(0, true),
    validFrom: v.getUint32(2, true),
    notValidAfter: v.getUint32(6, true),
    signature: b.slice(10),
  };
}

/** The 32-byte digest the authority signs. */
export function certificateDigest(c: Omit<Certificate, 'signature'>, staticXOnly: Uint8Array): Uint8Array {
  const head = encodeCertificate({ ...c, signature: new Uint8Array(64) }).subarray(0, 10);
  return sha256(head, staticXOnly);
}

export function signCertificate(
  fields: { version?: number; validFrom: number; notValidAfter: number },
  staticXOnly: Uint8Array,
  authoritySecretKey: Uint8Array,
  auxRand: Uint8Array,
): Certificate {
  const c = {
    version: fields.version ?? 0,
    validFrom: fields.validFrom,
    notValidAfter: fields.notValidAfter,
  };
  const signature = Uint8Array.from(
    secp.signSchnorr(certificateDigest(c, staticXOnly), authoritySecretKey, auxRand),
  );
  return { ...c, signature };
}

/**
 * Throws CERT_NOT_YET_VALID / CERT_EXPIRED / CERT_BAD_SIGNATURE. Same window as SRI:
 * valid_from − 10 ≤ now ≤ not_valid_after + 10. Like SRI, the version is not checked.
 */
export function verifyCertificate(
  c: Certificate,
  staticXOnly: Uint8Array,
  authorityXOnly: Uint8Array,
  nowSeconds: number,
): void {
  if (nowSeconds < c.validFrom - CERT_TIME_LEEWAY_S) {
    throw new NoiseError('CERT_NOT_YET_VALID', `certificate valid from ${c.validFrom}, now ${nowSeconds}`);
  }
  if (nowSeconds > c.notValidAfter + CERT_TIME_LEEWAY_S) {
    throw new NoiseError('CERT_EXPIRED', `certificate expired at ${c.notValidAfter}, now ${nowSeconds}`);
  }
  let ok = false;
  try {
    ok = secp.verifySchnorr(certificateDigest(c, staticXOnly), authorityXOnly, c.signature);
  } catch {
    ok = false;
  }
  if (!ok) throw new NoiseError('CERT_BAD_SIGNATURE', 'certificate not signed by the expected authority key');
}
