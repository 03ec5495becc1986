/**
 * The devnet's chain: pure state and rules, no I/O (the clock is injected). Builds get_block_template
 * results for the tip and verifies submitted blocks as a CKB node would for a miner, in the node's
 * order (header: version, PoW, parent, number, epoch, timestamp, target; then body: transactions root,
 * proposals, extra hash/extension, cellbase, dao), answering with the node's error codes and messages.
 * Simplifications are listed in docs/ckb.md.
 */
import { ccc } from '@ckb-ccc/core';
import { extraHashOf, proposalsHashOf, transactionsRootOf, txHashes, unclesHashOf } from '../ckb/block.js';
import type { TxHashes } from '../ckb/block.js';
import { ZERO_HASH } from '../ckb/hash.js';
import { headerFromJson, headerHashOf, headerToJson, packEpoch, unpackEpoch } from '../ckb/header.js';
import type { Epoch, Header } from '../ckb/header.js';
import { bytesToHex, hexToBytes, uintToHex } from '../ckb/hex.js';
import { checkHeaderPow } from '../ckb/pow.js';
import { compactToDifficulty, difficultyToCompact } from '../ckb/target.js';
import type {
  BlockTemplate,
  JsonBlock,
  JsonBlockView,
  JsonCellOutput,
  JsonHeaderView,
  JsonScript,
  JsonTransaction,
} from '../ckb/types.js';
import { CellSet, outPointKey } from './cells.js';
import { DevnetRpcError, invalid, rejected } from './errors.js';
import { genesisTransactions } from './genesis.js';
import { checkBlockShape, checkTransactionShape, withNullTypes } from './schema.js';
import { verifyTransaction } from './tx-verify.js';
import { DevTxPool, PROPOSAL_WINDOW, shortId } from './txpool.js';
import {
  blockShare,
  chainRoot,
  daoFromBytes,
  daoToBytes,
  GENESIS_AR,
  GENESIS_ISSUANCE,
  nextDao,
  occupiedCapacity,
  PRIMARY_EPOCH_REWARD,
  SECONDARY_EPOCH_REWARD,
} from './rewards.js';
import type { Dao } from './rewards.js';

/** secp256k1-blake160 lock (mainnet/dev `code_hash`, `hash_type = "type"`), what `ckb init --ba-arg` writes. */
export const SECP256K1_BLAKE160_CODE_HASH =
  '0x9bd7e06f3ecf4be0f2fcd2188b23f1b9fcc88e5d4b65a8637b17723bbda3cce8';

export interface DevChainOptions {
  /** Target block interval the difficulty adjusts toward (default 10 000 ms). */
  blockTimeMs?: number;
  /** compact_target of genesis and block 1 (default: difficulty 2^15, seconds for one CPU core). */
  initialCompactTarget?: number;
  /** Lowest difficulty the adjustment may reach (default 16). */
  minDifficulty?: bigint;
  /** Blocks per epoch (default 10, dev.toml `genesis_epoch_length`). */
  epochLength?: number;
  /** The block assembler's lock: written into every template's cellbase witness. */
  lock?: JsonScript;
  /** Cellbase witness message (default "eaglepool-devnet"). */
  message?: string;
  /** Block N's cellbase pays block N - delay's miner (CKB: proposal window farthest + 1 = 11). */
  finalizationDelay?: number;
  /** `cellbase_maturity` of the chain spec (default 4 epochs, mainnet's; `get_consensus`, `send_transaction`). */
  cellbaseMaturity?: Epoch;
  /** Clock, Unix ms (default Date.now). */
  now?: () => number;
}

export { DevnetRpcError } from './errors.js';

export interface DevBlock {
  number: bigint;
  hash: string;
  header: Header;
  view: JsonBlockView;
  /** Lock in the cellbase witness: who mined the block (its reward goes there `finalizationDelay` blocks later). */
  minerLock: JsonScript;
  dao: Dao;
  chainRoot: Uint8Array;
  /** Devnet clock when the block was accepted. */
  acceptedAt: number;
  /** Fee of each committed transaction (the cellbase excluded), in block order. */
  txFees: bigint[];
}

/** A block's reward as `get_block_economic_state` splits it (the devnet issues no secondary to miners). */
export interface BlockReward {
  primary: bigint;
  /** 60 % of the fees of the transactions it committed. */
  committed: bigint;
  /** 40 % of the fees of the transactions it proposed first, committed inside the window. */
  proposal: bigint;
  txsFee: bigint;
}

