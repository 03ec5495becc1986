/**
 * The money routes of the HTTP API, read from the LedgerStore the payouts service writes:
 *   GET /api/miners/:user/balance    the user's ledger balances (immature, available, pending, paid)
 *   GET /api/miners/:user/payments   payout transactions that pay the user, newest first
 *   GET /api/payments[?limit=N]      every payout transaction, newest first
 *   GET /api/wallet                  the pool wallet (address, live capacity) and what the ledger owes
 *   GET /api/blocks/:hash/payouts    the block's PPLNS allocation as the ledger credited it (integer)
 * and the found blocks' lifecycle (state, confirmations, the reward the chain pays) joined to the
 * share processor's block list. Amounts are shannons as decimal strings.
 */
import type { FoundBlock } from '../../../proto/gen/blocks.js';
import { rewardTotal, type TrackedBlock } from '../blocktracker/lifecycle.js';
import { creditsOf, entryId, owedByBucket, userBalance } from '../ledger/ledger.js';
import type { LedgerStore } from '../ledger/store.js';
import { currentAttempt, OPEN_STATES, type PayoutRecord } from '../payout/record.js';

export interface Answer {
  status: number;
  body: unknown;
}

/** A found block's lifecycle as the payouts service tracks it (absent until it is tracked). */
export interface BlockLifecycle {
  state: TrackedBlock['state'];
  confirmations: bigint;
  /** The reward the chain pays (get_block_economic_state), once finalized; null before. */
  reward: bigint | null;
  rewardParts: { primary: bigint; secondary: bigint; committed: bigint; proposal: bigint } | null;
  /** The block whose cellbase pays the reward. */
  finalizedAt: string | null;
  reason: string | null;
}

export type BlockWithLifecycle = FoundBlock & { lifecycle?: BlockLifecycle };

function lifecycleOf(t: TrackedBlock): BlockLifecycle {
  return {
    state: t.state,
    confirmations: t.confirmations,
    reward: t.reward ? rewardTotal(t.reward) : null,
    rewardParts: t.reward ?? null,
    finalizedAt: t.finalizedAt ?? null,
    reason: t.reason ?? null,
  };
}

/** The share processor's found blocks with their lifecycle (when the ledger tracks them). */
export async function withLifecycle(
  blocks: readonly FoundBlock[],
  ledger: LedgerStore | undefined,
): Promise<BlockWithLifecycle[]> {
  if (!ledger || blocks.length === 0) return [...blocks];
  const tracked = new Map((await ledger.blocks()).map((t) => [t.hash, t]));
  return blocks.map((b) => {
    const t = tracked.get(b.blockHash);
    return t ? { ...b, lifecycle: lifecycleOf(t) } : b;
  });
}

/** The transaction hash of a payout: the one that committed, else the current attempt's. */
function txHashOf(p: PayoutRecord): string | null {
  return p.txHash ?? currentAttempt(p)?.txHash ?? null;
}

function newestFirst(payouts: PayoutRecord[]): PayoutRecord[] {
  return payouts.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
}

function paymentSummary(p: PayoutRecord) {
  return {
    id: p.id,
    state: p.state,
    total: p.outputs.reduce((s, o) => s + o.amount, 0n),
    outputs: p.outputs.length,
    fee: currentAttempt(p)?.fee ?? 0n,
    txHash: txHashOf(p),
    blockHash: p.blockHash ?? null,
    attempts: p.attempts.length,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    reason: p.reason ?? null,
  };
}

function limitOf(url: URL): number {
  return Math.min(1000, Math.max(1, Number(url.searchParams.get('limit') ?? 50) || 50));
}

/** Answers a money route (`parts` = the decoded path segments after `api`), or undefined if it is none. */
export async function moneyRoute(
  ledger: LedgerStore,
  parts: string[],
  url: URL,
): Promise<Answer | undefined> {
  if (parts.length === 3 && parts[0] === 'miners' && parts[2] === 'balance') {
    const b = userBalance(parts[1]!, await ledger.balances());
    return { status: 200, body: b };
  }
  if (parts.length === 3 && parts[0] === 'miners' && parts[2] === 'payments') {
    const user = parts[1]!;
    const payments = newestFirst(await ledger.payouts())
      .filter((p) => p.outputs.some((o) => o.user === user))
      .slice(0, limitOf(url))
      .map((p) => {
        const out = p.outputs.find((o) => o.user === user)!;
        return {
          id: p.id,
          state: p.state,
          amount: out.amount,
          address: out.address,
          txHash: txHashOf(p),
          blockHash: p.blockHash ?? null,
          createdAt: p.createdAt,
          updatedAt: p.updatedAt,
        };
      });
    return { status: 200, body: { user, payments } };
  }
  if (parts.length === 1 && parts[0] === 'payments') {
    const payments = newestFirst(await ledger.payouts())
      .slice(0, limitOf(url))
      .map(paymentSummary);
    return { status: 200, body: { payments } };
  }
  if (parts.length === 3 && parts[0] === 'blocks' && parts[2] === 'payouts')
    return allocation(ledger, parts[1]!);
  if (parts.length === 1 && parts[0] === 'wallet') {
    const [wallet, balances, payouts] = await Promise.all([
      ledger.wallet(),
      ledger.balances(),
      ledger.payouts(),
    ]);
    const sums = owedByBucket(balances);
    const open = newestFirst(payouts.filter((p) => OPEN_STATES.includes(p.state))).map(paymentSummary);
    return {
      status: 200,
      body: {
        configured: wallet !== undefined,
        address: wallet?.address ?? null,
        spendable: wallet?.spendable ?? null,
        immature: wallet?.immature ?? null,
        cells: wallet?.cells ?? null,
        tip: wallet?.tip ?? null,
        updatedAt: wallet?.updatedAt ?? null,
        owed: sums,
        openPayouts: open,
      },
    };
  }
  return undefined;
}

/** The PPLNS allocation the ledger holds for a block (its current `allocate` entry). */
async function allocation(ledger: LedgerStore, hash: string): Promise<Answer> {
  const t = await ledger.block(hash);
  if (!t) return { status: 404, body: { error: `block ${hash} is not tracked` } };
  const e = await ledger.entry(entryId('allocate', hash, t.generation));
  if (!e || !['finalized', 'matured'].includes(t.state))
    return {
      status: 404,
      body: { error: `block ${hash} is ${t.state}: no allocation (credited once its reward is finalized)` },
    };
  const { reward, credits } = creditsOf(e);
  return {
    status: 200,
    body: {
      blockHash: t.hash,
      number: t.number,
      scheme: 'PPLNS',
      state: t.state,
      reward,
      generation: t.generation,
      windowWeight: t.allocation?.windowWeight ?? null,
      feeAddress: t.allocation?.feeAddress ?? null,
      feeBps: t.allocation?.feeBps ?? null,
      payouts: [...credits]
        .sort((a, b) => (a[1] !== b[1] ? (a[1] > b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
        .map(([user, amount]) => ({ user, amount })),
    },
  };
}
