import { describe, expect, it } from 'vitest';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { nodeAead } from './aead.js';
import { INITIAL_CK, SymmetricState, hkdf2, hmacSha256, sha256 } from './symmetric-state.js';
import { hex, unhex } from './testing/util.js';

describe('Noise symmetric state', () => {
  it('starts from SRI NOISE_HASHED_PROTOCOL_NAME_CHACHA and h = SHA256(ck)', () => {
    // SRI noise-sv2/src/lib.rs: [46, 180, 120, 129, 32, 142, 158, 238, ...]
    expect(hex(INITIAL_CK)).toBe('2eb47881208e9eee1f669f67c66ee70ea9ea88090d503fe830dc4bc83e29bf10');
    const ss = new SymmetricState(nodeAead);
    expect(hex(ss.h)).toBe('922fa32e4f487c0d59caa3bed7899ce3d98db7e13dbd3b7cf2d23dd433dc6104');
  });

  it('HMAC-SHA256 matches @noble/hashes, and HKDF equals RFC 5869 with salt = ck, empty info, 64 bytes', () => {
    for (const len of [0, 1, 32, 64, 90]) {
      const ck = nobleSha256(Uint8Array.of(len));
      const ikm = new Uint8Array(len).fill(len);
      expect(hex(hmacSha256(ck, ikm))).toBe(hex(hmac(nobleSha256, ck, ikm)));
      const [o1, o2] = hkdf2(ck, ikm);
      const okm = hkdf(nobleSha256, ikm, ck, new Uint8Array(0), 64);
      expect(hex(o1) + hex(o2)).toBe(hex(okm));
    }
  });

  it('SRI test_hkdf2 / test_mix_key construction with zero keys', () => {
    const zero = new Uint8Array(32);
    const temp = hmacSha256(zero, zero);
    const e1 = hmacSha256(temp, Uint8Array.of(1));
    const e2 = hmacSha256(temp, e1, Uint8Array.of(2));
    const [o1, o2] = hkdf2(zero, zero);
    expect(o1).toEqual(e1);
    expect(o2).toEqual(e2);
    const ss = new SymmetricState(nodeAead);
    ss.ck = zero;
    ss.mixKey(zero);
    expect(ss.ck).toEqual(e1);
  });

  it('MixHash is h = SHA256(h ‖ data); EncryptAndHash without a key only hashes', () => {
    const ss = new SymmetricState(nodeAead);
    const h0 = ss.h;
    ss.mixHash(unhex('00'.repeat(32)));
    expect(ss.h).toEqual(sha256(h0, new Uint8Array(32)));
    const h1 = ss.h;
    expect(ss.encryptAndHash(new Uint8Array(0))).toEqual(new Uint8Array(0));
    expect(ss.h).toEqual(sha256(h1));
  });

  it('encryptAndHash / decryptAndHash agree and both hash the ciphertext', () => {
    const a = new SymmetricState(nodeAead);
    const b = new SymmetricState(nodeAead);
    a.mixKey(new Uint8Array(32));
    b.mixKey(new Uint8Array(32));
    const pt = Uint8Array.of(1, 7, 92, 3, 4, 5);
    const ct = a.encryptAndHash(pt);
    expect(ct.length).toBe(pt.length + 16);
    expect(b.decryptAndHash(ct)).toEqual(pt);
    expect(a.h).toEqual(b.h);
  });
});