const CellbaseWitness = ccc.mol.table({ lock: ccc.Script, message: ccc.mol.Bytes });
const CELLBASE_PREVIOUS_OUTPUT = { tx_hash: bytesToHex(ZERO_HASH), index: '0xffffffff' };
const MEDIAN_TIME_BLOCK_COUNT = 37;
const ALLOWED_FUTURE_BLOCKTIME_MS = 15_000;
const TEMPLATE_REFRESH_MS = 1000;
const POW_ERROR =
  'Header(Pow(InvalidNonce: please set logger.filter to "info,ckb-pow=debug" for detailed PoW verification information))';

export class DevChain {
  readonly blockTimeMs: number;
  readonly epochLength: number;
  readonly lock: JsonScript;
  private readonly minDifficulty: bigint;
  private readonly initialCompact: number;
  private readonly message: string;
  private readonly finalizationDelay: number;
  readonly cellbaseMaturity: Epoch;
  private readonly now: () => number;
  private readonly chain: DevBlock[] = [];
  private readonly byHash = new Map<string, DevBlock>();
  private readonly side: DevBlock[] = [];
  private workId = 0;
  /** Committed cells and transactions of the main chain (the devnet has no reorgs to undo). */
  readonly cells = new CellSet();
  readonly pool = new DevTxPool();
  private cached: { template: BlockTemplate; tipHash: string; builtAt: number } | undefined;

  constructor(opts: DevChainOptions = {}) {
    this.blockTimeMs = opts.blockTimeMs ?? 10_000;
    this.epochLength = opts.epochLength ?? 10;
    this.minDifficulty = opts.minDifficulty ?? 16n;
    this.initialCompact = opts.initialCompactTarget ?? difficultyToCompact(1n << 15n);
    this.lock = opts.lock ?? {
      code_hash: SECP256K1_BLAKE160_CODE_HASH,
      hash_type: 'type',
      args: '0x' + '00'.repeat(20),
    };
    this.message = opts.message ?? 'eaglepool-devnet';
    this.finalizationDelay = opts.finalizationDelay ?? 11;
    this.cellbaseMaturity = opts.cellbaseMaturity ?? { number: 4n, index: 0, length: 1 };
    this.now = opts.now ?? Date.now;
    if (!(this.epochLength > 0 && this.epochLength < 0x10000))
      throw new RangeError(`bad epochLength ${this.epochLength}`);
    if (compactToDifficulty(this.initialCompact) === 0n)
      throw new RangeError('initialCompactTarget is zero or overflows');
    this.addGenesis();
  }

  get tip(): DevBlock {
    return this.chain[this.chain.length - 1]!;
  }

  /** The canonical chain, genesis first. */
  blocks(): readonly DevBlock[] {
    return this.chain;
  }

  /** Valid blocks kept off the main chain (their parent was no longer the tip), oldest first. */
  sideBlocks(): readonly DevBlock[] {
    return this.side;
  }

  blockByNumber(n: bigint): DevBlock | undefined {
    return n >= 0n && n < BigInt(this.chain.length) ? this.chain[Number(n)] : undefined;
  }

  blockByHash(hash: string): DevBlock | undefined {
    return this.byHash.get(hash.toLowerCase());
  }

  /** get_block_template: cached per tip, refreshed (new work_id, current time) once a second like the node. */
  template(): BlockTemplate {
    const now = this.now();
    const tip = this.tip;
    if (this.cached && this.cached.tipHash === tip.hash && now - this.cached.builtAt < TEMPLATE_REFRESH_MS) {
      return this.cached.template;
    }
    const number = tip.number + 1n;
    const cellbase = this.cellbaseFor(number, this.lock);
    const commits = this.pool.toCommit(number);
    const occupiedDelta = commits.reduce((sum, e) => sum + e.occupiedDelta, 0n);
    const template: BlockTemplate = {
      version: '0x0',
      compact_target: uintToHex(this.compactAfter(tip)),
      current_time: uintToHex(this.earliestTime(now)),
      number: uintToHex(number),
      epoch: uintToHex(this.epochOf(number)),
      parent_hash: tip.hash,
      cycles_limit: '0xd09dc300',
      bytes_limit: '0x91c08',
      uncles_count_limit: '0x2',
      uncles: [],
      transactions: commits.map((e) => ({ hash: e.hash, required: false, cycles: null, data: e.tx })),
      proposals: this.pool.toPropose(),
      cellbase: { hash: bytesToHex(txHashes(cellbase).txHash), cycles: null, data: cellbase },
      work_id: uintToHex(++this.workId),
      dao: bytesToHex(daoToBytes(this.daoAfter(tip, occupiedDelta))),
      extension: bytesToHex(chainRoot(tip.chainRoot, hexToBytes(tip.hash))),
    };
    this.cached = { template, tipHash: tip.hash, builtAt: now };
    return template;
  }

