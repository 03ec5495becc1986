/**
 * The payout state machine. Each `step()` moves the open payout one state on (or starts one),
 * writing its record (and ledger entry) before acting on the chain, so a crash between any two
 * steps resumes where it stopped:
 *   - no payout open: plan, build (unsigned; its tx hash is known), record `built` together with
 *     the reserve entry (the amounts leave the users' available balances);
 *   - built: sign, record `signed` (the signed transaction);
 *   - signed: send_transaction, record `broadcast` (a duplicate answer counts as sent);
 *   - broadcast: get_transaction: committed → `committed` with the commit entry; pending/proposed →
 *     wait; rejected/unknown (dropped) → resend the same transaction, or `failed` if the node refuses it;
 *   - failed: inputs still live → a new attempt on the same inputs (`built`); an input spent →
 *     whichever attempt committed is committed, else `cancelled` with the cancel entry.
 * Every attempt of a payout spends the same inputs, so at most one can commit: no double payment;
 * amounts leave `pending` only to `paid` (committed) or back to `available` (provably not paid).
 */
import { randomUUID } from 'node:crypto';
import {
  payoutCancelEntry,
  payoutCommitEntry,
  payoutReserveEntry,
  userBalance,
  parseUserAccount,
  type PayoutAmounts,
} from '../ledger/ledger.js';
import type { LedgerStore } from '../ledger/store.js';
import type { Logger } from '../observability/logger.js';
import { occupiedCapacity, planPayouts, SHANNONS_PER_CKB, type Payee } from './plan.js';
import {
  currentAttempt,
  OPEN_STATES,
  type PayoutInput,
  type PayoutOutput,
  type PayoutRecord,
} from './record.js';

/**
 * What a payout's inputs must hold beyond its outputs: the change cell back to the wallet (its own
 * occupied capacity, 61 CKB for secp256k1-blake160) and the fee. The fee user keeps this much back
 * (service.ts), so a pool with a fee funds its change cells itself; without a fee the operator
 * funds the wallet with it once (docs/operations.md, "The pool wallet").
 */
export const CHANGE_RESERVE = occupiedCapacity(20) + SHANNONS_PER_CKB;

export type TxStatus = 'pending' | 'proposed' | 'committed' | 'rejected' | 'unknown';

