import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './histogram.js';

/** Nearest-rank percentile of the raw samples. */
function exact(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

describe('LatencyHistogram', () => {
  it('gives every percentile within 1 µs or 0.8 % of the exact nearest-rank value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 60_000, noNaN: true }), { minLength: 1, maxLength: 500 }),
        fc.constantFrom(0.5, 0.9, 0.99, 0.999, 1),
        (samples, p) => {
          const h = new LatencyHistogram();
          for (const s of samples) h.record(s);
          const want = exact(
            [...samples].sort((a, b) => a - b),
            p,
          );
          const got = h.percentile(p);
          expect(Math.abs(got - want)).toBeLessThanOrEqual(Math.max(0.001, want * 0.008));
        },
      ),
    );
  });

  it('summarises count, mean and max exactly; empty is all zeros', () => {
    expect(new LatencyHistogram().summary()).toEqual({
      count: 0,
      mean: 0,
      p50: 0,
      p90: 0,
      p99: 0,
      p999: 0,
      max: 0,
    });
    const h = new LatencyHistogram();
    for (const v of [1, 2, 3, 10]) h.record(v);
    const s = h.summary();
    expect(s.count).toBe(4);
    expect(s.mean).toBe(4);
    expect(s.max).toBe(10);
    expect(s.p50).toBeCloseTo(2, 1);
  });

  it('adds histograms and clamps out-of-range values', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    a.record(-1);
    b.record(1e9);
    a.add(b);
    expect(a.count).toBe(2);
    expect(a.percentile(0.5)).toBeLessThan(0.001); // the 0–1 µs bucket
    expect(a.percentile(1)).toBe(1e9);
  });
});
