/** Reads from the node the facts `classifyBlock` (ckb/block-status.ts) decides a submitted block's status by. */
import type { ChainFacts } from '../ckb/block-status.js';
import type { JsonHeaderView } from '../ckb/types.js';
import type { CkbRpcClient } from './rpc.js';

/** The facts classifyBlock needs: get_tip_header, get_block_hash(number), get_header(hash). */
export async function lookUpBlock(rpc: CkbRpcClient, number: bigint, hash: string): Promise<ChainFacts> {
  const [tip, mainHash, header] = await Promise.all([
    rpc.getTipHeader(),
    rpc.call<string | null>('get_block_hash', ['0x' + number.toString(16)]),
    rpc.call<JsonHeaderView | null>('get_header', [hash]),
  ]);
  return { tipNumber: BigInt(tip.number), mainHashAtHeight: mainHash ?? undefined, known: header !== null };
}
