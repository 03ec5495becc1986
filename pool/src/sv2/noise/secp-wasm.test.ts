import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { ellswiftDecode } from './ellswift.js';
import { wasmEcdh2Ell, wasmEcdhX, wasmEllswiftEncode, wasmKeygen, wasmPublicKeyX } from './secp-wasm.js';
import { deterministicRandom } from './testing/util.js';

const { Point } = secp256k1;
const N = Point.Fn.ORDER;
const LAMBDA = 0x5363ad4cc05c30e0a5261c028812645a122e22ea20816678df02967c1b23bd72n;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const scalar = fc.bigInt({ min: 1n, max: N - 1n });
const be32 = (v: bigint): Uint8Array => Uint8Array.from(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));
const mod = (v: bigint): bigint => ((v % N) + N) % N;

/** 1, 2, n−1, n−2, λ, −λ, 2^128 ± 1, and scalars whose GLV halves are zero or small. */
const EDGE_SCALARS: bigint[] = [
  1n,
  2n,
  N - 1n,
  N - 2n,
  LAMBDA,
  N - LAMBDA,
  LAMBDA + 1n,
  1n << 128n,
  (1n << 128n) - 1n,
  (1n << 128n) + 1n,
  (N - 1n) / 2n,
  (N + 1n) / 2n,
  ...[1n, 2n, 3n, 31n, 32n, 33n, 1000n].flatMap((k) => [
    mod(k * LAMBDA),
    mod(-k * LAMBDA),
    mod(k + k * LAMBDA),
    mod(k - (1n << 128n) * LAMBDA),
  ]),
];
const anyScalar = fc.oneof(scalar, fc.constantFrom(...EDGE_SCALARS));

describe('x-only ECDH (WebAssembly)', () => {
  it('equals @noble/curves x(k·P) for random and edge k and random P, whichever y P has', () => {
    fc.assert(
      fc.property(anyScalar, scalar, (k, d) => {
        const p = Point.BASE.multiply(d);
        const x = be32(p.x);
        const expected = be32(p.multiply(k).x);
        expect(hex(wasmEcdhX(be32(k), x)!)).toBe(hex(expected));
        expect(hex(be32(p.negate().multiply(k).x))).toBe(hex(expected));
      }),
      { numRuns: 60 },
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

  it('ecdh2_ell: x(a·P), x(b·P) for P decoded from any 64 bytes, like @noble/curves (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), anyScalar, anyScalar, (ell, a, b) => {
        const x = ellswiftDecode(ell);
        const p = Point.fromHex('02' + hex(x));
        const out = wasmEcdh2Ell(ell, be32(a), be32(b))!;
        expect(hex(out.subarray(0, 32))).toBe(hex(be32(p.multiply(a).x)));
        expect(hex(out.subarray(32, 64))).toBe(hex(be32(p.multiply(b).x)));
      }),
      { numRuns: 60 },
    );
  });

  it('ecdh2_ell refuses a or b = 0 or ≥ n, and takes u, t ≥ p mod p', () => {
    const ell = new Uint8Array(64).fill(0xff);
    expect(wasmEcdh2Ell(ell, be32(0n), be32(1n))).toBeUndefined();
    expect(wasmEcdh2Ell(ell, be32(1n), be32(N))).toBeUndefined();
    const x = hex(ellswiftDecode(ell));
    expect(hex(wasmEcdh2Ell(ell, be32(1n), be32(1n))!)).toBe(x + x);
  });
});

describe('k·G and key generation (WebAssembly)', () => {
  it('x(k·G) equals @noble/curves for random and edge k', () => {
    fc.assert(
      fc.property(anyScalar, (k) => {
        expect(hex(wasmPublicKeyX(be32(k))!)).toBe(hex(be32(Point.BASE.multiply(k).x)));
      }),
      { numRuns: 100 },
    );
    for (const bad of [0n, N, (1n << 256n) - 1n]) expect(wasmPublicKeyX(be32(bad))).toBeUndefined();
  });

  it('keygen: x(k·G) and an ElligatorSwift encoding that decodes to it', () => {
    const random = deterministicRandom('keygen');
    fc.assert(
      fc.property(anyScalar, (k) => {
        const out = wasmKeygen(be32(k), random)!;
        expect(hex(out.subarray(0, 32))).toBe(hex(be32(Point.BASE.multiply(k).x)));
        expect(hex(ellswiftDecode(out.subarray(32)))).toBe(hex(out.subarray(0, 32)));
      }),
      { numRuns: 60 },
    );
    expect(wasmKeygen(be32(0n), random)).toBeUndefined();
  });

  it('ellswift_encode: an encoding of x that decodes to x, drawn from the random bytes; none for x off the curve', () => {
    const random = deterministicRandom('encode');
    fc.assert(
      fc.property(scalar, (d) => {
        const x = be32(Point.BASE.multiply(d).x);
        const a = wasmEllswiftEncode(x, random)!;
        const b = wasmEllswiftEncode(x, random)!;
        expect(hex(ellswiftDecode(a))).toBe(hex(x));
        expect(hex(ellswiftDecode(b))).toBe(hex(x));
        expect(hex(a)).not.toBe(hex(b)); // other random bytes, another of the ~2^256 encodings
      }),
      { numRuns: 40 },
    );
    expect(wasmEllswiftEncode(be32(5n), random)).toBeUndefined(); // 5³ + 7 is not a square mod p
  });
});
