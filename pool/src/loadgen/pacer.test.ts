import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Pacer } from './pacer.js';

/** Takes every share due at `now`. */
function takeAll(p: Pacer, now: number): number[] {
  const out: number[] = [];
  for (let k = p.take(now); k >= 0; k = p.take(now)) out.push(k);
  return out;
}

describe('Pacer', () => {
  it('hands out exactly rate × elapsed shares, in order, whatever the wake-up times', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.array(fc.double({ min: 0, max: 50, noNaN: true }), { minLength: 1, maxLength: 50 }),
        (rate, gaps) => {
          const p = new Pacer(rate, 7, 1000);
          let now = 1000;
          const taken: number[] = [];
          for (const g of gaps) taken.push(...takeAll(p, (now += g)));
          // Shares 0..n-1 where share n-1 is due at or before now and share n is not.
          expect(taken).toEqual(Array.from({ length: taken.length }, (_, i) => i));
          expect(p.dueAt(taken.length)).toBeGreaterThan(now);
          if (taken.length > 0) expect(p.dueAt(taken.length - 1)).toBeLessThanOrEqual(now);
          expect(p.count).toBe(taken.length);
        },
      ),
    );
  });

  it('gives every connection its own evenly spaced schedule, staggered between connections', () => {
    const p = new Pacer(1000, 4, 0); // one share per ms, 4 connections → each every 4 ms
    const shares = takeAll(p, 19.5);
    expect(shares).toHaveLength(20);
    const times = (c: number) => shares.filter((k) => p.connectionOf(k) === c).map((k) => p.dueAt(k));
    expect(times(0)).toEqual([0, 4, 8, 12, 16]);
    expect(times(1)).toEqual([1, 5, 9, 13, 17]);
    expect(times(3)).toEqual([3, 7, 11, 15, 19]);
  });

  it('keeps intended times after a stall: late shares are sent at once, their schedule unchanged', () => {
    const p = new Pacer(100, 1, 0);
    expect(takeAll(p, 0)).toEqual([0]);
    expect(takeAll(p, 55)).toEqual([1, 2, 3, 4, 5]); // stalled for 55 ms: 5 shares came due
    expect(p.dueAt(5)).toBe(50);
    expect(p.nextDue()).toBe(60);
  });

  it('rejects a non-positive rate or connection count', () => {
    expect(() => new Pacer(0, 1, 0)).toThrow(RangeError);
    expect(() => new Pacer(1, 0, 0)).toThrow(RangeError);
  });
});
