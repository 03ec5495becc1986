/**
 * Whether the job maker may serve work from its node: not while the node is in initial block
 * download, nor while its tip is more than `maxLagBlocks` behind the best block its peers
 * announced (work on a stale tip is wasted hashrate). Pure judgement plus a cached checker.
 *
 * One exception: a dev chain (`ckb_dev`) whose node knows no block past its own tip. ckb calls a
 * node whose tip is older than a day "in initial block download", so a fresh dev chain (tip =
 * genesis) is in IBD until someone mines a block, and only the pool can: refusing would never end.
 * On mainnet and testnet the same state means "no peers yet", which stays refused.
 */
import { CkbRpcRemoteError } from '../ckb/errors.js';
import type { CkbRpcClient } from '../ckb-node/rpc.js';
import type { SyncState } from '../ckb/types.js';

export interface NodeSync {
  /** Work from this node may be served. */
  serve: boolean;
  /** The node answered sync_state (false: it cannot tell, e.g. no Net module; served). */
  known: boolean;
  ibd: boolean;
  tip: bigint;
  best: bigint;
  /** Why not served: "initial block download: tip 1200 of 9000000 known (0.0%)". */
  reason?: string;
}

export const syncProgress = (tip: bigint, best: bigint): string =>
  best <= 0n ? '100.0%' : `${(Number((tip * 1000n) / best) / 10).toFixed(1)}%`;

export const DEV_CHAIN = 'ckb_dev';

export function judgeNodeSync(state: SyncState, tip: bigint, maxLagBlocks: number, chain?: string): NodeSync {
  const best = BigInt(state.best_known_block_number);
  const base = { known: true, ibd: state.ibd, tip, best };
  const where = `tip ${tip} of ${best} known (${syncProgress(tip, best)})`;
  const devChainAtItsTip = chain === DEV_CHAIN && best <= tip;
  if (state.ibd && !devChainAtItsTip)
    return { ...base, serve: false, reason: `initial block download: ${where}` };
  if (best - tip > BigInt(maxLagBlocks))
    return { ...base, serve: false, reason: `node ${best - tip} blocks behind its peers: ${where}` };
  return { ...base, serve: true };
}

/**
 * Asks the node at most every `intervalMs` (sync_state + tip header); between asks the last
 * answer stands. A node that does not know sync_state is served (known=false); an error of
 * either call (node unreachable) is thrown.
 */
export function nodeSyncChecker(rpc: CkbRpcClient, maxLagBlocks: number, intervalMs: number) {
  let last: NodeSync | undefined;
  let at = -Infinity;
  let chain: string | undefined; // a node's chain never changes: asked once
  return async (): Promise<NodeSync> => {
    if (last && Date.now() - at < intervalMs) return last;
    chain ??= await chainOf(rpc);
    const tip = BigInt((await rpc.getTipHeader()).number);
    let state: SyncState | undefined;
    try {
      state = await rpc.syncState();
    } catch (err) {
      if (!(err instanceof CkbRpcRemoteError)) throw err; // node down: the caller's problem
      state = undefined; // answered, but without sync_state (method not found)
    }
    last = state
      ? judgeNodeSync(state, tip, maxLagBlocks, chain)
      : { serve: true, known: false, ibd: false, tip, best: tip };
    at = Date.now();
    return last;
  };
}

/** The node's chain name; '' when it answers without get_blockchain_info (no Chain module). */
async function chainOf(rpc: CkbRpcClient): Promise<string> {
  try {
    return (await rpc.getBlockchainInfo()).chain;
  } catch (err) {
    if (err instanceof CkbRpcRemoteError) return '';
    throw err;
  }
}
