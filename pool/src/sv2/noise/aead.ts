/**
 * ChaCha20-Poly1305 (RFC 8439) behind one small interface, so the transport can use the fastest
 * correct implementation. Nonces are Noise's: 4 zero bytes ‖ u64 little-endian counter.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { MAC_LEN } from './constants.js';

/**
 * One key. `seal` writes `pt.length + 16` bytes at `out[outOff]`; `open` writes `ct.length - 16`.
 * `nonce` is the 12-byte RFC 8439 nonce.
 */
export interface AeadKey {
  seal(nonce: Uint8Array, ad: Uint8Array, pt: Uint8Array, out: Uint8Array, outOff: number): void;
  /** Returns false (and leaves `out` unspecified) when the MAC does not verify. */
  open(nonce: Uint8Array, ad: Uint8Array, ct: Uint8Array, out: Uint8Array, outOff: number): boolean;
}

export interface Aead {
  readonly name: string;
  key(key: Uint8Array): AeadKey;
}

export const EMPTY = new Uint8Array(0);

/** Writes the 12-byte Noise nonce for counter `n` (< 2^53) into `buf`. */
export function writeNonce(buf: Uint8Array, n: number): void {
  buf[0] = buf[1] = buf[2] = buf[3] = 0;
  let lo = n >>> 0;
  let hi = Math.floor(n / 0x100000000);
  for (let i = 4; i < 8; i++, lo >>>= 8) buf[i] = lo & 0xff;
  for (let i = 8; i < 12; i++, hi >>>= 8) buf[i] = hi & 0xff;
}

/** OpenSSL through `node:crypto`: one cipher object per operation. */
export const nodeAead: Aead = {
  name: 'node:crypto',
  key(key: Uint8Array): AeadKey {
    const k = Buffer.from(key);
    return {
      seal(nonce, ad, pt, out, outOff) {
        const c = createCipheriv('chacha20-poly1305', k, nonce, { authTagLength: MAC_LEN });
        if (ad.length > 0) c.setAAD(ad, { plaintextLength: pt.length });
        const body = c.update(pt);
        c.final();
        out.set(body, outOff);
        out.set(c.getAuthTag(), outOff + pt.length);
      },
      open(nonce, ad, ct, out, outOff) {
        if (ct.length < MAC_LEN) return false;
        const ptLen = ct.length - MAC_LEN;
        const d = createDecipheriv('chacha20-poly1305', k, nonce, { authTagLength: MAC_LEN });
        d.setAuthTag(ct.subarray(ptLen));
        if (ad.length > 0) d.setAAD(ad, { plaintextLength: ptLen });
        const body = d.update(ct.subarray(0, ptLen));
        try {
          d.final();
        } catch {
          return false;
        }
        out.set(body, outOff);
        return true;
      },
    };
  },
};

/** @noble/ciphers (pure JS, audited). */
export const nobleAead: Aead = {
  name: '@noble/ciphers',
  key(key: Uint8Array): AeadKey {
    const k = Uint8Array.from(key);
    return {
      seal(nonce, ad, pt, out, outOff) {
        out.set(chacha20poly1305(k, nonce, ad).encrypt(pt), outOff);
      },
      open(nonce, ad, ct, out, outOff) {
        if (ct.length < MAC_LEN) return false;
        let pt: Uint8Array;
        try {
          pt = chacha20poly1305(k, nonce, ad).decrypt(ct);
        } catch {
          return false;
        }
        out.set(pt, outOff);
        return true;
      },
    };
  },
};
