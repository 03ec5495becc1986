/** Noise SymmetricState (h, ck, k) with SHA-256 and HMAC-SHA256 HKDF, as SRI's `HandshakeOp`. */
import { createHash, createHmac } from 'node:crypto';
import type { Aead } from './aead.js';
import { EMPTY } from './aead.js';
import { CipherState } from './cipher-state.js';
import { PROTOCOL_NAME } from './constants.js';

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export function hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

const ONE = Uint8Array.of(1);
const TWO = Uint8Array.of(2);

/** Noise HKDF with two outputs: temp = HMAC(ck, ikm); o1 = HMAC(temp, 0x01); o2 = HMAC(temp, o1 ‖ 0x02). */
export function hkdf2(chainingKey: Uint8Array, ikm: Uint8Array): [Uint8Array, Uint8Array] {
  const temp = hmacSha256(chainingKey, ikm);
  const o1 = hmacSha256(temp, ONE);
  const o2 = hmacSha256(temp, o1, TWO);
  return [o1, o2];
}

/** SHA256(protocol name): the initial chaining key (the name is longer than 32 bytes). */
export const INITIAL_CK = sha256(new TextEncoder().encode(PROTOCOL_NAME));
/** SRI's initial h = SHA256(ck), i.e. Noise's MixHash of the empty prologue; the same for every handshake. */
const INITIAL_H = sha256(INITIAL_CK);

export class SymmetricState {
  h: Uint8Array;
  ck: Uint8Array;
  private cipher: CipherState | undefined;

  constructor(private readonly aead: Aead) {
    this.ck = INITIAL_CK;
    this.h = INITIAL_H;
  }

  mixHash(data: Uint8Array): void {
    this.h = sha256(this.h, data);
  }

  mixKey(ikm: Uint8Array): void {
    const [ck, k] = hkdf2(this.ck, ikm);
    this.ck = ck;
    this.cipher = new CipherState(this.aead, k);
  }

  /** Encrypts with ad = h when a key is set (else passes through), then hashes the ciphertext. */
  encryptAndHash(pt: Uint8Array): Uint8Array {
    const ct = this.cipher ? this.cipher.encrypt(this.h, pt) : pt;
    this.mixHash(ct);
    return ct;
  }

  /** Decrypts with ad = h when a key is set, then hashes the ciphertext (not the plaintext). */
  decryptAndHash(ct: Uint8Array): Uint8Array {
    const pt = this.cipher ? this.cipher.decrypt(this.h, ct) : ct;
    this.mixHash(ct);
    return pt;
  }

  /** (c1, c2) = HKDF(ck, ∅): c1 carries initiator → responder, c2 responder → initiator. */
  split(): [Uint8Array, Uint8Array] {
    return hkdf2(this.ck, EMPTY);
  }
}
