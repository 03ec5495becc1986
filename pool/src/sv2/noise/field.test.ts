import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { P, add, fromBytes, inv, isSquare, mul, neg, sqr, sqrt, sub, toBytes } from './field.js';

const Fp = secp256k1.Point.Fp;
const element = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => fromBytes(b) % P);
const edge = fc.constantFrom(0n, 1n, 2n, 3n, P - 1n, P - 2n, P - 3n, (1n << 255n) % P, 1n << 200n);
const fe = fc.oneof(element, edge);
/** Euler's criterion: a^((p−1)/2) ≠ −1. */
const eulerSquare = (a: bigint): boolean => Fp.pow(a, (P - 1n) / 2n) !== P - 1n;

describe('secp256k1 field arithmetic', () => {
  it('add, sub, neg, mul, sqr, inv agree with @noble/curves', () => {
    fc.assert(
      fc.property(fe, fe, (a, b) => {
        expect(add(a, b)).toBe(Fp.add(a, b));
        expect(sub(a, b)).toBe(Fp.sub(a, b));
        expect(neg(a)).toBe(Fp.neg(a));
        expect(mul(a, b)).toBe(Fp.mul(a, b));
        expect(sqr(a)).toBe(Fp.sqr(a));
        if (a !== 0n) expect(inv(a)).toBe(Fp.inv(a));
      }),
      { numRuns: 300 },
    );
  });

  it('isSquare matches Euler’s criterion and sqrt finds a root exactly for squares', () => {
    fc.assert(
      fc.property(fe, (a) => {
        const square = eulerSquare(a);
        expect(isSquare(a)).toBe(square);
        const r = sqrt(a);
        if (square) {
          expect(r).toBeDefined();
          expect(sqr(r!)).toBe(a);
          expect(r).toBe(Fp.sqrt(a));
        } else {
          expect(r).toBeUndefined();
        }
      }),
      { numRuns: 200 },
    );
  });

  it('round-trips 32-byte big-endian encodings at an offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(8), (b, off) => {
        const v = fromBytes(b);
        const out = toBytes(v, new Uint8Array(off + 40), off);
        expect(Buffer.from(out.subarray(off, off + 32))).toEqual(Buffer.from(b));
        expect(fromBytes(out, off)).toBe(v);
      }),
    );
  });
});
