/** Reads from the node the facts `classifyBlock` (ckb/block-status.ts) decides a submitted block's status by. */
import type { ChainFacts } from '../ckb/block-status.js';
import type { JsonHeaderView } from '../ckb/types.js';
import type { CkbRpcClient } from './rpc.js';

/**
 * The facts classifyBlock needs: get_tip_header, get_block_hash(number), and whether the node stores
 * the block: get_header(hash) on the main chain, else get_fork_block(hash) (the real node's
 * get_header/get_block answer null for a block off the main chain: seen on ckb 0.210.0).
 */
export async function lookUpBlock(rpc: CkbRpcClient, number: bigint, hash: string): Promise<ChainFacts> {
  const [tip, mainHash, header] = await Promise.all([
    rpc.getTipHeader(),
    rpc.call<string | null>('get_block_hash', ['0x' + number.toString(16)]),
    rpc.call<JsonHeaderView | null>('get_header', [hash]),
  ]);
  const known = header !== null || (await rpc.call<object | null>('get_fork_block', [hash])) !== null;
  return { tipNumber: BigInt(tip.number), mainHashAtHeight: mainHash ?? undefined, known };
}
