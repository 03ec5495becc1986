import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extendedNonce, nonceToU128, standardNonce, u128ToNonce } from './nonce.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('nonce reconstruction', () => {
  it('lays out a standard share as prefix(8) || version LE || nonce LE', () => {
    const prefix = Uint8Array.from([0x01, 0x00, 0x00, 0x2a, 0, 0, 0, 0]);
    const n = standardNonce(prefix, 0x11223344, 0xdeadbeef);
    expect(hex(n)).toBe('0100002a00000000' + '44332211' + 'efbeadde');
  });

  it('lays out an extended share as prefix || extranonce || nonce LE', () => {
    const n = extendedNonce(Uint8Array.from([1, 0, 0, 5]), Uint8Array.from([9, 8, 7, 6, 5, 4, 3, 2]), 1);
    expect(hex(n)).toBe('01000005' + '0908070605040302' + '01000000');
  });

  it('reads N as the little-endian u128 submit_block carries (ckb.md worked example)', () => {
    const n = Buffer.from('201303b3070000005da1a0966532ae83', 'hex');
    expect(nonceToU128(n)).toBe(0x83ae326596a0a15d00000007b3031320n);
  });

  it('round-trips u128 values', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (v) => {
        expect(nonceToU128(u128ToNonce(v))).toBe(v);
      }),
    );
  });

  it('writes into a reused buffer without leaking earlier bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        fc.nat(0xffffffff),
        fc.nat(0xffffffff),
        (p, v, x) => {
          const out = new Uint8Array(16).fill(0xee);
          standardNonce(p, v, x, out);
          const view = new DataView(out.buffer);
          expect(hex(out.subarray(0, 8))).toBe(hex(p));
          expect(view.getUint32(8, true)).toBe(v);
          expect(view.getUint32(12, true)).toBe(x);
        },
      ),
    );
  });
});
