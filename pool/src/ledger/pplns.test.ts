import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocate,
  pplnsWindow,
  shareWeight,
  splitByWeight,
  windowWeight,
  type LoggedShare,
} from './pplns.js';

const s = (shareId: string, user: string, difficulty: number, at: number): LoggedShare => ({
  shareId,
  user,
  difficulty,
  acceptedAt: BigInt(at),
});

describe('integer PPLNS', () => {
  it('weights a share by its difficulty in thousandths, at least 1', () => {
    expect(shareWeight(1)).toBe(1000n);
    expect(shareWeight(0.0001)).toBe(1n);
    expect(shareWeight(0)).toBe(0n);
    expect(shareWeight(Number.NaN)).toBe(0n);
    expect(shareWeight(2.5)).toBe(2500n);
  });

  it('cuts the shortest suffix reaching N before the block share, in (acceptedAt, shareId) order', () => {
    const log = [
      s('a1', 'a', 1, 1),
      s('b1', 'b', 1, 2),
      s('a2', 'a', 1, 3),
      s('blk', 'b', 1, 4),
      s('late', 'a', 5, 5),
    ];
    expect(pplnsWindow(log, 'blk', 2000n)).toEqual(
      new Map([
        ['b', 1000n],
        ['a', 1000n],
      ]),
    );
    expect(pplnsWindow(log, 'blk', 10_000n)).toEqual(
      new Map([
        ['b', 2000n],
        ['a', 2000n],
      ]),
    );
    expect(pplnsWindow(log, 'missing', 1n)).toBeUndefined();
  });

  it('depends only on the set of shares: any order, any redelivery', () => {
    const arb = fc.array(
      fc.record({
        user: fc.constantFrom('a', 'b', 'c', 'd'),
        difficulty: fc.double({ min: 0.001, max: 1e6, noNaN: true }),
        at: fc.integer({ min: 0, max: 50 }),
      }),
      { minLength: 1, maxLength: 60 },
    );
    fc.assert(
      fc.property(arb, fc.nat(), fc.bigInt({ min: 1n, max: 10n ** 10n }), (raw, pick, n) => {
        const log = raw.map((r, i) => s(`s${i}`, r.user, r.difficulty, r.at));
        const blockId = log[pick % log.length]!.shareId;
        const shuffled = [...log, ...log.slice(0, pick % log.length)].reverse();
        expect(pplnsWindow(shuffled, blockId, n)).toEqual(pplnsWindow(log, blockId, n));
      }),
    );
  });

  it('splits exactly: sums to the amount, in proportion, never negative', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.bigInt({ min: 0n, max: 10n ** 18n }), {
          minKeys: 1,
        }),
        fc.bigInt({ min: 0n, max: 10n ** 19n }),
        (dict, amount) => {
          const weights = new Map(Object.entries(dict));
          const split = splitByWeight(weights, amount);
          const total = [...weights.values()].reduce((a, b) => a + b, 0n);
          if (total === 0n || amount === 0n) {
            expect(split.size).toBe(0);
            return;
          }
          expect([...split.values()].reduce((a, b) => a + b, 0n)).toBe(amount);
          for (const [user, got] of split) {
            const w = weights.get(user)!;
            expect(w > 0n).toBe(true);
            const exact = (amount * w) / total;
            expect(got === exact || got === exact + 1n).toBe(true);
          }
        },
      ),
    );
  });

  it('takes the pool fee first, in basis points, and leaves the rest to the miners', () => {
    const weights = new Map([
      ['a', 1n],
      ['b', 3n],
    ]);
    const a = allocate(100_000n, weights, { address: 'fee', rateBps: 150 });
    expect(a.fee).toBe(1500n);
    expect(a.credits).toEqual(
      new Map([
        ['b', 73_875n],
        ['a', 24_625n],
        ['fee', 1500n],
      ]),
    );
    expect(allocate(7n, new Map(), { address: 'fee', rateBps: 0 }).credits).toEqual(new Map([['fee', 7n]]));
    expect(() => allocate(1n, weights, { address: 'fee', rateBps: 10_001 })).toThrow(RangeError);
  });

  it('sizes the window from the network difficulty, with a floor', () => {
    expect(windowWeight(1000n, 2000, 1n)).toBe(2_000_000n);
    expect(windowWeight(0n, 2000, 5n)).toBe(5n);
  });
});
