/**
 * The header fields that commit to a block body, computed as the node does (`calc_hash.rs`, `views.rs`):
 * transactions_root, proposals_hash, uncles hash and extra_hash. Transaction molecule encoding and
 * tx/witness hashes come from @ckb-ccc/core.
 */
import { cccA } from '@ckb-ccc/core/advanced';
import type { ccc } from '@ckb-ccc/core';
import { ckbHash, ZERO_HASH } from './hash.js';
import { headerFromJson, headerHashOf } from './header.js';
import { hexToBytes } from './hex.js';
import { cbmtRoot } from './merkle.js';
import type { JsonHeader, JsonTransaction } from './types.js';

/** tx hash (ckbhash of RawTransaction) and witness hash (ckbhash of Transaction) of one transaction. */
export interface TxHashes {
  txHash: Uint8Array;
  witnessHash: Uint8Array;
}

/** Parses a JSON-RPC transaction with ccc (extra fields such as `hash` are ignored). */
export function transactionFromJson(tx: JsonTransaction): ccc.Transaction {
  return cccA.JsonRpcTransformers.transactionTo(
    tx as unknown as Parameters<typeof cccA.JsonRpcTransformers.transactionTo>[0],
  );
}

export function txHashes(tx: JsonTransaction): TxHashes {
  const parsed = transactionFromJson(tx);
  return { txHash: hexToBytes(parsed.hash(), 32), witnessHash: hexToBytes(parsed.hashFull(), 32) };
}

/** transactions_root = CBMT([CBMT(tx hashes), CBMT(witness hashes)]) = ckbhash(raw_root ‖ witnesses_root). */
export function transactionsRootOf(hashes: readonly TxHashes[]): Uint8Array {
  const rawRoot = cbmtRoot(hashes.map((h) => h.txHash));
  const witnessesRoot = cbmtRoot(hashes.map((h) => h.witnessHash));
  return ckbHash(rawRoot, witnessesRoot);
}

/** proposals_hash: zero for none, else ckbhash of the concatenated 10-byte short ids. */
export function proposalsHashOf(proposals: readonly string[]): Uint8Array {
  if (proposals.length === 0) return ZERO_HASH;
  return ckbHash(...proposals.map((p) => hexToBytes(p, 10)));
}

/** uncles hash: zero for none, else ckbhash of the concatenated uncle header hashes. */
export function unclesHashOf(uncleHeaders: readonly JsonHeader[]): Uint8Array {
  if (uncleHeaders.length === 0) return ZERO_HASH;
  return ckbHash(...uncleHeaders.map((h) => headerHashOf(headerFromJson(h))));
}

/**
 * extra_hash: the uncles hash alone without an extension, else ckbhash(uncles_hash ‖ ckbhash(extension bytes))
 * (the raw bytes, not their molecule `Bytes` encoding).
 */
export function extraHashOf(unclesHash: Uint8Array, extension: string | null | undefined): Uint8Array {
  if (extension === null || extension === undefined) return unclesHash;
  return ckbHash(unclesHash, ckbHash(hexToBytes(extension)));
}
