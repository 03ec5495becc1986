import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Aead } from './aead.js';
import { EMPTY, nobleAead, nodeAead, writeNonce } from './aead.js';
import { wasmAead } from './wasm-aead.js';
import { hex, unhex } from './testing/util.js';

// RFC 8439 §2.8.2.
const RFC_2_8_2 = {
  key: '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f',
  nonce: '070000004041424344454647',
  ad: '50515253c0c1c2c3c4c5c6c7',
  pt: Buffer.from(
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
  ).toString('hex'),
  ct:
    'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36' +
    '92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116' +
    '1ae10b594f09e26a7e902ecbd0600691',
};
const AEADS: Aead[] = [nodeAead, nobleAead, wasmAead];

describe.each(AEADS)('$name ChaCha20-Poly1305', (aead) => {
  it('seals RFC 8439 §2.8.2', () => {
    const key = aead.key(unhex(RFC_2_8_2.key));
    const pt = unhex(RFC_2_8_2.pt);
    const out = new Uint8Array(pt.length + 16);
    key.seal(unhex(RFC_2_8_2.nonce), unhex(RFC_2_8_2.ad), pt, out, 0);
    expect(hex(out)).toBe(RFC_2_8_2.ct);
    const back = new Uint8Array(pt.length);
    expect(key.open(unhex(RFC_2_8_2.nonce), unhex(RFC_2_8_2.ad), out, back, 0)).toBe(true);
    expect(hex(back)).toBe(RFC_2_8_2.pt);
  });

  it('rejects any single flipped bit of the §2.8.2 ciphertext or tag', () => {
    const key = aead.key(unhex(RFC_2_8_2.key));
    const ct = unhex(RFC_2_8_2.ct);
    const out = new Uint8Array(ct.length - 16);
    for (const i of [0, 57, ct.length - 17, ct.length - 16, ct.length - 1]) {
      ct[i]! ^= 0x80;
      expect(key.open(unhex(RFC_2_8_2.nonce), unhex(RFC_2_8_2.ad), ct, out, 0)).toBe(false);
      ct[i]! ^= 0x80;
    }
    expect(key.open(unhex(RFC_2_8_2.nonce), new Uint8Array(0), ct, out, 0)).toBe(false);
  });

  it('agrees with node:crypto on random inputs and writes at an offset', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ maxLength: 80 }),
        (k, n, pt, ad) => {
          const ref = new Uint8Array(pt.length + 16);
          nodeAead.key(k).seal(n, ad, pt, ref, 0);
          const out = new Uint8Array(pt.length + 19);
          aead.key(k).seal(n, ad, pt, out, 3);
          expect(hex(out.subarray(3))).toBe(hex(ref));
          const back = new Uint8Array(pt.length + 1);
          expect(aead.key(k).open(n, ad, ref, back, 1)).toBe(true);
          expect(hex(back.subarray(1))).toBe(hex(pt));
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('Noise nonce', () => {
  it('is 4 zero bytes then the counter as u64 little-endian (SRI nonce_to_bytes)', () => {
    const b = new Uint8Array(12).fill(9);
    writeNonce(b, 0x0102030405);
    expect(hex(b)).toBe('000000000504030201000000');
    writeNonce(b, Number.MAX_SAFE_INTEGER);
    expect(hex(b)).toBe('00000000ffffffffffff1f00');
  });
});

describe('wasm AEAD specifics', () => {
  it('handles a full 65535-byte chunk and alternating keys like node:crypto', () => {
    const pt = Uint8Array.from({ length: 65519 }, (_, i) => (i * 7) & 0xff);
    const nonce = new Uint8Array(12);
    const keys = [new Uint8Array(32).fill(3), new Uint8Array(32).fill(4)];
    const w = keys.map((k) => wasmAead.key(k));
    const n = keys.map((k) => nodeAead.key(k));
    for (const i of [0, 1, 0, 1]) {
      const a = new Uint8Array(65535);
      const b = new Uint8Array(65535);
      w[i]!.seal(nonce, new Uint8Array(0), pt, a, 0);
      n[i]!.seal(nonce, new Uint8Array(0), pt, b, 0);
      expect(hex(a)).toBe(hex(b));
    }
  });

  it('falls back to node:crypto beyond its buffers (AD > 64 bytes)', () => {
    const k = new Uint8Array(32).fill(5);
    const ad = new Uint8Array(100).fill(1);
    const a = new Uint8Array(19);
    const b = new Uint8Array(19);
    wasmAead.key(k).seal(new Uint8Array(12), ad, Uint8Array.of(1, 2, 3), a, 0);
    nodeAead.key(k).seal(new Uint8Array(12), ad, Uint8Array.of(1, 2, 3), b, 0);
    expect(a).toEqual(b);
  });

  it('one key used through both paths: the lazily made fallback opens what the module sealed', () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 200) & 0xff);
    const key = wasmAead.key(bytes);
    const nonce = Uint8Array.of(0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0);
    const pt = Uint8Array.of(10, 20, 30, 40);
    const bigAd = new Uint8Array(65).fill(7);
    const sealedBig = new Uint8Array(20);
    key.seal(nonce, bigAd, pt, sealedBig, 0); // fallback made here, after module use below
    const sealed = new Uint8Array(20);
    key.seal(nonce, EMPTY, pt, sealed, 0);
    const back = new Uint8Array(4);
    expect(key.open(nonce, bigAd, sealedBig, back, 0)).toBe(true);
    expect(back).toEqual(pt);
    // The module and the fallback hold the same key: each agrees with node:crypto.
    const ref = nodeAead.key(bytes);
    const refBig = new Uint8Array(20);
    ref.seal(nonce, bigAd, pt, refBig, 0);
    const refSmall = new Uint8Array(20);
    ref.seal(nonce, EMPTY, pt, refSmall, 0);
    expect(hex(sealedBig)).toBe(hex(refBig));
    expect(hex(sealed)).toBe(hex(refSmall));
  });

  it('copies the key: a key from a subarray at an odd offset, later overwritten, still works', () => {
    const backing = Uint8Array.from({ length: 40 }, (_, i) => i + 1);
    const key = wasmAead.key(backing.subarray(3, 35));
    const expected = new Uint8Array(17);
    nodeAead
      .key(Uint8Array.from(backing.subarray(3, 35)))
      .seal(new Uint8Array(12), EMPTY, Uint8Array.of(1), expected, 0);
    backing.fill(0);
    const out = new Uint8Array(17);
    key.seal(new Uint8Array(12), EMPTY, Uint8Array.of(1), out, 0);
    expect(hex(out)).toBe(hex(expected));
  });

  it('rejects a key that is not 32 bytes', () => {
    expect(() => wasmAead.key(new Uint8Array(31))).toThrow(RangeError);
  });
});
