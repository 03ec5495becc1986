/**
 * "Target in notify" pools in ViaBTC's style, as miners that mine there read them
 * (toastmanAu/NerdMiner_CKB commit 678e5e7 "Fix ViaBTC CKB stratum protocol compatibility",
 * `src/stratum.cpp`; toastmanAu/ckb-stratum-proxy `proxy.js`, which relays ViaBTC): notify
 * `[job, pow_hash, height, target, clean]` whose 4th field is the network target as little-endian
 * hex, not the parent hash; the share target big-endian in `mining.set_target`; 5-field submit
 * `[worker, job, extranonce2, ntime, nonce]` whose nonce is the full 16 bytes (proxy.js hashes it
 * as sent); flat subscribe `[null, extranonce1, 8]` (what proxy.js serves its miners), N =
 * extranonce1 (8) || 8 rolled bytes; difficulties (suggest_difficulty) with difficulty 1 =
 * target 2^224.
 */
import {
  DIFF1_2P224,
  hexOf,
  notification,
  reversedHex,
  submitHead,
  targetForDifficulty,
  targetFromHex,
  writeFullNonce,
  type Dialect,
} from '../dialect.js';

export const viabtc: Dialect = {
  name: 'viabtc',
  extranonce2Size: 8,
  subscribeResult: (en1) => [null, en1, 8],
  resumeExtranonce1: () => undefined,
  targetLines: (_t, be) => notification('mining.set_target', [hexOf(be)]),
  notifyLine: (job, height, clean) =>
    notification('mining.notify', [
      job.v1Id,
      job.powHashHex,
      height,
      reversedHex(job.networkTargetBE),
      clean,
    ]),
  parseSubmit(params, en1, n) {
    if (params.length !== 5) return 'submit is [worker, job_id, extranonce2, ntime, nonce]';
    const head = submitHead(params);
    if (typeof head === 'string') return head;
    return writeFullNonce(params[4], en1, n) ?? head;
  },
  suggestedTarget: (d) => targetForDifficulty(d, DIFF1_2P224),
  decodeTarget: (hex) => targetFromHex(hex, true),
};
