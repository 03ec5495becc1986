/**
 * Found-block lifecycle (pure): what a found block is on the chain and what the ledger must do
 * about it, from one observation of the chain at a time.
 *
 *   submitted ─┬─> main ──> finalized ──> matured
 *              ├─> side ─┬─> uncle        (final: uncles earn no reward cell)
 *              │         └─> orphaned     (final once `orphanDepth` blocks passed)
 *              └─> orphaned
 *   main | finalized ──(reorg)──> side/orphaned, credits reversed; back on the main chain later:
 *   main again, a new allocation (generation + 1).
 *
 * CKB facts (nervosnetwork/ckb):
 * - Block N's reward is paid by the cellbase of block N + finalization delay, the delay being
 *   `tx_proposal_window.farthest + 1` = 11 (`spec/src/consensus.rs` `finalization_delay_length`,
 *   `util/reward-calculator/src/lib.rs`); `get_block_economic_state(N)` answers null until the tip
 *   reaches N + 11 and for blocks off the canonical chain (`rpc/src/module/chain.rs`).
 * - A cellbase output is spendable once the spending context's epoch (as a fraction) reaches the
 *   cellbase block's epoch + `cellbase_maturity` (`verification/src/transaction_verifier.rs`
 *   `MaturityVerifier`; 4 epochs on mainnet, `spec/src/consensus.rs` `CELLBASE_MATURITY`).
 */
import type { Epoch } from '../ckb/header.js';

export type BlockState = 'submitted' | 'main' | 'side' | 'uncle' | 'orphaned' | 'finalized' | 'matured';

/** The reward of a block as the node reports it (`get_block_economic_state.miner_reward`), shannons. */
export interface BlockReward {
  primary: bigint;
  secondary: bigint;
  committed: bigint;
  proposal: bigint;
}

export function rewardTotal(r: BlockReward): bigint {
  return r.primary + r.secondary + r.committed + r.proposal;
}

export interface TrackedBlock {
  hash: string;
  number: bigint;
  shareId: string;
  user: string;
  worker: string;
  foundAt: bigint;
  state: BlockState;
  /** Main-chain blocks from this one to the tip, itself included (0 off the main chain). */
  confirmations: bigint;
  /** Set once finalized: the node's reward and where it was paid. */
  reward?: BlockReward;
  /** The block whose cellbase pays this block's reward (N + 11). */
  finalizedAt?: string;
  /** Epoch of the paying block (packed), for the maturity rule. */
  rewardEpoch?: bigint;
  /** The inputs of the current allocation, for `pool audit` (set when allocated). */
  allocation?: AllocationInputs;
  /** Allocations undone so far (a block can leave the main chain and come back). */
  generation: number;
  /** The hash of the main-chain block that includes it as an uncle. */
  uncleIn?: string;
  /** Why it is orphaned or why finalization is held back. */
  reason?: string;
}

export interface AllocationInputs {
  /** PPLNS window N in weight units. */
  windowWeight: bigint;
  feeAddress: string;
  feeBps: number;
}

/** What the tracker saw on the chain for one block. */
export interface Observation {
  tip: bigint;
  tipEpoch: Epoch;
  /** get_block_hash(number) is this block. */
  onMain: boolean;
  /** The node knows the header (main or side chain). */
  known: boolean;
  /** A main-chain block lists it among its uncles. */
  uncleIn?: string;
  /**
   * Only when on the main chain and finalized (tip >= number + 11): the node's reward, the paying
   * cellbase's output to the pool and the paying block's epoch.
   */
  finalization?: {
    reward: BlockReward;
    finalizedAt: string;
    /** Capacity of the paying cellbase's output to the pool's lock, or undefined if it has none. */
    paidCapacity: bigint | undefined;
    rewardEpoch: bigint;
  };
}

export interface LifecycleParams {
  /** cellbase_maturity as an epoch fraction (`get_consensus`). */
  cellbaseMaturity: Epoch;
  /** Blocks after which a side block that is no uncle counts as orphaned. */
  orphanDepth: bigint;
}

/** What the ledger must do after a transition. */
export type LedgerAction = 'none' | 'allocate' | 'mature' | 'reverse';

export interface Transition {
  block: TrackedBlock;
  action: LedgerAction;
}

/** a >= b + m, epochs as fractions number + index / length (length 0 counts as a whole epoch). */
export function epochReached(a: Epoch, b: Epoch, m: Epoch): boolean {
  const frac = (e: Epoch): [bigint, bigint] => {
    const len = BigInt(e.length === 0 ? 1 : e.length);
    const idx = e.length === 0 ? 0n : BigInt(e.index);
    return [e.number * len + idx, len];
  };
  const [an, ad] = frac(a);
  const [bn, bd] = frac(b);
  const [mn, md] = frac(m);
  // an/ad >= bn/bd + mn/md  <=>  an*bd*md >= (bn*md + mn*bd)*ad
  return an * bd * md >= (bn * md + mn * bd) * ad;
}

/** The next state of `b` given the observation, and the ledger action it calls for. */
export function advance(
  b: TrackedBlock,
  o: Observation,
  p: LifecycleParams,
  unpack: (packed: bigint) => Epoch,
): Transition {
  const next: TrackedBlock = { ...b };
  const depth = o.tip >= b.number ? o.tip - b.number + 1n : 0n;
  if (b.state === 'uncle' || (b.state === 'orphaned' && !o.onMain)) return { block: b, action: 'none' };

  if (!o.onMain) {
    next.confirmations = 0n;
    const wasAllocated = b.state === 'finalized';
    if (b.state === 'matured') {
      // A reorg deeper than the cellbase maturity: nothing to undo safely (the reward may be paid).
      return { block: { ...b, reason: 'left the main chain after maturity' }, action: 'none' };
    }
    if (o.uncleIn) {
      next.state = 'uncle';
      next.uncleIn = o.uncleIn;
    } else if (depth > p.orphanDepth) next.state = 'orphaned';
    else if (o.known || b.state !== 'submitted') next.state = 'side';
    if (next.state === 'orphaned') next.reason ??= 'not on the main chain';
    delete next.reward;
    delete next.allocation;
    delete next.finalizedAt;
    delete next.rewardEpoch;
    if (wasAllocated) {
      next.generation = b.generation + 1;
      return { block: next, action: 'reverse' };
    }
    return { block: next, action: 'none' };
  }

  next.confirmations = depth;
  delete next.uncleIn;
  if (b.state === 'orphaned' || b.state === 'side' || b.state === 'submitted') {
    next.state = 'main';
    delete next.reason;
  }
  if (next.state === 'main' && o.finalization) {
    const f = o.finalization;
    const total = rewardTotal(f.reward);
    if (f.paidCapacity !== total) {
      next.reason =
        f.paidCapacity === undefined
          ? `the cellbase of ${f.finalizedAt} pays nothing to the pool's lock`
          : `the cellbase of ${f.finalizedAt} pays ${f.paidCapacity}, get_block_economic_state says ${total}`;
      return { block: next, action: 'none' };
    }
    next.state = 'finalized';
    next.reward = f.reward;
    next.finalizedAt = f.finalizedAt;
    next.rewardEpoch = f.rewardEpoch;
    delete next.reason;
    return { block: next, action: 'allocate' };
  }
  if (next.state === 'finalized' && next.rewardEpoch !== undefined) {
    if (epochReached(o.tipEpoch, unpack(next.rewardEpoch), p.cellbaseMaturity)) {
      next.state = 'matured';
      return { block: next, action: 'mature' };
    }
  }
  return { block: next, action: 'none' };
}