/** A node refusal of send_transaction (JSON-RPC error code and message). */
export class SendRefused extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** The chain edge of payouts (ccc + the node's RPC in production, a fake in unit tests). */
export interface PayoutChain {
  /** The pool's cells that can be spent now (matured cellbase outputs and ordinary cells). */
  spendableCells(): Promise<PayoutInput[]>;
  /** Builds the unsigned transaction paying `outputs` from `inputs`, change to the pool. */
  build(
    inputs: readonly PayoutInput[],
    outputs: readonly PayoutOutput[],
  ): Promise<{ txHash: string; tx: string; fee: bigint }>;
  sign(tx: string): Promise<string>;
  /** send_transaction; throws SendRefused for a node refusal. PoolRejectedDuplicatedTransaction counts as sent. */
  send(tx: string): Promise<void>;
  status(txHash: string): Promise<{ status: TxStatus; blockHash?: string; reason?: string }>;
  /** Whether the out point is a live cell (get_live_cell). */
  live(input: PayoutInput): Promise<boolean>;
  /** Lock args length of an address, or undefined if it is not an address of the pool's network. */
  lockArgsBytes(address: string): number | undefined;
}

export interface MachineOptions {
  ledger: LedgerStore;
  chain: PayoutChain;
  threshold: bigint;
  maxOutputs: number;
  feeUser: string;
  /** Kept back from the fee user's payout for transaction fees. */
  feeReserve: bigint;
  logger: Logger;
  now?: () => number;
  /** Test hook: called before and after each chain action, before its record is written (crash injection). */
  beforeAction?: (action: string) => void;
}

function amounts(p: PayoutRecord, feeUser: string, txFee = 0n): PayoutAmounts {
  return { payouts: new Map(p.outputs.map((o) => [o.user, o.amount])), txFee, feeUser };
}

export class PayoutMachine {
  private readonly now: () => number;

  constructor(private readonly o: MachineOptions) {
    this.now = o.now ?? Date.now;
  }

  /** The payout still open (at most one: a payout waits for the previous one to settle). */
  async open(): Promise<PayoutRecord | undefined> {
    const open = (await this.o.ledger.payouts()).filter((p) => OPEN_STATES.includes(p.state));
    return open.sort((a, b) => a.createdAt - b.createdAt)[0];
  }

  /** One transition; resolves to the state reached (or 'idle' when there is nothing to pay). */
  async step(): Promise<string> {
    const p = await this.open();
    if (!p) return this.start();
    switch (p.state) {
      case 'built':
        return this.sign(p);
      case 'signed':
        return this.send(p);
      case 'broadcast':
        return this.reconcile(p);
      default:
        return this.retry(p);
    }
  }

  private act(action: string): void {
    this.o.beforeAction?.(action);
  }

  private async save(p: PayoutRecord, entry?: ReturnType<typeof payoutCommitEntry>): Promise<string> {
    p.updatedAt = this.now();
    await this.o.ledger.apply({ payouts: [p], entries: entry ? [entry] : [] });
    return p.state;
  }

  private async start(): Promise<string> {
    const balances = await this.o.ledger.balances();
    const payees: Payee[] = [];
    for (const account of balances.keys()) {
      const u = parseUserAccount(account);
      if (!u || u.bucket !== 'available') continue;
      const lockArgsBytes = this.o.chain.lockArgsBytes(u.user);
      if (lockArgsBytes === undefined) continue; // not an address of this network: owed, never paid out
      payees.push({
        user: u.user,
        address: u.user,
        lockArgsBytes,
        available: userBalance(u.user, balances).available,
      });
    }
    const outputs = planPayouts(payees, {
      threshold: this.o.threshold,
      maxOutputs: this.o.maxOutputs,
      feeUser: this.o.feeUser,
      feeReserve: this.o.feeReserve,
    });
    if (outputs.length === 0) return 'idle';
    const total = outputs.reduce((s, x) => s + x.amount, 0n);
    const cells = await this.o.chain.spendableCells();
    const inputs: PayoutInput[] = [];
    let have = 0n;
    // Enough for the outputs, a change cell (61 CKB) and the fee.
    for (const c of cells.sort((a, b) => (a.capacity > b.capacity ? -1 : 1))) {
      if (have >= total + CHANGE_RESERVE) break;
      inputs.push(c);
      have += c.capacity;
    }
    if (have < total + CHANGE_RESERVE) {
      this.o.logger.warn('payout waits: the matured pool cells do not cover it', {
        owed: total.toString(),
        spendable: have.toString(),
      });
      return 'idle';
    }
    this.act('build');
    const built = await this.o.chain.build(inputs, outputs);
    this.act('built');
    const p: PayoutRecord = {
      id: `${this.now()}-${randomUUID().slice(0, 8)}`,
      createdAt: this.now(),
      updatedAt: this.now(),
      state: 'built',
      outputs,
      inputs,
      attempts: [{ ...built, signed: false }],
    };
    return this.save(p, payoutReserveEntry(p.id, amounts(p, this.o.feeUser)));
  }

  private async sign(p: PayoutRecord): Promise<string> {
    const a = currentAttempt(p)!;
    this.act('sign');
    a.tx = await this.o.chain.sign(a.tx);
    this.act('signed');
    a.signed = true;
    p.state = 'signed';
    return this.save(p);
  }

  private async send(p: PayoutRecord): Promise<string> {
    const a = currentAttempt(p)!;
    this.act('send');
    try {
      await this.o.chain.send(a.tx);
      this.act('sent');
      p.state = 'broadcast';
    } catch (err) {
      if (!(err instanceof SendRefused)) throw err; // node unreachable: try again next step
      a.reason = `send_transaction: ${err.code} ${err.message}`;
      p.state = 'failed';
    }
    return this.save(p);
  }

  private async reconcile(p: PayoutRecord): Promise<string> {
    const a = currentAttempt(p)!;
    this.act('status');
    const s = await this.o.chain.status(a.txHash);
    if (s.status === 'committed') return this.commit(p, a.txHash, s.blockHash);
    if (s.status === 'pending' || s.status === 'proposed') return p.state;
    // Rejected or dropped from the pool: the same signed transaction again.
    return this.send(p);
  }

  private async commit(p: PayoutRecord, txHash: string, blockHash: string | undefined): Promise<string> {
    const a = p.attempts.find((x) => x.txHash === txHash)!;
    p.state = 'committed';
    p.txHash = txHash;
    if (blockHash) p.blockHash = blockHash;
    this.o.logger.info('payout committed', { id: p.id, txHash, outputs: p.outputs.length });
    return this.save(p, payoutCommitEntry(p.id, amounts(p, this.o.feeUser, a.fee)));
  }

  private async retry(p: PayoutRecord): Promise<string> {
    // Any attempt that made it on chain settles the payout, whatever the current one says.
    for (const a of p.attempts) {
      const s = await this.o.chain.status(a.txHash);
      if (s.status === 'committed') return this.commit(p, a.txHash, s.blockHash);
    }
    const live = await Promise.all(p.inputs.map((i) => this.o.chain.live(i)));
    if (live.every(Boolean)) {
      this.act('rebuild');
      const built = await this.o.chain.build(p.inputs, p.outputs);
      p.attempts.push({ ...built, signed: false });
      p.state = 'built';
      return this.save(p);
    }
    // An input is spent by a transaction that is none of ours: no attempt can ever commit.
    p.state = 'cancelled';
    p.reason = 'inputs spent elsewhere; amounts returned to the users';
    this.o.logger.warn('payout cancelled', { id: p.id });
    return this.save(p, payoutCancelEntry(p.id, amounts(p, this.o.feeUser)));
  }
}
