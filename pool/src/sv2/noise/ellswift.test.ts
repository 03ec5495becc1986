import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { elligatorSwift } from '@scure/btc-signer/p2p.js';
import {
  bip324Ecdh,
  ellswiftDecode,
  ellswiftEncode,
  keyPairFromSecret,
  responderEcdh,
  xOnlyEcdh,
} from './ellswift.js';
import { NoiseError } from './errors.js';
import { csvRows, deterministicRandom, hex, unhex } from './testing/util.js';

// BIP-324 published vectors (bitcoin/bips bip-0324/*.csv), committed under fixtures/bip324/.
describe('ElligatorSwift against BIP-324 vectors', () => {
  it('decodes every ellswift_decode_test_vectors.csv row', () => {
    const rows = csvRows('bip324/ellswift_decode_test_vectors.csv');
    expect(rows.length).toBeGreaterThan(70);
    for (const r of rows) expect(hex(ellswiftDecode(unhex(r.ellswift!))), r.comment).toBe(r.x);
  });

  it('decodes every (u, t) of xswiftec_inv_test_vectors.csv back to its x', () => {
    // The vectors list, per (x, u), the t of each of XSwiftECInv's 8 cases; libsecp256k1 does not
    // expose that inverse (its own tests run these vectors), but every listed t must decode to x.
    const rows = csvRows('bip324/xswiftec_inv_test_vectors.csv');
    expect(rows.length).toBeGreaterThan(30);
    let checked = 0;
    for (const r of rows) {
      for (let c = 0; c < 8; c++) {
        const t = r[`case${c}_t`];
        if (!t) continue;
        expect(hex(ellswiftDecode(unhex(r.u! + t))), `${r.comment} case ${c}`).toBe(r.x);
        checked++;
      }
    }
    expect(checked).toBe(98); // every non-empty case of the 32 rows
  });

  it('computes x-only ECDH and the BIP-324 shared secret of packet_encoding_test_vectors.csv', () => {
    const rows = csvRows('bip324/packet_encoding_test_vectors.csv');
    expect(rows.length).toBeGreaterThan(5);
    for (const r of rows) {
      const ours = keyPairFromSecret(
        unhex(r.in_priv_ours!),
        deterministicRandom('unused'),
        unhex(r.in_ellswift_ours!),
      );
      expect(hex(ours.xOnly)).toBe(r.mid_x_ours);
      expect(hex(ellswiftDecode(unhex(r.in_ellswift_theirs!)))).toBe(r.mid_x_theirs);
      expect(hex(xOnlyEcdh(ours, unhex(r.in_ellswift_theirs!)))).toBe(r.mid_x_shared);
      expect(hex(bip324Ecdh(ours, unhex(r.in_ellswift_theirs!), r.in_initiating === '1'))).toBe(
        r.mid_shared_secret,
      );
    }
  });

  it('responderEcdh gives the shared secret of the responder rows in of packet_encoding_test_vectors.csv', () => {
    const rows = csvRows('bip324/packet_encoding_test_vectors.csv').filter((r) => r.in_initiating === '0');
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      const ours = keyPairFromSecret(
        unhex(r.in_priv_ours!),
        deterministicRandom('unused'),
        unhex(r.in_ellswift_ours!),
      );
      const [ee, es] = responderEcdh(ours, ours, unhex(r.in_ellswift_theirs!));
      expect(hex(ee)).toBe(r.mid_shared_secret);
      expect(hex(es)).toBe(r.mid_shared_secret);
    }
  });

  it('encodes so that decoding returns the same x, for many random keys', () => {
    const random = deterministicRandom('encode');
    for (let i = 0; i < 20; i++) {
      const x = keyPairFromSecret(random(32), random).xOnly;
      expect(hex(ellswiftDecode(ellswiftEncode(x, random)))).toBe(hex(x));
    }
  });

  it('decodes like @scure/btc-signer on random 64-byte strings (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (ell) => {
        expect(hex(ellswiftDecode(ell))).toBe(hex(elligatorSwift.decode(ell)));
      }),
      { numRuns: 100 },
    );
  });

  it('rejects an encoding that does not belong to the secret key', () => {
    const random = deterministicRandom('mismatch');
    const a = keyPairFromSecret(random(32), random);
    expect(() => keyPairFromSecret(random(32), random, a.ellswift)).toThrow(NoiseError);
  });
});
