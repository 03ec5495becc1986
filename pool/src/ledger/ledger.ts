/**
 * The pool's double-entry ledger (pure): integer shannons, every entry balanced (its postings sum
 * to zero), so the sum of all accounts is always zero. Entries have deterministic ids (the block
 * hash or payout id they come from): posting one twice is a no-op, and a replay of the same
 * inputs gives the same entries.
 *
 * Accounts (a positive balance is value held by the account):
 *   chain:rewards            source of every block reward (its balance is minus all rewards credited)
 *   chain:txfees             transaction fees paid by payouts (plus)
 *   user:<addr>:immature     credited when the block's reward is finalized, until the reward matures
 *   user:<addr>:available    matured, owed to the user, not in a payout yet
 *   user:<addr>:pending      in a payout transaction not committed yet
 *   user:<addr>:paid         paid on chain (committed)
 * The pool fee is a user like any miner (its address), and pays the payouts' transaction fees.
 */
/** A block's reward and what each user was credited from it (sums to the reward). */
export interface Credits {
  reward: bigint;
  credits: ReadonlyMap<string, bigint>;
}

export interface Posting {
  account: string;
  /** Shannons; positive adds to the account. */
  amount: bigint;
}

export type EntryKind =
  'allocate' | 'mature' | 'reverse' | 'payout-reserve' | 'payout-commit' | 'payout-cancel';

export interface Entry {
  /** Deterministic id, e.g. `allocate:<block hash>`. */
  id: string;
  kind: EntryKind;
  /** Block hash or payout id the entry comes from. */
  ref: string;
  postings: Posting[];
}

export const REWARDS = 'chain:rewards';
export const TXFEES = 'chain:txfees';
export type Bucket = 'immature' | 'available' | 'pending' | 'paid';
export const BUCKETS: readonly Bucket[] = ['immature', 'available', 'pending', 'paid'];

export function userAccount(user: string, bucket: Bucket): string {
  return `user:${user}:${bucket}`;
}

/** Parses `user:<addr>:<bucket>`; undefined for other accounts. */
export function parseUserAccount(account: string): { user: string; bucket: Bucket } | undefined {
  const m = /^user:(.+):(immature|available|pending|paid)$/.exec(account);
  return m ? { user: m[1]!, bucket: m[2] as Bucket } : undefined;
}

export class UnbalancedEntryError extends Error {}

/** Throws unless the entry's postings sum to zero and each names an account once with a non-zero amount. */
export function checkBalanced(entry: Entry): void {
  let sum = 0n;
  const seen = new Set<string>();
  for (const p of entry.postings) {
    if (p.amount === 0n) throw new UnbalancedEntryError(`${entry.id}: zero posting to ${p.account}`);
    if (seen.has(p.account)) throw new UnbalancedEntryError(`${entry.id}: ${p.account} posted twice`);
    seen.add(p.account);
    sum += p.amount;
  }
  if (sum !== 0n) throw new UnbalancedEntryError(`${entry.id}: postings sum to ${sum}, not 0`);
}

/** The id of the entry of `kind` for `ref` (generation: see allocationEntry). */
export function entryId(kind: EntryKind, ref: string, generation = 0): string {
  return generation === 0 ? `${kind}:${ref}` : `${kind}:${ref}#${generation}`;
}

function entry(kind: EntryKind, ref: string, postings: Posting[], generation = 0): Entry {
  const e: Entry = {
    id: entryId(kind, ref, generation),
    kind,
    ref,
    postings: postings.filter((p) => p.amount !== 0n),
  };
  checkBalanced(e);
  return e;
}

