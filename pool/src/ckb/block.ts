/**
 * The header fields that commit to a block body, computed as the node does (`calc_hash.rs`, `views.rs`):
 * transactions_root, proposals_hash, uncles hash and extra_hash.
 */
import { ckbHash, ZERO_HASH } from './hash.js';
import { headerFromJson, headerHashOf } from './header.js';
import { hexToBytes } from './hex.js';
import { cbmtRoot } from './merkle.js';
import { encodeTransaction } from './molecule.js';
import type { JsonHeader, JsonTransaction } from './types.js';

/** tx hash (ckbhash of RawTransaction) and witness hash (ckbhash of Transaction) of one transaction. */
export interface TxHashes {
  txHash: Uint8Array;
  witnessHash: Uint8Array;
}

/** Hashes of a JSON-RPC transaction (extra fields such as `hash` are ignored). Throws CkbHexError on bad fields. */
export function txHashes(tx: JsonTransaction): TxHashes {
  const { raw, full } = encodeTransaction(tx);
  return { txHash: ckbHash(raw), witnessHash: ckbHash(full) };
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
