/**
 * The block tracker: follows every found block (the block maker's records) on the chain and keeps
 * the ledger in step with it: allocates a block's reward by PPLNS when the node finalized it (and
 * the paying cellbase agrees), moves it to the users' available balances when the reward cell
 * matured, and reverses it when the block left the main chain first. One instance runs at a time
 * (the payouts service's lease); every step is idempotent (entry ids), so a crash or a second run
 * replays to the same ledger.
 */
import { Gauge, type Registry } from 'prom-client';
import type { FoundBlock } from '../../../proto/gen/blocks.js';
import { unpackEpoch, type Epoch } from '../ckb/header.js';
import { hexToUint } from '../ckb/hex.js';
import { compactToDifficulty } from '../ckb/target.js';
import type { JsonBlockView, JsonScript } from '../ckb/types.js';
import { allocationEntry, creditsOf, maturityEntry, reversalEntry, type Entry } from '../ledger/ledger.js';
import { allocate, windowWeight, type FeePolicy } from '../ledger/pplns.js';
import type { LedgerStore } from '../ledger/store.js';
import type { Logger } from '../observability/logger.js';
import type { PoolStore } from '../store/types.js';
import { cellbaseWitnessLock, sameLock, type ChainReader } from './chain.js';
import {
  advance,
  rewardTotal,
  type BlockState,
  type LifecycleParams,
  type Observation,
  type TrackedBlock,
} from './lifecycle.js';
import type { ShareIndex } from './share-index.js';

export interface PplnsParams {
  /** N = factor (per mille) × the block's difficulty, in weight units. */
  factorPermille: number;
  minWeight: bigint;
}

export interface BlockTrackerOptions {
  chain: ChainReader;
  store: PoolStore;
  ledger: LedgerStore;
  shares: ShareIndex;
  fee: FeePolicy;
  pplns: PplnsParams;
  orphanDepth: bigint;
  /** The pool wallet's lock: a reward paid elsewhere is never credited. Unset: whatever lock the block names. */
  poolLock?: JsonScript;
  logger: Logger;
}

const STATES: readonly BlockState[] = [
  'submitted',
  'main',
  'side',
  'uncle',
  'orphaned',
  'finalized',
  'matured',
];

/** `eaglepool_blocks_*` gauges, read from the ledger store at scrape (right across restarts). */
export function blockMetrics(registry: Registry, ledger: LedgerStore): void {
  const counts = async () => {
    const c = new Map<BlockState, number>(STATES.map((s) => [s, 0]));
    for (const b of await ledger.blocks()) c.set(b.state, c.get(b.state)! + 1);
    return c;
  };
  const gauge = (name: string, help: string, pick: (c: Map<BlockState, number>) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(pick(await counts()));
      },
    });
  gauge('eaglepool_blocks_found', 'Blocks the pool found and the node took (any state).', (c) =>
    [...c.values()].reduce((a, b) => a + b, 0),
  );
  gauge(
    'eaglepool_blocks_confirmed',
    'Found blocks whose reward is finalized on the main chain (finalized or matured).',
    (c) => c.get('finalized')! + c.get('matured')!,
  );
  gauge('eaglepool_blocks_orphaned', 'Found blocks off the main chain for good (orphaned).', (c) =>
    c.get('orphaned')!,
  );
  gauge('eaglepool_blocks_uncles', 'Found blocks included as uncles (no reward cell).', (c) =>
    c.get('uncle')!,
  );
  gauge('eaglepool_blocks_matured', 'Found blocks whose reward cell matured (spendable).', (c) =>
    c.get('matured')!,
  );
  new Gauge({
    name: 'eaglepool_blocks_state',
    help: 'Found blocks by lifecycle state.',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      for (const [state, n] of await counts()) this.set({ state }, n);
    },
  });
}

function isFinal(b: TrackedBlock, tip: bigint, orphanDepth: bigint): boolean {
  if (b.state === 'uncle' || b.state === 'matured') return true;
  return b.state === 'orphaned' && tip > b.number + 2n * orphanDepth;
}

export class BlockTracker {
  private consensus: { cellbaseMaturity: Epoch; finalizationDelay: bigint } | undefined;

  constructor(private readonly o: BlockTrackerOptions) {}

  /** New found blocks become tracked (submitted). */
  private async adopt(found: readonly FoundBlock[], tracked: Map<string, TrackedBlock>): Promise<void> {
    const fresh: TrackedBlock[] = [];
    for (const f of found) {
      if (!f.blockHash || f.status === 'rejected' || f.status === 'stale' || tracked.has(f.blockHash))
        continue;
      const b: TrackedBlock = {
        hash: f.blockHash,
        number: f.number,
        shareId: f.shareId,
        user: f.user,
        worker: f.worker,
        foundAt: f.foundAt,
        state: 'submitted',
        confirmations: 0n,
        generation: 0,
      };
      tracked.set(b.hash, b);
      fresh.push(b);
    }
    if (fresh.length > 0) await this.o.ledger.apply({ blocks: fresh });
  }

