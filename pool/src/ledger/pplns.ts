/**
 * Integer PPLNS (pure): the window of a found block is cut from the share log by a deterministic
 * order, so any replay of the log (any partition interleaving, any number of redeliveries) gives
 * the same weights and the same split.
 *
 * - Order: (acceptedAt, shareId) ascending. The window of block share S is the shortest suffix of
 *   the shares ordered at or before S whose summed weight reaches N (all of them if they never do).
 * - Weight of a share: its difficulty in integer milli-difficulty units (`shareWeight`); the
 *   double → integer rounding is a pure function of the logged double, so it replays identically.
 * - Split: each user gets floor(R × w / W); the remainder (< number of users) goes one shannon each
 *   to the largest weights (ties: user name ascending). It always sums exactly to R.
 */

/** The fields of a logged share that PPLNS reads (a subset of ShareRecord). */
export interface LoggedShare {
  shareId: string;
  user: string;
  difficulty: number;
  acceptedAt: bigint;
}

/** Weight units per unit of difficulty. */
export const WEIGHT_SCALE = 1000;

/** A share's integer weight: difficulty × 1000, rounded; at least 1 for a positive difficulty. */
export function shareWeight(difficulty: number): bigint {
  if (!(difficulty > 0) || !Number.isFinite(difficulty)) return 0n;
  const w = BigInt(Math.round(difficulty * WEIGHT_SCALE));
  return w > 0n ? w : 1n;
}

/** The log order of PPLNS: negative if a comes first. */
export function compareShares(a: LoggedShare, b: LoggedShare): number {
  if (a.acceptedAt !== b.acceptedAt) return a.acceptedAt < b.acceptedAt ? -1 : 1;
  return a.shareId < b.shareId ? -1 : a.shareId > b.shareId ? 1 : 0;
}

/** The PPLNS window size N (in weight units) of a block: factor × the block's network difficulty. */
export function windowWeight(networkDifficulty: bigint, factorPermille: number, minWeight: bigint): bigint {
  const n = (networkDifficulty * BigInt(WEIGHT_SCALE) * BigInt(factorPermille)) / 1000n;
  return n > minWeight ? n : minWeight;
}

/**
 * Weights (user → summed weight) of the window ending at `blockShareId`. `shares` may be in any
 * order and hold duplicates (redeliveries: same shareId) and shares after the block; the result
 * depends only on the set of shares. Undefined if the block share is not among them.
 */
export function pplnsWindow(
  shares: Iterable<LoggedShare>,
  blockShareId: string,
  window: bigint,
): Map<string, bigint> | undefined {
  const unique = new Map<string, LoggedShare>();
  for (const s of shares) if (!unique.has(s.shareId)) unique.set(s.shareId, s);
  const block = unique.get(blockShareId);
  if (!block) return undefined;
  const before = [...unique.values()].filter((s) => compareShares(s, block) <= 0).sort(compareShares);
  const weights = new Map<string, bigint>();
  let total = 0n;
  for (let i = before.length - 1; i >= 0 && total < window; i--) {
    const s = before[i]!;
    const w = shareWeight(s.difficulty);
    if (w === 0n) continue;
    weights.set(s.user, (weights.get(s.user) ?? 0n) + w);
    total += w;
  }
  return weights;
}

/** Splits `amount` in proportion to `weights`, in whole shannons, summing exactly to `amount`. */
export function splitByWeight(weights: ReadonlyMap<string, bigint>, amount: bigint): Map<string, bigint> {
  const entries = [...weights]
    .filter(([, w]) => w > 0n)
    .sort((a, b) => (a[1] !== b[1] ? (a[1] > b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
  const out = new Map<string, bigint>();
  if (entries.length === 0 || amount <= 0n) return out;
  const total = entries.reduce((sum, [, w]) => sum + w, 0n);
  let paid = 0n;
  for (const [user, w] of entries) {
    const share = (amount * w) / total;
    out.set(user, share);
    paid += share;
  }
  // paid > amount - entries.length, so one pass hands out the whole remainder.
  for (let i = 0; paid < amount; i++) {
    const user = entries[i]![0];
    out.set(user, out.get(user)! + 1n);
    paid += 1n;
  }
  return out;
}

export interface FeePolicy {
  /** Payout address of the pool's fee (a ledger user like any miner). */
  address: string;
  /** Fee rate in basis points (0..10000) of each block's reward. */
  rateBps: number;
}

export interface Allocation {
  reward: bigint;
  fee: bigint;
  /** user → shannons; includes the fee address when the fee is not zero. Sums to `reward`. */
  credits: Map<string, bigint>;
}

/**
 * A block's reward split: the fee (floor of reward × bps / 10000) to the fee address, the rest by
 * PPLNS weight. A window with no weight (no shares) leaves the whole reward to the fee address.
 */
export function allocate(reward: bigint, weights: ReadonlyMap<string, bigint>, fee: FeePolicy): Allocation {
  if (!Number.isInteger(fee.rateBps) || fee.rateBps < 0 || fee.rateBps > 10_000)
    throw new RangeError(`fee rate ${fee.rateBps} bps is not in 0..10000`);
  let feeAmount = (reward * BigInt(fee.rateBps)) / 10_000n;
  const miners = splitByWeight(weights, reward - feeAmount);
  if (miners.size === 0) feeAmount = reward;
  const credits = new Map(miners);
  if (feeAmount > 0n) credits.set(fee.address, (credits.get(fee.address) ?? 0n) + feeAmount);
  return { reward, fee: feeAmount, credits };
}
