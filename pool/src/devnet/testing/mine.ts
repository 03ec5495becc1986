/** Test helper: finds a nonce for a work with the WASM batch hasher (EaglesongJob.search). */
import { EaglesongJob } from '../../eaglesong/index.js';
import { nonceFromBytes } from '../../ckb/header.js';
import { targetToBytesBE } from '../../ckb/target.js';
import type { Work } from '../../ckb/work.js';

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
