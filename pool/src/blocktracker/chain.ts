/**
 * What the block tracker reads from the node (JSON-RPC, through the shared CKB client). The answers'
 * shapes are the node's (nervosnetwork/ckb rpc/README.md: get_block_economic_state, get_consensus,
 * get_block_hash, get_header, get_block, get_tip_header).
 */
import { ccc } from '@ckb-ccc/core';
import { unpackEpoch, type Epoch } from '../ckb/header.js';
import { hexToUint } from '../ckb/hex.js';
import type { CkbRpcClient } from '../ckb-node/rpc.js';
import type { JsonBlockView, JsonHeaderView, JsonScript } from '../ckb/types.js';
import type { BlockReward } from './lifecycle.js';

/** `BlockEconomicState` (hex u64 capacities). */
export interface JsonEconomicState {
  issuance: { primary: string; secondary: string };
  miner_reward: { primary: string; secondary: string; committed: string; proposal: string };
  txs_fee: string;
  finalized_at: string;
}

export interface EconomicState {
  reward: BlockReward;
  txsFee: bigint;
  finalizedAt: string;
}

const CellbaseWitness = ccc.mol.table({ lock: ccc.Script, message: ccc.mol.Bytes });

export function parseEconomicState(j: JsonEconomicState): EconomicState {
  const r = j.miner_reward;
  return {
    reward: {
      primary: hexToUint(r.primary),
      secondary: hexToUint(r.secondary),
      committed: hexToUint(r.committed),
      proposal: hexToUint(r.proposal),
    },
    txsFee: hexToUint(j.txs_fee),
    finalizedAt: j.finalized_at,
  };
}

/** The lock a block's cellbase witness names: where the node pays its reward 11 blocks later. */
export function cellbaseWitnessLock(block: JsonBlockView): JsonScript | undefined {
  const witness = block.transactions[0]?.witnesses[0];
  if (!witness) return undefined;
  try {
    const w = CellbaseWitness.decode(witness);
    return { code_hash: w.lock.codeHash, hash_type: w.lock.hashType, args: w.lock.args };
  } catch {
    return undefined;
  }
}

export function sameLock(a: JsonScript, b: JsonScript): boolean {
  return (
    a.code_hash.toLowerCase() === b.code_hash.toLowerCase() &&
    a.hash_type === b.hash_type &&
    a.args.toLowerCase() === b.args.toLowerCase()
  );
}

export class ChainReader {
  constructor(private readonly rpc: CkbRpcClient) {}

  async tip(): Promise<{ number: bigint; epoch: Epoch; hash: string }> {
    const h = await this.rpc.getTipHeader();
    return { number: hexToUint(h.number), epoch: unpackEpoch(hexToUint(h.epoch)), hash: h.hash };
  }

  mainHash(number: bigint): Promise<string | null> {
    return this.rpc.call('get_block_hash', ['0x' + number.toString(16)]);
  }

  /** The block's header, on the main chain or off it (the node's get_header answers null off it: get_fork_block). */
  async header(hash: string): Promise<JsonHeaderView | null> {
    const main = await this.rpc.call<JsonHeaderView | null>('get_header', [hash]);
    if (main) return main;
    return (await this.rpc.call<{ header: JsonHeaderView } | null>('get_fork_block', [hash]))?.header ?? null;
  }

  block(hash: string): Promise<JsonBlockView | null> {
    return this.rpc.call('get_block', [hash]);
  }

  blockByNumber(number: bigint): Promise<JsonBlockView | null> {
    return this.rpc.getBlockByNumber(number);
  }

  async economicState(hash: string): Promise<EconomicState | null> {
    const j = await this.rpc.call<JsonEconomicState | null>('get_block_economic_state', [hash]);
    return j === null ? null : parseEconomicState(j);
  }

  /**
   * From `get_consensus`: `cellbase_maturity` (an EpochNumberWithFraction) and the finalization
   * delay, `tx_proposal_window.farthest + 1` (spec/src/consensus.rs `finalization_delay_length`).
   */
  async consensus(): Promise<{ cellbaseMaturity: Epoch; finalizationDelay: bigint }> {
    const c = await this.rpc.call<{ cellbase_maturity: string; tx_proposal_window: { farthest: string } }>(
      'get_consensus',
      [],
    );
    return {
      cellbaseMaturity: unpackEpoch(hexToUint(c.cellbase_maturity)),
      finalizationDelay: hexToUint(c.tx_proposal_window.farthest) + 1n,
    };
  }
}
