/**
 * A payout: one transaction paying many users, recorded before anything is broadcast. Its
 * attempts all spend the same inputs (a rebuild reuses them), so at most one attempt can ever
 * commit: a payout is paid once or not at all.
 *
 *   built ─> signed ─> broadcast ─> committed
 *     ^                   │
 *     └── rebuilt ◄── failed (rejected / dropped and not resendable; inputs still live)
 *   failed with its inputs spent elsewhere ─> cancelled (amounts back to the users' available)
 */
export type PayoutState = 'built' | 'signed' | 'broadcast' | 'committed' | 'failed' | 'cancelled';

export interface PayoutOutput {
  user: string;
  /** CKB address the user mines under (the payout target). */
  address: string;
  amount: bigint;
}

export interface PayoutInput {
  txHash: string;
  index: number;
  capacity: bigint;
}

export interface PayoutAttempt {
  txHash: string;
  /** The transaction as CKB JSON (witnesses filled once signed). */
  tx: string;
  fee: bigint;
  signed: boolean;
  reason?: string;
}

export interface PayoutRecord {
  id: string;
  createdAt: number;
  updatedAt: number;
  state: PayoutState;
  outputs: PayoutOutput[];
  inputs: PayoutInput[];
  /** Newest last; the current attempt is the last one. */
  attempts: PayoutAttempt[];
  /** Set when committed: the attempt and block that paid. */
  txHash?: string;
  blockHash?: string;
  reason?: string;
}

export function currentAttempt(p: PayoutRecord): PayoutAttempt | undefined {
  return p.attempts[p.attempts.length - 1];
}

/** Payout states that still hold money in the users' pending balances. */
export const OPEN_STATES: readonly PayoutState[] = ['built', 'signed', 'broadcast', 'failed'];