  /**
   * submit_block: returns the block hash, or throws DevnetRpcError with the node's code and message.
   * A block on a main-chain parent other than the tip is kept as a side block (hash returned), as the
   * node does; one on a side block's parent is refused (the devnet has no forks deeper than one block).
   */
  submit(block: unknown): { hash: string; isNew: boolean } {
    const shape = checkBlockShape(block);
    if (shape) throw new DevnetRpcError(-32602, `Invalid params: ${shape}`);
    const b = { ...(block as JsonBlock), transactions: (block as JsonBlock).transactions.map(withNullTypes) };
    let header: Header;
    try {
      header = headerFromJson(b.header);
    } catch (err) {
      throw new DevnetRpcError(-32602, `Invalid params: ${(err as Error).message}`);
    }
    const hash = bytesToHex(headerHashOf(header));
    if (header.version !== 0)
      throw invalid(`Header(Version(BlockVersionError(expected: 0, actual: ${header.version})))`);
    if (!checkHeaderPow(header).meets) throw invalid(POW_ERROR);
    if (this.byHash.has(hash)) return { hash, isNew: false };
    const parentHash = bytesToHex(header.parentHash);
    const parent = this.byHash.get(parentHash);
    if (!parent)
      throw invalid(`Block(UnknownParent(UnknownParentError(parent_hash: Byte32(${parentHash}))))`);
    const side = parent !== this.tip;
    if (side && this.blockByNumber(parent.number) !== parent) {
      throw invalid(
        `Block(devnet keeps side blocks only on main-chain parents; parent ${parentHash} (#${parent.number}) is a side block)`,
      );
    }
    this.verifyHeader(header, parent);
    const { view, minerLock, txFees } = this.verifyBody(b, header, parent, hash);
    const accepted: DevBlock = {
      number: header.number,
      hash,
      header,
      view,
      minerLock,
      dao: daoFromBytes(header.dao),
      chainRoot: chainRoot(parent.chainRoot, hexToBytes(parent.hash)),
      acceptedAt: this.now(),
      txFees,
    };
    // Like the node: a valid block on a known non-tip parent is stored as a side block and its hash
    // returned. Its chain is never heavier than the main one here (siblings share a target, the main
    // chain is at least as long), so there is no reorg to do.
    if (side) {
      this.side.push(accepted);
      this.byHash.set(hash, accepted);
    } else this.push(accepted);
    return { hash, isNew: true };
  }

  tipHeaderView(): JsonHeaderView {
    return this.tip.view.header;
  }

  /** Median of the last 37 timestamps ending at `block` (`block_median_time`). */
  medianTime(block: DevBlock = this.tip): bigint {
    const n = Number(block.number);
    const times = this.chain
      .slice(Math.max(0, n + 1 - MEDIAN_TIME_BLOCK_COUNT), n + 1)
      .map((b) => b.header.timestamp);
    times.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return times[times.length >> 1]!;
  }

