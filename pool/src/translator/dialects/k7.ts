/**
 * Bitmain Antminer K7 / GodMiner (user agent /godminer|ckbminer/i), as a pool that mined with a
 * real K7 speaks to it (toastmanAu/ckb-interim-pool `src/stratum/miner-family.js`,
 * `docs/interim-pool/k7-session-2026-08-13.md`; ckb-stratum-proxy `solo-proxy.js`): flat
 * subscribe `[null, extranonce1, 8]` with len(extranonce1) + 8 = 16 (else the K7 loops on
 * subscribe), big-endian target in `mining.set_target` and (unlike BTCPool) the network target,
 * big-endian, in notify params[3]; strictly 3-field submit `[worker, job, extranonce2]` and
 * N = extranonce1 || extranonce2, the raw bytes the K7 hashes. No set_difficulty (the K7 sends no
 * suggest_difficulty; the unit of one, if sent, is Eaglepool's).
 */
import {
  flatSubscribe,
  hexOf,
  noResume,
  notifyWith,
  setTargetBE,
  submitHead,
  targetBE,
  unit2p256,
  writeExtranonce2,
  type Dialect,
} from '../dialect.js';

export const k7: Dialect = {
  name: 'k7',
  nonceLayout: 'prefix-first',
  extranonce2Size: 8,
  subscribeResult: flatSubscribe,
  resumeExtranonce1: noResume,
  targetLines: setTargetBE,
  notifyLine: notifyWith((job) => hexOf(job.networkTargetBE)),
  parseSubmit(params, en1, n) {
    if (params.length !== 3) return 'K7 submit is [worker, job_id, extranonce2]';
    const head = submitHead(params);
    if (typeof head === 'string') return head;
    return writeExtranonce2(params[2], en1, n) ?? head;
  },
  suggestedTarget: unit2p256,
  decodeTarget: targetBE,
};
