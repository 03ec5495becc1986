/**
 * LedgerStore: the ledger (entries + balances), the tracked found blocks and the payout records,
 * Redis in production and in memory for `pool dev`. `apply` is the one write: it posts entries
 * (each once, by id) and writes block/payout records in one atomic step, so a crash never leaves
 * a record without its entry or an entry without its record.
 */
import type { TrackedBlock } from '../blocktracker/lifecycle.js';
import type { PayoutRecord } from '../payout/record.js';
import type { Entry } from './ledger.js';

export interface LedgerChange {
  entries?: readonly Entry[];
  blocks?: readonly TrackedBlock[];
  payouts?: readonly PayoutRecord[];
}

/**
 * The pool wallet as the payouts service last saw it on the chain (written every turn it holds
 * the lease and has a key), for the API's wallet view and the wallet-balance metric.
 */
export interface WalletSnapshot {
  /** The wallet's CKB address (secp256k1-blake160 of the payout key). */
  address: string;
  /** Live capacity spendable now: ordinary cells and matured cellbase outputs, shannons. */
  spendable: bigint;
  /** Live capacity in cellbase outputs not matured yet, shannons. */
  immature: bigint;
  /** Live cells of the wallet. */
  cells: number;
  /** Tip number when it was read. */
  tip: bigint;
  /** Unix ms when it was read. */
  updatedAt: number;
}

export interface LedgerStore {
  /** Atomically posts the entries not posted yet and writes the records. Resolves to the entries newly posted. */
  apply(change: LedgerChange): Promise<number>;
  entry(id: string): Promise<Entry | undefined>;
  /** Every entry, in posting order. */
  entries(): Promise<Entry[]>;
  /** Every non-zero account balance. */
  balances(): Promise<Map<string, bigint>>;
  block(hash: string): Promise<TrackedBlock | undefined>;
  blocks(): Promise<TrackedBlock[]>;
  payout(id: string): Promise<PayoutRecord | undefined>;
  payouts(): Promise<PayoutRecord[]>;
  putWallet(wallet: WalletSnapshot): Promise<void>;
  wallet(): Promise<WalletSnapshot | undefined>;
  close(): Promise<void>;
}

/** JSON with bigints kept exact: a bigint is written as {"$big": "<decimal>"}. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? { $big: v.toString() } : v));
}

export function fromJson<T>(text: string): T {
  return JSON.parse(text, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && '$big' in v && Object.keys(v).length === 1
      ? BigInt((v as { $big: string }).$big)
      : v,
  ) as T;
}
