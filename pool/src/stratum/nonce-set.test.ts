import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NonceSet } from './nonce-set.js';

const hex = (n: Uint8Array) => Buffer.from(n).toString('hex');

describe('NonceSet', () => {
  it('agrees with a Set of the same nonces, through growth, for nonces that differ anywhere', () => {
    // Few distinct bytes make collisions in every word likely; repeats make duplicates.
    const nonce = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => b.map((x) => x & 3));
    fc.assert(
      fc.property(fc.array(nonce, { maxLength: 3000 }), (nonces) => {
        const set = new NonceSet();
        const model = new Set<string>();
        for (const n of nonces) {
          expect(set.add(n)).toBe(!model.has(hex(n)));
          model.add(hex(n));
        }
        expect(set.size).toBe(model.size);
        for (const n of nonces) expect(set.add(n)).toBe(false);
      }),
      { numRuns: 30 },
    );
  });

  it('reads the nonce at an offset and forgets everything on clear', () => {
    const buf = new Uint8Array(40);
    buf.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], 7);
    const set = new NonceSet();
    expect(set.add(buf, 7)).toBe(true);
    expect(set.add(buf.slice(7, 23))).toBe(false);
    expect(set.add(buf, 6)).toBe(true);
    set.clear();
    expect(set.size).toBe(0);
    expect(set.add(buf, 7)).toBe(true);
  });

  it('holds 100,000 nonces (many table doublings)', () => {
    const set = new NonceSet();
    const n = new Uint8Array(16);
    const view = new DataView(n.buffer);
    for (let i = 0; i < 100_000; i++) {
      view.setUint32(12, i, true);
      expect(set.add(n)).toBe(true);
    }
    for (let i = 0; i < 100_000; i += 997) {
      view.setUint32(12, i, true);
      expect(set.add(n)).toBe(false);
    }
    expect(set.size).toBe(100_000);
  });
});
