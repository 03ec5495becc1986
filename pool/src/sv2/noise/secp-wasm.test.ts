import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { wasmEcdhX } from './secp-wasm.js';

const { Point } = secp256k1;
const N = Point.Fn.ORDER;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const scalar = fc.bigInt({ min: 1n, max: N - 1n });
const be32 = (v: bigint): Uint8Array => Uint8Array.from(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));

describe('k256 x-only ECDH (WebAssembly)', () => {
  it('equals @noble/curves x(k·P) for random k and P, whichever y P has', () => {
    fc.assert(
      fc.property(scalar, scalar, (k, d) => {
        const p = Point.BASE.multiply(d);
        const x = be32(p.x);
        const expected = be32(p.multiply(k).x);
        expect(hex(wasmEcdhX(be32(k), x)!)).toBe(hex(expected));
        expect(hex(be32(p.negate().multiply(k).x))).toBe(hex(expected));
      }),
      { numRuns: 40 },
    );
  });

  it('refuses an x off the curve, k = 0 and k ≥ n', () => {
    const gx = be32(Point.BASE.x);
    expect(wasmEcdhX(be32(5n), be32(5n))).toBeUndefined(); // 5³ + 7 is not a square mod p
    expect(wasmEcdhX(new Uint8Array(32), gx)).toBeUndefined();
    expect(wasmEcdhX(be32(N), gx)).toBeUndefined();
    expect(wasmEcdhX(new Uint8Array(32).fill(0xff), gx)).toBeUndefined();
    expect(hex(wasmEcdhX(be32(N - 1n), gx)!)).toBe(hex(gx)); // (n−1)·G = −G
  });
});