function sorted(credits: ReadonlyMap<string, bigint>): [string, bigint][] {
  return [...credits].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * A finalized block's reward credited to its users' immature balances. `generation` counts the
 * block's earlier reversals (a block can leave the main chain and come back), so each allocation
 * has its own id.
 */
export function allocationEntry(blockHash: string, a: Credits, generation = 0): Entry {
  return entry(
    'allocate',
    blockHash,
    [
      { account: REWARDS, amount: -a.reward },
      ...sorted(a.credits).map(([user, amount]) => ({ account: userAccount(user, 'immature'), amount })),
    ],
    generation,
  );
}

/** The block's reward cell matured: its credits move from immature to available. */
export function maturityEntry(blockHash: string, a: Credits, generation = 0): Entry {
  return entry(
    'mature',
    blockHash,
    sorted(a.credits).flatMap(([user, amount]) => [
      { account: userAccount(user, 'immature'), amount: -amount },
      { account: userAccount(user, 'available'), amount },
    ]),
    generation,
  );
}

/** The block left the main chain before its reward matured: its allocation is undone. */
export function reversalEntry(blockHash: string, a: Credits, generation = 0): Entry {
  return entry(
    'reverse',
    blockHash,
    [
      { account: REWARDS, amount: a.reward },
      ...sorted(a.credits).map(([user, amount]) => ({
        account: userAccount(user, 'immature'),
        amount: -amount,
      })),
    ],
    generation,
  );
}

/** What an `allocate` entry credited: its reward and per-user credits. */
export function creditsOf(e: Entry): Credits {
  const credits = new Map<string, bigint>();
  let reward = 0n;
  for (const p of e.postings) {
    if (p.account === REWARDS) reward = -p.amount;
    const u = parseUserAccount(p.account);
    if (u) credits.set(u.user, p.amount);
  }
  return { reward, credits };
}

/** Amounts of a payout transaction: what each user receives, and the fee the fee user pays. */
export interface PayoutAmounts {
  payouts: ReadonlyMap<string, bigint>;
  txFee: bigint;
  feeUser: string;
}

/** Before a payout is signed: the amounts leave available and wait in pending (a user is never paid twice). */
export function payoutReserveEntry(payoutId: string, p: PayoutAmounts): Entry {
  return entry('payout-reserve', payoutId, moves(p, 'available', 'pending'));
}

/** The payout transaction committed: pending becomes paid, the transaction fee goes to chain:txfees. */
export function payoutCommitEntry(payoutId: string, p: PayoutAmounts): Entry {
  return entry('payout-commit', payoutId, moves(p, 'pending', 'paid', true));
}

/** The payout cannot commit (rejected, or replaced by a rebuild): pending goes back to available. */
export function payoutCancelEntry(payoutId: string, p: PayoutAmounts): Entry {
  return entry('payout-cancel', payoutId, moves(p, 'pending', 'available'));
}

function moves(p: PayoutAmounts, from: Bucket, to: Bucket, feeToChain = false): Posting[] {
  const delta = new Map<string, bigint>();
  const add = (account: string, amount: bigint) => delta.set(account, (delta.get(account) ?? 0n) + amount);
  for (const [user, amount] of sorted(p.payouts)) {
    add(userAccount(user, from), -amount);
    add(userAccount(user, to), amount);
  }
  if (p.txFee > 0n) {
    add(userAccount(p.feeUser, from), -p.txFee);
    add(feeToChain ? TXFEES : userAccount(p.feeUser, to), p.txFee);
  }
  return [...delta].map(([account, amount]) => ({ account, amount }));
}

/** Applies entries to balances (account → shannons). */
export function applyEntries(balances: Map<string, bigint>, entries: Iterable<Entry>): Map<string, bigint> {
  for (const e of entries) {
    for (const p of e.postings) {
      const v = (balances.get(p.account) ?? 0n) + p.amount;
      if (v === 0n) balances.delete(p.account);
      else balances.set(p.account, v);
    }
  }
  return balances;
}

export interface UserBalance {
  user: string;
  immature: bigint;
  available: bigint;
  pending: bigint;
  paid: bigint;
}

/** A user's balances from the account map. */
export function userBalance(user: string, balances: ReadonlyMap<string, bigint>): UserBalance {
  const get = (b: Bucket) => balances.get(userAccount(user, b)) ?? 0n;
  return {
    user,
    immature: get('immature'),
    available: get('available'),
    pending: get('pending'),
    paid: get('paid'),
  };
}

/** What the ledger owes all users together, per bucket (the wallet view and its metric). */
export function owedByBucket(balances: ReadonlyMap<string, bigint>): Record<Bucket, bigint> {
  const sums = { immature: 0n, available: 0n, pending: 0n, paid: 0n };
  for (const [account, amount] of balances) {
    const u = parseUserAccount(account);
    if (u) sums[u.bucket] += amount;
  }
  return sums;
}

/** JSON-safe form of an entry (amounts as decimal strings), for storage and the API. */
export interface EntryJson {
  id: string;
  kind: EntryKind;
  ref: string;
  postings: { account: string; amount: string }[];
}

export function entryToJson(e: Entry): EntryJson {
  return { ...e, postings: e.postings.map((p) => ({ account: p.account, amount: p.amount.toString() })) };
}

export function entryFromJson(j: EntryJson): Entry {
  return { ...j, postings: j.postings.map((p) => ({ account: p.account, amount: BigInt(p.amount) })) };
}
