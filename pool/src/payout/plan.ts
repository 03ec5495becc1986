/**
 * Who a payout pays (pure): every user whose matured (available) balance reaches both the pool's
 * threshold and the occupied capacity of their lock, the largest balances first, at most
 * `maxOutputs` of them. A CKB output must hold its own occupied capacity: 8 bytes (capacity) +
 * the lock (32 code hash + 1 hash type + args) + type + data, 1 CKB per byte (RFC 0002, ckb
 * `util/types/src/core/cell.rs` occupied capacity); 61 CKB for a secp256k1-blake160 lock.
 */
import type { PayoutOutput } from './record.js';

export const SHANNONS_PER_CKB = 100_000_000n;

/** Occupied capacity of a cell with this lock, no type script and no data. */
export function occupiedCapacity(lockArgsBytes: number): bigint {
  return BigInt(8 + 32 + 1 + lockArgsBytes) * SHANNONS_PER_CKB;
}

export interface Payee {
  user: string;
  /** The user's address (the account part of their user name) and its lock's args length. */
  address: string;
  lockArgsBytes: number;
  available: bigint;
}

export interface PlanOptions {
  threshold: bigint;
  maxOutputs: number;
  /** The fee user keeps this much back for the transaction fee it pays. */
  feeUser: string;
  feeReserve: bigint;
}

export function planPayouts(payees: readonly Payee[], o: PlanOptions): PayoutOutput[] {
  const out: PayoutOutput[] = [];
  for (const p of payees) {
    const amount = p.user === o.feeUser ? p.available - o.feeReserve : p.available;
    const floor = occupiedCapacity(p.lockArgsBytes);
    if (amount >= o.threshold && amount >= floor) out.push({ user: p.user, address: p.address, amount });
  }
  out.sort((a, b) => (a.amount !== b.amount ? (a.amount > b.amount ? -1 : 1) : a.user < b.user ? -1 : 1));
  return out.slice(0, o.maxOutputs);
}
