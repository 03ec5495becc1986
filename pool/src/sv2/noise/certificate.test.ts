import { describe, expect, it } from 'vitest';
import { schnorr } from '@noble/curves/secp256k1.js';
import {
  certificateDigest,
  decodeCertificate,
  encodeCertificate,
  signCertificate,
  verifyCertificate,
} from './certificate.js';
import { NoiseError } from './errors.js';
import { deterministicRandom, hex } from './testing/util.js';

const random = deterministicRandom('certificate tests');
const authority = random(32);
const authorityPub = schnorr.getPublicKey(authority);
const staticPub = schnorr.getPublicKey(random(32));

describe('SV2 certificate (SIGNATURE_NOISE_MESSAGE)', () => {
  it('is version u16 LE, valid_from u32 LE, not_valid_after u32 LE, then the 64-byte signature', () => {
    const c = {
      version: 0,
      validFrom: 0x01020304,
      notValidAfter: 0x0a0b0c0d,
      signature: new Uint8Array(64).fill(7),
    };
    const b = encodeCertificate(c);
    expect(b.length).toBe(74);
    expect(hex(b.subarray(0, 10))).toBe('0000040302010d0c0b0a');
    expect(decodeCertificate(b)).toEqual(c);
    expect(() => decodeCertificate(b.subarray(1))).toThrow(NoiseError);
  });

  it('signs SHA256(first 10 bytes ‖ static x-only) with BIP-340, interchangeable with @noble/curves', () => {
    const aux = random(32);
    const c = signCertificate({ validFrom: 100, notValidAfter: 200 }, staticPub, authority, aux);
    const digest = certificateDigest(c, staticPub);
    expect(hex(c.signature)).toBe(hex(schnorr.sign(digest, authority, aux)));
    expect(schnorr.verify(c.signature, digest, authorityPub)).toBe(true);
    expect(() => verifyCertificate(c, staticPub, authorityPub, 150)).not.toThrow();
  });

  it('rejects another static key, a changed field, or a garbage signature', () => {
    const c = signCertificate({ validFrom: 100, notValidAfter: 200 }, staticPub, authority, random(32));
    const code = (f: () => void) => {
      try {
        f();
      } catch (e) {
        return (e as NoiseError).code;
      }
      return 'ok';
    };
    expect(code(() => verifyCertificate(c, schnorr.getPublicKey(random(32)), authorityPub, 150))).toBe(
      'CERT_BAD_SIGNATURE',
    );
    expect(code(() => verifyCertificate({ ...c, version: 1 }, staticPub, authorityPub, 150))).toBe(
      'CERT_BAD_SIGNATURE',
    );
    expect(code(() => verifyCertificate({ ...c, notValidAfter: 201 }, staticPub, authorityPub, 150))).toBe(
      'CERT_BAD_SIGNATURE',
    );
    const garbage = { ...c, signature: new Uint8Array(64).fill(0xff) };
    expect(code(() => verifyCertificate(garbage, staticPub, authorityPub, 150))).toBe('CERT_BAD_SIGNATURE');
    expect(code(() => verifyCertificate(c, staticPub, new Uint8Array(32).fill(0xff), 150))).toBe(
      'CERT_BAD_SIGNATURE',
    );
  });
});
