import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pplnsSplit } from './pplns.js';

describe('pplnsSplit', () => {
  it('splits in proportion to the weights', () => {
    const split = pplnsSplit(
      new Map([
        ['a', 1],
        ['b', 3],
      ]),
      1000n,
    );
    expect(split).toEqual(
      new Map([
        ['b', 750n],
        ['a', 250n],
      ]),
    );
  });

  it('always sums exactly to the reward, never pays a zero weight, never goes negative', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 8 }),
          fc.double({ min: 0, max: 1e18, noNaN: true }),
          { minKeys: 1 },
        ),
        fc.bigInt({ min: 1n, max: 10n ** 20n }),
        (weights, reward) => {
          const map = new Map(Object.entries(weights));
          const split = pplnsSplit(map, reward);
          const positive = [...map].filter(([, w]) => w > 0);
          // Return nothing: fast-check fails a property whose predicate returns anything but true/undefined.
          if (positive.length === 0) {
            expect(split.size).toBe(0);
            return;
          }
          expect([...split.values()].reduce((a, b) => a + b, 0n)).toBe(reward);
          for (const [user, amount] of split) {
            expect(amount >= 0n).toBe(true);
            expect(map.get(user)! > 0).toBe(true);
          }
        },
      ),
      // Always cover the all-zero window (nothing to pay) besides the random ones.
      { examples: [[{ a: 0, b: 0 }, 1n]] },
    );
  });
});
