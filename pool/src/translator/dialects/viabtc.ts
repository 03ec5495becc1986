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
  fiveFieldSubmit,
  flatSubscribe,
  noResume,
  notifyWith,
  reversedHex,
  setTargetBE,
  targetBE,
  unit2p224,
  type Dialect,
} from '../dialect.js';

export const viabtc: Dialect = {
  name: 'viabtc',
  nonceLayout: 'prefix-first',
  extranonce2Size: 8,
  subscribeResult: flatSubscribe,
  resumeExtranonce1: noResume,
  targetLines: setTargetBE,
  notifyLine: notifyWith((job) => reversedHex(job.networkTargetBE)),
  parseSubmit: fiveFieldSubmit('submit is [worker, job_id, extranonce2, ntime, nonce]', undefined),
  suggestedTarget: unit2p224,
  decodeTarget: targetBE,
};
