/**
 * Per-channel variable difficulty.
 *
 * Work is CKB-native: a share at target T represents `2^256 / T` expected Eaglesong hashes
 * ("difficulty"), so a channel with hash rate H at target interval I wants difficulty H·I.
 * The controller counts accepted shares, and at most once per `retargetMs` estimates the
 * hash rate from the difficulty credited since the last retarget. It moves the difficulty
 * only when the observed share interval is outside a hysteresis band, and by at most
 * `maxStep` per retarget. Time is passed in (no clock reads), so this module is pure.
 */
import { difficultyToTarget, targetToDifficulty } from '../ckb/target.js';

const MAX_TARGET = (1n << 256n) - 1n;

export interface VardiffConfig {
  /** Desired seconds between accepted shares per channel. */
  targetIntervalSec: number;
  /** Minimum milliseconds between retargets. */
  retargetMs: number;
  /** Largest factor a single retarget may move the difficulty (e.g. 4 = ×4 or ÷4). */
  maxStep: number;
  /** Difficulty bounds (expected hashes per share). */
  minDifficulty: bigint;
  maxDifficulty: bigint;
}

export const DEFAULT_VARDIFF: VardiffConfig = {
  targetIntervalSec: 5,
  retargetMs: 30_000,
  maxStep: 4,
  minDifficulty: 1024n,
  maxDifficulty: 1n << 64n,
};

function clampDifficulty(d: bigint, cfg: VardiffConfig): bigint {
  if (d < cfg.minDifficulty) return cfg.minDifficulty;
  if (d > cfg.maxDifficulty) return cfg.maxDifficulty;
  return d;
}

/**
 * Initial share target for a channel: the difficulty its nominal hash rate would need for the
 * target interval, bounded by the config, and never easier than the client's `maxTarget`.
 */
export function initialTarget(nominalHashRate: number, maxTarget: bigint, cfg: VardiffConfig): bigint {
  const rate = Number.isFinite(nominalHashRate) && nominalHashRate > 0 ? nominalHashRate : 0;
  const wanted = clampDifficulty(BigInt(Math.floor(rate * cfg.targetIntervalSec)), cfg);
  const target = difficultyToTarget(wanted);
  return maxTarget > 0n && maxTarget < target ? maxTarget : target;
}

export class Vardiff {
  private shares = 0;
  private work = 0n;
  private since: number;

  constructor(
    private readonly cfg: VardiffConfig,
    private target: bigint,
    now: number,
    /** Client's maximum target (UpdateChannel / Open*): the share target never exceeds it. */
    private maxTarget: bigint = MAX_TARGET,
  ) {
    this.since = now;
  }

  get currentTarget(): bigint {
    return this.target;
  }

  /** Records one accepted share credited with `difficulty` hashes. */
  onShare(difficulty: bigint): void {
    this.shares++;
    this.work += difficulty;
  }

  /** Lowers the ceiling (UpdateChannel.maximum_target); returns the new target if it had to change. */
  setMaxTarget(maxTarget: bigint): bigint | undefined {
    this.maxTarget = maxTarget > 0n ? maxTarget : MAX_TARGET;
    if (this.target > this.maxTarget) {
      this.target = this.maxTarget;
      return this.target;
    }
    return undefined;
  }

  /**
   * Called periodically; returns a new share target when the channel should be retargeted
   * (the caller sends SetTarget), otherwise undefined.
   */
  retarget(now: number): bigint | undefined {
    const elapsedMs = now - this.since;
    if (elapsedMs < this.cfg.retargetMs) return undefined;
    const current = targetToDifficulty(this.target);
    const wantedMs = this.cfg.targetIntervalSec * 1000;
    let next: bigint;
    if (this.shares === 0) {
      // Nothing found for a whole window: the channel is slower than assumed; ease by one step.
      next = current / BigInt(Math.max(1, Math.round(this.cfg.maxStep)));
    } else {
      const observedMs = elapsedMs / this.shares;
      // Hysteresis: leave the difficulty alone while the interval is within [½, 2]× the goal.
      if (observedMs >= wantedMs / 2 && observedMs <= wantedMs * 2) {
        this.reset(now);
        return undefined;
      }
      // hashrate = work / elapsed; wanted difficulty = hashrate · interval.
      next = (this.work * BigInt(Math.round(wantedMs))) / BigInt(Math.max(1, Math.round(elapsedMs)));
      const step = BigInt(Math.max(1, Math.round(this.cfg.maxStep)));
      if (next > current * step) next = current * step;
      if (next < current / step) next = current / step;
    }
    this.reset(now);
    let target = difficultyToTarget(clampDifficulty(next, this.cfg));
    if (target > this.maxTarget) target = this.maxTarget;
    if (target === this.target) return undefined;
    this.target = target;
    return target;
  }

  /** Starts over at `target` (UpdateChannel with a new nominal hash rate). */
  restart(target: bigint, now: number): void {
    this.target = target > this.maxTarget ? this.maxTarget : target;
    this.reset(now);
  }

  private reset(now: number): void {
    this.shares = 0;
    this.work = 0n;
    this.since = now;
  }
}
