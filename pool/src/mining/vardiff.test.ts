import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { difficultyToTarget, targetToDifficulty } from '../ckb/target.js';
import { Vardiff, initialTarget, type VardiffConfig } from './vardiff.js';

const cfg: VardiffConfig = {
  targetIntervalSec: 10,
  retargetMs: 60_000,
  maxStep: 4,
  minDifficulty: 1000n,
  maxDifficulty: 1n << 60n,
};

/** Feeds shares of the current difficulty as a device of `hashRate` would find them. */
function simulate(v: Vardiff, hashRate: number, start: number, windows: number): number {
  let now = start;
  for (let w = 0; w < windows; w++) {
    const diff = targetToDifficulty(v.currentTarget);
    const shares = Math.floor((hashRate * cfg.retargetMs) / 1000 / Number(diff));
    for (let i = 0; i < shares; i++) v.onShare(diff);
    now += cfg.retargetMs;
    const t = v.retarget(now);
    if (t !== undefined) expect(t).toBe(v.currentTarget);
  }
  return now;
}

describe('vardiff', () => {
  it('derives the initial target from the nominal hash rate and honours max_target', () => {
    const t = initialTarget(1_000_000, (1n << 256n) - 1n, cfg);
    expect(targetToDifficulty(t)).toBe(10_000_000n);
    const harder = difficultyToTarget(1n << 40n);
    expect(initialTarget(1_000_000, harder, cfg)).toBe(harder);
    expect(targetToDifficulty(initialTarget(0, (1n << 256n) - 1n, cfg))).toBe(cfg.minDifficulty);
  });

  it('does not retarget before the retarget interval', () => {
    const v = new Vardiff(cfg, difficultyToTarget(1000n), 0);
    for (let i = 0; i < 1000; i++) v.onShare(1000n);
    expect(v.retarget(cfg.retargetMs - 1)).toBeUndefined();
  });

  it('converges to the target share interval within bounded steps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10_000, max: 1e9 }),
        fc.integer({ min: 1, max: 1000 }),
        (hashRate, off) => {
          // Start `off` times too easy or too hard (share interval 10 s / off or 10 s · off).
          const startDiff = BigInt(Math.max(1000, Math.floor((hashRate * 10) / off)));
          const v = new Vardiff(cfg, difficultyToTarget(off % 2 ? startDiff : startDiff * BigInt(off)), 0);
          let prev = targetToDifficulty(v.currentTarget);
          let now = 0;
          for (let w = 0; w < 20; w++) {
            now = simulate(v, hashRate, now, 1);
            const d = targetToDifficulty(v.currentTarget);
            expect(d <= prev * 4n + 4n && d * 4n + 4n >= prev).toBe(true);
            prev = d;
          }
          const interval = Number(prev) / hashRate;
          expect(interval).toBeGreaterThan(cfg.targetIntervalSec / 2.5);
          expect(interval).toBeLessThan(cfg.targetIntervalSec * 2.5);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('eases the difficulty when no share arrives', () => {
    const start = difficultyToTarget(1n << 30n);
    const v = new Vardiff(cfg, start, 0);
    const t = v.retarget(cfg.retargetMs);
    expect(t).toBeDefined();
    expect(targetToDifficulty(t!)).toBe((1n << 30n) / 4n);
  });

  it('never eases beyond the client maximum target', () => {
    const max = difficultyToTarget(1n << 20n);
    const v = new Vardiff(cfg, max, 0, max);
    expect(v.retarget(cfg.retargetMs)).toBeUndefined();
    expect(v.currentTarget).toBe(max);
    const lower = difficultyToTarget(1n << 24n);
    expect(v.setMaxTarget(lower)).toBe(lower);
  });
});