  /** One pass over every found block. */
  async tick(): Promise<void> {
    const { chain, ledger } = this.o;
    this.consensus ??= await chain.consensus();
    const tip = await chain.tip();
    const tracked = new Map((await ledger.blocks()).map((b) => [b.hash, b]));
    await this.adopt(await this.o.store.listBlocks(1000), tracked);
    const params: LifecycleParams = {
      cellbaseMaturity: this.consensus.cellbaseMaturity,
      orphanDepth: this.o.orphanDepth,
    };
    // Main-chain blocks read once per tick, however many side blocks look for their uncle in them.
    const mainBlocks = new Map<bigint, Promise<JsonBlockView | null>>();
    for (const b of tracked.values()) {
      if (isFinal(b, tip.number, this.o.orphanDepth)) continue;
      const o = await this.observe(b, tip, mainBlocks);
      const t = advance(b, o, params, unpackEpoch);
      await this.record(b, t.block, t.action);
    }
  }

  private async observe(
    b: TrackedBlock,
    tip: { number: bigint; epoch: Epoch },
    mainBlocks: Map<bigint, Promise<JsonBlockView | null>>,
  ): Promise<Observation> {
    const { chain } = this.o;
    const onMain = (await chain.mainHash(b.number)) === b.hash;
    const o: Observation = { tip: tip.number, tipEpoch: tip.epoch, onMain, known: onMain };
    if (!onMain) {
      o.known = (await chain.header(b.hash)) !== null;
      o.uncleIn = await this.findUncle(b, tip.number, mainBlocks);
      return o;
    }
    if (
      b.state === 'finalized' ||
      b.state === 'matured' ||
      tip.number < b.number + this.consensus!.finalizationDelay
    )
      return o;
    const state = await chain.economicState(b.hash);
    if (!state) return o;
    const [own, payer] = await Promise.all([chain.block(b.hash), chain.block(state.finalizedAt)]);
    if (!own || !payer) return o;
    const lock = cellbaseWitnessLock(own);
    const out = payer.transactions[0]?.outputs[0];
    const ours = lock !== undefined && (this.o.poolLock === undefined || sameLock(lock, this.o.poolLock));
    o.finalization = {
      reward: state.reward,
      finalizedAt: state.finalizedAt,
      paidCapacity: ours && out && sameLock(out.lock, lock) ? hexToUint(out.capacity) : undefined,
      rewardEpoch: hexToUint(payer.header.epoch),
    };
    return o;
  }

  /** The main-chain block (within orphanDepth) that lists `b` among its uncles. */
  private async findUncle(
    b: TrackedBlock,
    tip: bigint,
    mainBlocks: Map<bigint, Promise<JsonBlockView | null>>,
  ): Promise<string | undefined> {
    const last = b.number + this.o.orphanDepth < tip ? b.number + this.o.orphanDepth : tip;
    for (let n = b.number + 1n; n <= last; n++) {
      let read = mainBlocks.get(n);
      if (!read) mainBlocks.set(n, (read = this.o.chain.blockByNumber(n)));
      const block = await read;
      if (block?.uncles.some((u) => u.header.hash === b.hash)) return block.header.hash;
    }
    return undefined;
  }

  private async record(before: TrackedBlock, after: TrackedBlock, action: string): Promise<void> {
    const { ledger, logger } = this.o;
    let entry: Entry | undefined;
    if (action === 'allocate') {
      const header = await this.o.chain.header(after.hash);
      if (!header) return;
      const weight = windowWeight(
        compactToDifficulty(Number(hexToUint(header.compact_target))),
        this.o.pplns.factorPermille,
        this.o.pplns.minWeight,
      );
      const weights = this.o.shares.window(after.shareId, weight);
      if (!weights) {
        const reason =
          'finalized: waiting for the share log to hold the block share and the shares around it';
        if (before.reason !== reason) await ledger.apply({ blocks: [{ ...before, reason }] });
        return;
      }
      const a = allocate(rewardTotal(after.reward!), weights, this.o.fee);
      after.allocation = { windowWeight: weight, feeAddress: this.o.fee.address, feeBps: this.o.fee.rateBps };
      entry = allocationEntry(after.hash, a, after.generation);
    } else if (action === 'mature' || action === 'reverse') {
      const gen = before.generation;
      const alloc = await ledger.entry(
        allocationEntry(before.hash, { reward: 0n, credits: new Map() }, gen).id,
      );
      if (!alloc)
        throw new Error(`block ${before.hash}: no allocation entry (generation ${gen}) to ${action}`);
      const credits = creditsOf(alloc);
      entry =
        action === 'mature'
          ? maturityEntry(before.hash, credits, gen)
          : reversalEntry(before.hash, credits, gen);
    }
    if (!entry && JSON.stringify(before, big) === JSON.stringify(after, big)) return;
    await ledger.apply({ entries: entry ? [entry] : [], blocks: [after] });
    if (before.state !== after.state)
      logger.info('block state', {
        hash: after.hash,
        number: after.number,
        from: before.state,
        to: after.state,
      });
  }
}

const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);
