/**
 * PPLNS payout split: a block's reward divided in proportion to each user's summed share
 * difficulty in the window, in whole shannons, summing exactly to the reward (the
 * rounding remainder goes one shannon at a time to the largest weights).
 */
const SCALE_BITS = 52n;

export function pplnsSplit(weights: ReadonlyMap<string, number>, reward: bigint): Map<string, bigint> {
  const entries = [...weights].filter(([, w]) => w > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const out = new Map<string, bigint>();
  if (entries.length === 0 || reward <= 0n) return out;
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let paid = 0n;
  for (const [user, w] of entries) {
    const scaled = BigInt(Math.floor((w / total) * 2 ** Number(SCALE_BITS)));
    const amount = (reward * scaled) >> SCALE_BITS;
    out.set(user, amount);
    paid += amount;
  }
  for (let i = 0; paid < reward; i = (i + 1) % entries.length) {
    const user = entries[i]![0];
    out.set(user, out.get(user)! + 1n);
    paid += 1n;
  }
  return out;
}
