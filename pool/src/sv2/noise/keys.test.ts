import { describe, expect, it } from 'vitest';
import { schnorr } from '@noble/curves/secp256k1.js';
import {
  authorityKeyBytes,
  parseAuthorityPublicKey,
  parseSecretKey,
  decodeAuthorityPublicKey,
  decodeSecretKey,
  encodeAuthorityPublicKey,
  encodeSecretKey,
  generateAuthorityKeys,
} from './keys.js';
import { createBase58check } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { NoiseError } from './errors.js';

const b58c = createBase58check(sha256);
import { hex } from './testing/util.js';

describe('SRI key encodings', () => {
  it('matches the spec §4.7 authority key example', () => {
    const raw = Uint8Array.from([
      118, 99, 112, 0, 151, 156, 28, 17, 175, 12, 48, 11, 205, 140, 127, 228, 134, 16, 252, 233, 185, 193, 30,
      61, 174, 227, 90, 224, 176, 138, 116, 85,
    ]);
    expect(encodeAuthorityPublicKey(raw)).toBe('9bXiEd8boQVhq7WddEcERUL5tyyJVFYdU8th3HfbNXK3Yw6GRXh');
    expect(hex(decodeAuthorityPublicKey('9bXiEd8boQVhq7WddEcERUL5tyyJVFYdU8th3HfbNXK3Yw6GRXh'))).toBe(
      hex(raw),
    );
  });

  it('decodes the key pair every SRI example config uses, and the public key matches the secret', () => {
    const sk = decodeSecretKey('mkDLTBBRxdBv998612qipDYoTK3YUrqLe8uWw7gu3iXbSrn2n');
    expect(hex(sk)).toBe('65995eb19631f478a46ffa5cf1e545091efe950eaeac7482ffdc06eb6a89f697');
    const pk = decodeAuthorityPublicKey('9auqWEzQDVyd2oe1JVGFLMLHZtCo2FFqZwtKA5gd9xbuEu7PH72');
    expect(hex(pk)).toBe('24ee3c3804a1aaa4c03b80ea19f7a5863c916e8994b7db94a3bad7ee092b6ce7');
    expect(hex(schnorr.getPublicKey(sk))).toBe(hex(pk));
    expect(encodeSecretKey(sk)).toBe('mkDLTBBRxdBv998612qipDYoTK3YUrqLe8uWw7gu3iXbSrn2n');
  });

  it('matches key_utils second vector pair', () => {
    const sk = decodeSecretKey('zmBEmPhqo3A92FkiLVvyCz6htc3e53ph3ZbD4ASqGaLjwnFLi');
    expect(encodeAuthorityPublicKey(schnorr.getPublicKey(sk))).toBe(
      '9bDuixKmZqAJnrmP746n8zU1wyAQRrus7th9dxnkPg6RzQvCnan',
    );
  });

  it('rejects bad checksum, wrong version, wrong length with KEY_ENCODING', () => {
    const good = '9auqWEzQDVyd2oe1JVGFLMLHZtCo2FFqZwtKA5gd9xbuEu7PH72';
    const badChecksum = good.slice(0, -1) + (good.endsWith('2') ? '3' : '2');
    const pk = decodeAuthorityPublicKey(good);
    const secretAsAuthority = 'mkDLTBBRxdBv998612qipDYoTK3YUrqLe8uWw7gu3iXbSrn2n';
    for (const bad of [badChecksum, secretAsAuthority, '', 'not base58 0OIl']) {
      expect(() => decodeAuthorityPublicKey(bad)).toThrow(NoiseError);
    }
    expect(() => decodeSecretKey(good)).toThrow(NoiseError);
    const v2 = b58c.encode(Uint8Array.from([2, 0, ...pk]));
    expect(() => decodeAuthorityPublicKey(v2)).toThrow(/version 2/);
    const short = b58c.encode(Uint8Array.from([1, 0, ...pk.subarray(1)]));
    expect(() => decodeAuthorityPublicKey(short)).toThrow(/34 bytes/);
    expect(() => decodeAuthorityPublicKey(badChecksum)).toThrow(
      expect.objectContaining({ code: 'KEY_ENCODING' }),
    );
  });

  it('generates authority keys whose encodings round-trip', () => {
    const k = generateAuthorityKeys();
    expect(decodeAuthorityPublicKey(k.encoded.publicKey)).toEqual(k.publicKey);
    expect(decodeSecretKey(k.encoded.secretKey)).toEqual(k.secretKey);
    expect(hex(schnorr.getPublicKey(k.secretKey))).toBe(hex(k.publicKey));
  });
});

describe('key parsing for configs', () => {
  it('accepts base58check or hex for authority and secret keys', () => {
    const pkHex = '24ee3c3804a1aaa4c03b80ea19f7a5863c916e8994b7db94a3bad7ee092b6ce7';
    expect(hex(parseAuthorityPublicKey(pkHex))).toBe(pkHex);
    expect(hex(parseAuthorityPublicKey('9auqWEzQDVyd2oe1JVGFLMLHZtCo2FFqZwtKA5gd9xbuEu7PH72'))).toBe(pkHex);
    expect(hex(authorityKeyBytes(' 0x' + pkHex + '\n'))).toBe(pkHex);
    const skHex = '65995eb19631f478a46ffa5cf1e545091efe950eaeac7482ffdc06eb6a89f697';
    expect(hex(parseSecretKey(skHex))).toBe(skHex);
    expect(hex(parseSecretKey('mkDLTBBRxdBv998612qipDYoTK3YUrqLe8uWw7gu3iXbSrn2n'))).toBe(skHex);
    expect(() => parseSecretKey('ff'.repeat(32))).toThrow(expect.objectContaining({ code: 'KEY_ENCODING' }));
    // 0x…ff is not an x coordinate on secp256k1 (p < 2^256 - 1).
    expect(() => parseAuthorityPublicKey('ff'.repeat(32))).toThrow(
      expect.objectContaining({ code: 'KEY_ENCODING' }),
    );
    expect(() => authorityKeyBytes(new Uint8Array(33))).toThrow(NoiseError);
  });
});
