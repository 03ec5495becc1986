/** Test helper: finds a nonce for a work with the WASM batch hasher (EaglesongJob.search). */
import { EaglesongJob } from '../../eaglesong/index.js';
import { nonceFromBytes } from '../../ckb/header.js';
import { targetToBytesBE } from '../../ckb/target.js';
import type { CkbRpcClient } from '../../ckb-node/rpc.js';
import { blockFromWork, workFromTemplate, type Work } from '../../ckb/work.js';

export function mine(work: Work, batch = 1 << 16): bigint {
  const job = new EaglesongJob(work.powHash);
  const base = new Uint8Array(16);
  crypto.getRandomValues(base.subarray(0, 12));
  const targetBE = targetToBytesBE(work.target);
  try {
    for (let start = 0; start + batch <= 2 ** 32; start += batch) {
      const [hit] = job.search(base, start, batch, targetBE);
      if (hit !== undefined) {
        new DataView(base.buffer).setUint32(12, hit, true);
        return nonceFromBytes(base);
      }
    }
  } finally {
    job.free();
  }
  throw new Error('no nonce found in 2^32 tries');
}

/** A nonce that does NOT meet the work's target (for rejection tests). */
export function badNonce(work: Work, verify: (nonce: bigint) => boolean): bigint {
  for (let n = 1n; ; n++) if (!verify(n)) return n;
}

/**
 * Mines `count` blocks on a node from its own templates (their proposals and transactions
 * included), each on the current tip: a template still on an older parent (the node refreshes its
 * template asynchronously after a new tip) is fetched again. Returns the block hashes.
 */
export async function mineBlocks(rpc: CkbRpcClient, count: number): Promise<string[]> {
  const hashes: string[] = [];
  for (let i = 0; i < count; i++) {
    const tip = (await rpc.getTipHeader()).hash;
    let template = await rpc.getBlockTemplate();
    for (let tries = 0; template.parent_hash !== tip; tries++) {
      if (tries > 200)
        throw new Error(`the node's template stayed on ${template.parent_hash}, not the tip ${tip}`);
      await new Promise((r) => setTimeout(r, 50));
      template = await rpc.getBlockTemplate();
    }
    const work = workFromTemplate(template);
    hashes.push(await rpc.submitBlock(work.workId, blockFromWork(work, mine(work))));
  }
  return hashes;
}
