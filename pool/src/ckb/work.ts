/**
 * get_block_template → mining work (pow_hash and target) and, with a winning nonce, the block JSON for
 * submit_block. Mirrors `impl From<BlockTemplate> for packed::Block` + `reset_header()` in the node:
 * cellbase first, then the template's transactions; the header commits to them, the proposals, the uncles
 * and the extension.
 */
import { extraHashOf, proposalsHashOf, transactionsRootOf, txHashes, unclesHashOf } from './block.js';
import { headerToJson, powHashOf } from './header.js';
import type { RawHeader } from './header.js';
import { hexToBytes, hexToU32, hexToUint } from './hex.js';
import { CkbTargetError, compactToTarget } from './target.js';
import type { BlockTemplate, JsonBlock, JsonTransaction } from './types.js';

export { verifyPow } from './pow.js';

export interface Work {
  /** The template's work_id as the decimal string submit_block takes (what ckb-miner and BTCPool send). */
  workId: string;
  number: bigint;
  parentHash: Uint8Array;
  /** Header timestamp, Unix ms (the template's current_time unless overridden). */
  timestamp: bigint;
  compactTarget: number;
  /** Network target decoded from compactTarget. */
  target: bigint;
  /** ckbhash(RawHeader): what miners hash with the nonce. */
  powHash: Uint8Array;
  version: number;
  /** The full raw header that powHash commits to. */
  header: RawHeader;
  /** The template this work came from (the block body for submit_block). */
  template: BlockTemplate;
}

export interface WorkOptions {
  /** Replace current_time (Unix ms); the node accepts up to its clock + 15 s and above the median of 37. */
  timestamp?: bigint;
}

/**
 * A template that is not shaped like get_block_template's result (a member missing or of the wrong
 * JSON type), found while building its header. Malformed hex inside it is a CkbHexError.
 */
export class CkbTemplateError extends Error {
  override name = 'CkbTemplateError';
}

/** The target of a template's compact_target: an overflowing one is a malformed template. */
function templateTarget(compact: number): bigint {
  try {
    return compactToTarget(compact);
  } catch (e) {
    if (e instanceof CkbTargetError)
      throw new CkbTemplateError(`malformed template: ${e.message}`, { cause: e });
    throw e;
  }
}

/**
 * Builds the header for a template and its pow_hash. Throws CkbHexError or CkbTemplateError on a
 * malformed template (the node's answer is untrusted input; pool/fuzz/ fuzzes this).
 */
export function workFromTemplate(t: BlockTemplate, opts: WorkOptions = {}): Work {
  let header: RawHeader;
  try {
    header = rawHeaderFromTemplate(t, opts.timestamp);
  } catch (e) {
    // Reading a member of a missing object, or calling .map on a non-array.
    if (e instanceof TypeError) throw new CkbTemplateError(`malformed template: ${e.message}`, { cause: e });
    throw e;
  }
  return {
    workId: hexToUint(t.work_id).toString(10),
    number: header.number,
    parentHash: header.parentHash,
    timestamp: header.timestamp,
    compactTarget: header.compactTarget,
    target: templateTarget(header.compactTarget),
    powHash: powHashOf(header),
    version: header.version,
    header,
    template: t,
  };
}

/** The block JSON for submit_block(work.workId, block) with the winning nonce. */
export function blockFromWork(work: Work, nonce: bigint): JsonBlock {
  const t = work.template;
  const block: JsonBlock = {
    header: headerToJson({ ...work.header, nonce }),
    uncles: t.uncles.map((u) => ({ header: u.header, proposals: u.proposals })),
    transactions: [t.cellbase.data, ...t.transactions.map((tx) => tx.data)].map(stripTransaction),
    proposals: t.proposals,
  };
  if (t.extension !== null && t.extension !== undefined) block.extension = t.extension;
  return block;
}

/** workFromTemplate + blockFromWork in one call. */
export function blockFromTemplate(t: BlockTemplate, nonce: bigint, opts: WorkOptions = {}): JsonBlock {
  return blockFromWork(workFromTemplate(t, opts), nonce);
}

/** The RawHeader the node would build from a template (timestamp = current_time unless given). */
export function rawHeaderFromTemplate(t: BlockTemplate, timestamp?: bigint): RawHeader {
  const hashes = [t.cellbase.data, ...t.transactions.map((tx) => tx.data)].map(txHashes);
  const unclesHash = unclesHashOf(t.uncles.map((u) => u.header));
  return {
    version: hexToU32(t.version),
    compactTarget: hexToU32(t.compact_target),
    timestamp: timestamp ?? hexToUint(t.current_time),
    number: hexToUint(t.number),
    epoch: hexToUint(t.epoch),
    parentHash: hexToBytes(t.parent_hash, 32),
    transactionsRoot: transactionsRootOf(hashes),
    proposalsHash: proposalsHashOf(t.proposals),
    extraHash: extraHashOf(unclesHash, t.extension),
    dao: hexToBytes(t.dao, 32),
  };
}

/** The node denies unknown fields in Transaction: keep exactly the schema's fields. */
function stripTransaction(tx: JsonTransaction): JsonTransaction {
  return {
    version: tx.version,
    cell_deps: tx.cell_deps,
    header_deps: tx.header_deps,
    inputs: tx.inputs,
    outputs: tx.outputs,
    outputs_data: tx.outputs_data,
    witnesses: tx.witnesses,
  };
}