  /** Blocks found per miner lock args (genesis excluded). */
  blocksFoundBy(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const b of this.chain.slice(1))
      counts.set(b.minerLock.args, (counts.get(b.minerLock.args) ?? 0) + 1);
    return counts;
  }

  /**
   * get_block_economic_state as the node answers it (rpc/src/module/chain.rs): null for an unknown
   * or off-chain block, genesis, and until the tip reaches number + finalization delay. The devnet
   * pays primary issuance only and carries no transactions: its miner reward is the primary share.
   */
  economicState(hash: string): object | null {
    const block = this.blockByHash(hash);
    if (!block || block.number === 0n || this.blockByNumber(block.number) !== block) return null;
    const paying = this.blockByNumber(block.number + BigInt(this.finalizationDelay));
    if (!paying) return null;
    const { index, length } = unpackEpoch(block.header.epoch);
    const r = this.rewardOf(block);
    const primary = uintToHex(r.primary);
    return {
      finalized_at: paying.hash,
      issuance: { primary, secondary: uintToHex(blockShare(SECONDARY_EPOCH_REWARD, index, length)) },
      miner_reward: {
        committed: uintToHex(r.committed),
        primary,
        proposal: uintToHex(r.proposal),
        secondary: '0x0',
      },
      txs_fee: uintToHex(r.txsFee),
    };
  }

  private verifyHeader(h: Header, parent: DevBlock): void {
    const expectedNumber = parent.number + 1n;
    if (h.number !== expectedNumber)
      throw invalid(`Header(Number(NumberError(expected: ${expectedNumber}, actual: ${h.number})))`);
    const epoch = this.epochOf(h.number);
    if (h.epoch !== epoch) {
      throw invalid(
        `Header(Epoch(NonContinuous(current: ${fmtEpoch(unpackEpoch(h.epoch))}, parent: ${fmtEpoch(unpackEpoch(parent.header.epoch))})))`,
      );
    }
    const min = this.medianTime(parent) + 1n;
    if (h.timestamp < min)
      throw invalid(`Header(Timestamp(BlockTimeTooOld(min: ${min}, actual: ${h.timestamp})))`);
    const max = BigInt(this.now() + ALLOWED_FUTURE_BLOCKTIME_MS);
    if (h.timestamp > max)
      throw invalid(`Header(Timestamp(BlockTimeTooNew(max: ${max}, actual: ${h.timestamp})))`);
    const compact = this.compactAfter(parent);
    if (h.compactTarget !== compact) {
      throw invalid(
        `Header(Epoch(TargetMismatch(expected: ${compact.toString(16)}, actual: ${h.compactTarget.toString(16)})))`,
      );
    }
  }

  private verifyBody(
    b: JsonBlock,
    h: Header,
    parent: DevBlock,
    hash: string,
  ): { view: JsonBlockView; minerLock: JsonScript; txFees: bigint[] } {
    if (b.uncles.length > 0) throw invalid('Block(Uncles(devnet has no uncles))');
    if (b.transactions.length === 0) throw invalid('Block(Cellbase(InvalidQuantity))');
    const cellbase = b.transactions[0]!;
    let hashes;
    try {
      hashes = b.transactions.map(txHashes);
    } catch (err) {
      throw new DevnetRpcError(-32602, `Invalid params: ${(err as Error).message}`);
    }
    if (!bytesEqual(transactionsRootOf(hashes), h.transactionsRoot)) throw invalid('Block(TransactionsRoot)');
    if (!bytesEqual(proposalsHashOf(b.proposals), h.proposalsHash))
      throw invalid('Block(ProposalTransactionsHash)');
    if (b.extension === undefined) throw invalid('Block(NoBlockExtension)');
    const expectedExtension = bytesToHex(chainRoot(parent.chainRoot, hexToBytes(parent.hash)));
    if (b.extension.toLowerCase() !== expectedExtension) throw invalid('Block(InvalidChainRoot)');
    if (!bytesEqual(extraHashOf(unclesHashOf([]), b.extension), h.extraHash))
      throw invalid('Block(InvalidExtraHash)');
    const minerLock = this.verifyCellbase(cellbase, h.number);
    const { txFees, occupiedDelta } = this.verifyCommits(b, h, parent, hashes);
    if (!bytesEqual(daoToBytes(this.daoAfter(parent, occupiedDelta)), h.dao))
      throw invalid('Block(InvalidDAO)');
    const view: JsonBlockView = {
      header: { ...headerToJson(h), hash },
      uncles: [],
      transactions: b.transactions.map((tx, i) => ({ ...tx, hash: bytesToHex(hashes[i]!.txHash) })),
      proposals: b.proposals,
      extension: b.extension,
    };
    return { view, minerLock, txFees };
  }

  /**
   * The block's transactions after the cellbase: each proposed by a main-chain block inside the
   * window (TwoPhaseCommitVerifier), then verified as committed at the block's epoch, no input spent
   * twice in the block. Verified against the tip's cells: exact for a block on the tip; a side
   * block's (one deep, on the tip's parent) differ only by the tip's own transactions.
   */
  private verifyCommits(
    b: JsonBlock,
    h: Header,
    parent: DevBlock,
    hashes: readonly TxHashes[],
  ): { txFees: bigint[]; occupiedDelta: bigint } {
    const txFees: bigint[] = [];
    let occupiedDelta = 0n;
    const spent = new Map<string, string>();
    const { closest, farthest } = PROPOSAL_WINDOW;
    for (let i = 1; i < b.transactions.length; i++) {
      const tx = b.transactions[i]!;
      const txHash = bytesToHex(hashes[i]!.txHash);
      const id = shortId(txHash);
      let proposed = false;
      for (let n = h.number - farthest; n <= h.number - closest && !proposed; n++) {
        const proposer = n === parent.number ? parent : this.blockByNumber(n);
        proposed = proposer !== undefined && n >= 0n && proposer.view.proposals.includes(id);
      }
      if (!proposed) throw invalid('Block(Commit(Invalid))');
      try {
        const verified = verifyTransaction(tx, txHash, {
          cell: (o) => this.cells.cell(o),
          spentInPool: (o) => spent.get(outPointKey(o)),
          epoch: unpackEpoch(h.epoch),
          cellbaseMaturity: this.cellbaseMaturity,
          minFeeRate: false,
        });
        txFees.push(verified.fee);
        occupiedDelta += verified.occupiedDelta;
      } catch (err) {
        const detail = err instanceof DevnetRpcError ? (err.data ?? err.message) : (err as Error).message;
        throw invalid(`Block(BlockTransactions(BlockTransactionsError(index: ${i}, error: ${detail})))`);
      }
      for (const input of tx.inputs) spent.set(outPointKey(input.previous_output), txHash);
    }
    return { txFees, occupiedDelta };
  }

  /**
   * send_transaction: verified as the node's tx-pool does at the tip (tip epoch for maturity, the
   * min fee rate), then pending; its hash is returned. The template refreshes on the new entry.
   */
  sendTransaction(tx: unknown, outputsValidator: unknown): string {
    const shape = checkTransactionShape(tx);
    if (shape) throw new DevnetRpcError(-32602, `Invalid params: ${shape}`);
    if (
      outputsValidator !== undefined &&
      outputsValidator !== null &&
      outputsValidator !== 'passthrough' &&
      outputsValidator !== 'well_known_scripts_only'
    )
      throw new DevnetRpcError(
        -32602,
        `Invalid params: unknown variant \`${String(outputsValidator)}\`, expected \`passthrough\` or \`well_known_scripts_only\``,
      );
    const t = withNullTypes(tx as JsonTransaction);
    let hash: string;
    try {
      hash = bytesToHex(txHashes(t).txHash);
    } catch (err) {
      throw new DevnetRpcError(-32602, `Invalid params: ${(err as Error).message}`);
    }
    if (this.pool.get(hash))
      throw rejected(
        'PoolRejectedDuplicatedTransaction',
        `Transaction(Byte32(${hash})) already exists in transaction_pool`,
      );
    const verified = verifyTransaction(t, hash, {
      cell: (o) => this.cells.cell(o),
      spentInPool: (o) => this.pool.spentBy(o),
      epoch: unpackEpoch(this.tip.header.epoch),
      cellbaseMaturity: this.cellbaseMaturity,
      minFeeRate: true,
    });
    this.pool.add({ hash, tx: t, ...verified, status: 'pending', addedAt: this.now() });
    this.cached = undefined;
    return hash;
  }

  /** get_transaction (verbosity 2): committed, in the pool, rejected, or unknown, with the node's fields. */
  transactionStatus(hash: string): object {
    const none = { block_number: null, block_hash: null, tx_index: null, reason: null };
    const committed = this.cells.transaction(hash);
    if (committed) {
      return {
        transaction: committed.tx,
        cycles: null,
        time_added_to_pool: null,
        tx_status: {
          status: 'committed',
          block_number: uintToHex(committed.blockNumber),
          block_hash: committed.blockHash,
          tx_index: uintToHex(committed.txIndex),
          reason: null,
        },
        fee: null,
        min_replace_fee: null,
      };
    }
    const entry = this.pool.get(hash);
    if (entry) {
      return {
        transaction: { ...entry.tx, hash: entry.hash },
        cycles: null,
        time_added_to_pool: uintToHex(BigInt(entry.addedAt)),
        tx_status: { status: entry.status, ...none },
        fee: uintToHex(entry.fee),
        min_replace_fee: null,
      };
    }
    const reason = this.pool.rejection(hash);
    return {
      transaction: null,
      cycles: null,
      time_added_to_pool: null,
      tx_status: reason ? { status: 'rejected', ...none, reason } : { status: 'unknown', ...none },
      fee: null,
      min_replace_fee: null,
    };
  }

  /** Checks the cellbase as the node's CellbaseVerifier does (for a devnet-shaped block); returns the miner lock. */
  private verifyCellbase(tx: JsonTransaction, number: bigint): JsonScript {
    const input = tx.inputs.length === 1 ? tx.inputs[0] : undefined;
    if (
      !input ||
      input.previous_output.tx_hash.toLowerCase() !== CELLBASE_PREVIOUS_OUTPUT.tx_hash ||
      input.previous_output.index.toLowerCase() !== CELLBASE_PREVIOUS_OUTPUT.index ||
      input.since.toLowerCase() !== uintToHex(number)
    ) {
      throw invalid('Block(Cellbase(InvalidInput))');
    }
    if (tx.witnesses.length !== 1) throw invalid('Block(Cellbase(InvalidWitness))');
    let lock: JsonScript;
    try {
      const witness = CellbaseWitness.decode(tx.witnesses[0]!);
      lock = { code_hash: witness.lock.codeHash, hash_type: witness.lock.hashType, args: witness.lock.args };
    } catch {
      throw invalid('Block(Cellbase(InvalidWitness))');
    }
    const expected = this.cellbaseFor(number, lock);
    if (
      tx.outputs.length !== expected.outputs.length ||
      tx.outputs_data.length !== expected.outputs_data.length
    ) {
      throw invalid('Block(Cellbase(InvalidOutputQuantity))');
    }
    tx.outputs.forEach((out, i) => {
      const want = expected.outputs[i]!;
      if (out.capacity.toLowerCase() !== want.capacity) throw invalid('Block(Cellbase(InvalidRewardAmount))');
      if (!sameScript(out.lock, want.lock) || out.type !== null) {
        throw invalid('Block(Cellbase(InvalidRewardTarget))');
      }
      if (tx.outputs_data[i] !== '0x') throw invalid('Block(Cellbase(InvalidOutputData))');
    });
    return lock;
  }

  /** The cellbase of block `number` mined by `lock`: pays block `number - delay`'s primary reward to its miner. */
  private cellbaseFor(number: bigint, lock: JsonScript): JsonTransaction {
    const witness = bytesToHex(
      CellbaseWitness.encode({
        lock: ccc.Script.from({ codeHash: lock.code_hash, hashType: lock.hash_type, args: lock.args }),
        message: ccc.bytesFrom(this.message, 'utf8'),
      }),
    );
    const outputs: JsonCellOutput[] = [];
    const rewarded = number - BigInt(this.finalizationDelay);
    if (rewarded >= 1n) {
      const block = this.blockByNumber(rewarded)!;
      const r = this.rewardOf(block);
      outputs.push({
        capacity: uintToHex(r.primary + r.committed + r.proposal),
        lock: block.minerLock,
        type: null,
      });
    }
    return {
      version: '0x0',
      cell_deps: [],
      header_deps: [],
      inputs: [{ previous_output: { ...CELLBASE_PREVIOUS_OUTPUT }, since: uintToHex(number) }],
      outputs,
      outputs_data: outputs.map(() => '0x'),
      witnesses: [witness],
    };
  }

  /**
   * Block `r`'s reward (RewardCalculator): its primary share, 60 % of the fees it committed, and
   * 40 % (proposer_reward_ratio) of the fees of transactions it was the first in the window to
   * propose, committed `closest`..`farthest` blocks later. Final once block r + farthest exists.
   */
  rewardOf(r: DevBlock): BlockReward {
    const { index, length } = unpackEpoch(r.header.epoch);
    const proposerShare = (fee: bigint) => (fee * 4n) / 10n;
    const committed = r.txFees.reduce((sum, fee) => sum + fee - proposerShare(fee), 0n);
    const txsFee = r.txFees.reduce((sum, fee) => sum + fee, 0n);
    let proposal = 0n;
    const { closest, farthest } = PROPOSAL_WINDOW;
    for (let n = r.number + closest; n <= r.number + farthest; n++) {
      const c = this.blockByNumber(n);
      if (!c) break;
      c.view.transactions.slice(1).forEach((tx, i) => {
        const id = shortId(tx.hash);
        if (!r.view.proposals.includes(id)) return;
        for (let e = n - farthest; e < r.number; e++)
          if (this.blockByNumber(e)?.view.proposals.includes(id)) return;
        proposal += proposerShare(c.txFees[i]!);
      });
    }
    return { primary: blockShare(PRIMARY_EPOCH_REWARD, index, length), committed, proposal, txsFee };
  }

  /** DAO field of the child of `parent`: its issuance plus the cells its cellbase and transactions occupy. */
  private daoAfter(parent: DevBlock, txsOccupied = 0n): Dao {
    const number = parent.number + 1n;
    const { index, length } = unpackEpoch(this.epochOf(number));
    const rewarded = number - BigInt(this.finalizationDelay);
    const occupied =
      rewarded >= 1n ? occupiedCapacity(hexToBytes(this.blockByNumber(rewarded)!.minerLock.args).length) : 0n;
    return nextDao(
      parent.dao,
      blockShare(PRIMARY_EPOCH_REWARD, index, length),
      blockShare(SECONDARY_EPOCH_REWARD, index, length),
      occupied + txsOccupied,
    );
  }

  private epochOf(number: bigint): bigint {
    const length = BigInt(this.epochLength);
    return packEpoch({ number: number / length, index: Number(number % length), length: this.epochLength });
  }

  /**
   * Difficulty of the child of `parent`, adjusted per block toward blockTimeMs from the parent's own
   * interval: difficulty · T / ((3T + clamp(actual, 0, 8T)) / 4), i.e. at most +33 % and -64 % a block.
   */
  private compactAfter(parent: DevBlock): number {
    if (parent.number === 0n) return this.initialCompact;
    const grand = this.chain[Number(parent.number) - 1]!;
    const target = BigInt(this.blockTimeMs);
    let actual = parent.header.timestamp - grand.header.timestamp;
    if (actual < 0n) actual = 0n;
    if (actual > 8n * target) actual = 8n * target;
    const effective = (3n * target + actual) / 4n;
    let difficulty = (compactToDifficulty(parent.header.compactTarget) * target) / effective;
    if (difficulty < this.minDifficulty) difficulty = this.minDifficulty;
    return difficultyToCompact(difficulty);
  }

  private earliestTime(now: number): bigint {
    const floor = this.medianTime() + 1n;
    const parentNext = this.tip.header.timestamp + 1n;
    let t = BigInt(now);
    if (t < floor) t = floor;
    if (t < parentNext) t = parentNext;
    return t;
  }

  private addGenesis(): void {
    const now = this.now();
    const transactions = genesisTransactions(this.message);
    const hashes = transactions.map(txHashes);
    const dao: Dao = { c: GENESIS_ISSUANCE, ar: GENESIS_AR, s: 0n, u: 0n };
    const header: Header = {
      version: 0,
      compactTarget: this.initialCompact,
      timestamp: BigInt(now),
      number: 0n,
      epoch: this.epochOf(0n),
      parentHash: ZERO_HASH,
      transactionsRoot: transactionsRootOf(hashes),
      proposalsHash: ZERO_HASH,
      extraHash: ZERO_HASH,
      dao: daoToBytes(dao),
      nonce: 0n,
    };
    const hash = bytesToHex(headerHashOf(header));
    const view: JsonBlockView = {
      header: { ...headerToJson(header), hash },
      uncles: [],
      transactions: transactions.map((tx, i) => ({ ...tx, hash: bytesToHex(hashes[i]!.txHash) })),
      proposals: [],
    };
    this.push({
      number: 0n,
      hash,
      header,
      view,
      minerLock: this.lock,
      dao,
      chainRoot: ZERO_HASH,
      acceptedAt: now,
      txFees: [],
    });
  }

  private push(block: DevBlock): void {
    this.chain.push(block);
    this.byHash.set(block.hash, block);
    const transactions = block.view.transactions;
    this.cells.commit({
      number: block.number,
      hash: block.hash,
      epoch: unpackEpoch(block.header.epoch),
      transactions,
    });
    const committed = transactions.slice(1);
    this.pool.onBlock(
      block.number,
      block.view.proposals,
      committed,
      committed.map((t) => t.hash),
    );
  }
}

function fmtEpoch(e: Epoch): string {
  return `${e.number}(${e.index}/${e.length})`;
}

function sameScript(a: JsonScript, b: JsonScript): boolean {
  return (
    a.code_hash.toLowerCase() === b.code_hash.toLowerCase() &&
    a.hash_type === b.hash_type &&
    a.args.toLowerCase() === b.args.toLowerCase()
  );
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}
