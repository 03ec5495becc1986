import type { Aead, AeadKey } from './aead.js';
import { writeNonce } from './aead.js';
import { MAC_LEN } from './constants.js';
import { NoiseError } from './errors.js';

/**
 * The 12-byte nonce of the operation in progress, shared by every cipher state: it is written
 * and consumed within one synchronous seal/open, so no connection needs its own.
 */
const nonceBytes = new Uint8Array(12);

/** Noise CipherState: a key and a nonce counter; the counter only advances on success (as SRI). */
export class CipherState {
  private readonly key: AeadKey;
  private n = 0;

  constructor(aead: Aead, key: Uint8Array) {
    this.key = aead.key(key);
  }

  get nonce(): number {
    return this.n;
  }

  /** Encrypts `pt` into `out` at `outOff` (pt.length + 16 bytes). */
  encryptInto(ad: Uint8Array, pt: Uint8Array, out: Uint8Array, outOff: number): void {
    if (this.n >= Number.MAX_SAFE_INTEGER) throw new NoiseError('NONCE_EXHAUSTED', 'nonce counter exhausted');
    writeNonce(nonceBytes, this.n);
    this.key.seal(nonceBytes, ad, pt, out, outOff);
    this.n++;
  }

  /** Decrypts `ct` (incl. MAC) into `out` at `outOff`; throws BAD_MAC without advancing the nonce. */
  decryptInto(ad: Uint8Array, ct: Uint8Array, out: Uint8Array, outOff: number): void {
    if (ct.length < MAC_LEN) throw new NoiseError('BAD_LENGTH', 'ciphertext shorter than its MAC');
    if (this.n >= Number.MAX_SAFE_INTEGER) throw new NoiseError('NONCE_EXHAUSTED', 'nonce counter exhausted');
    writeNonce(nonceBytes, this.n);
    if (!this.key.open(nonceBytes, ad, ct, out, outOff))
      throw new NoiseError('BAD_MAC', 'AEAD authentication failed');
    this.n++;
  }

  encrypt(ad: Uint8Array, pt: Uint8Array): Uint8Array {
    const out = new Uint8Array(pt.length + MAC_LEN);
    this.encryptInto(ad, pt, out, 0);
    return out;
  }

  decrypt(ad: Uint8Array, ct: Uint8Array): Uint8Array {
    const out = new Uint8Array(Math.max(0, ct.length - MAC_LEN));
    this.decryptInto(ad, ct, out, 0);
    return out;
  }
}
