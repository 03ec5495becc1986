/**
 * NerdMiner_CKB (ESP32 firmware, toastmanAu/NerdMiner_CKB `src/stratum.cpp` and `src/mining.cpp`,
 * branch master, stratum.cpp as of commit 678e5e7), user agent "NerdMinerCKB/<version>":
 *
 * - subscribe: reads `result[1]` as extranonce1 (up to 8 bytes) and `result[2]`; a flat
 *   `[null, extranonce1, 8]` suits it (`result[0][0][1]` is only logged);
 * - share target: `mining.set_target` as 64 big-endian hex digits (`parse_mining_set_target`
 *   reverses them into its little-endian buffer); it also reads `mining.set_difficulty`;
 * - notify: `[job, pow_hash, height, target, clean]` when params[2] is an integer (the "ViaBTC"
 *   branch), the target's hex copied byte for byte into its little-endian buffer: so
 *   little-endian hex; `[job, pow_hash, target, clean]` otherwise. We send the 5-field form;
 * - submit: exactly `[worker, job, nonce]`, nonce = 32 hex digits of N = its 64-bit counter
 *   (little-endian) || extranonce1 (`tx_mining_submit`): the pool's bytes END N, which only a
 *   channel in the prefix-last layout (extension 0x4e02, docs/protocol.md §9) can carry;
 * - `mining.suggest_difficulty` in the unit of its `diff_from_target` (difficulty 1 ≈ 2^224).
 */
import {
  flatSubscribe,
  noResume,
  notifyWith,
  reversedHex,
  setTargetBE,
  submitHead,
  targetBE,
  unit2p224,
  writeNonceEndingWithExtranonce1,
  type Dialect,
} from '../dialect.js';

export const nerdminer: Dialect = {
  name: 'nerdminer',
  nonceLayout: 'prefix-last',
  extranonce2Size: 8,
  subscribeResult: flatSubscribe,
  resumeExtranonce1: noResume,
  targetLines: setTargetBE,
  notifyLine: notifyWith((job) => reversedHex(job.networkTargetBE)),
  parseSubmit(params, en1, n) {
    if (params.length !== 3) return 'NerdMiner submit is [worker, job_id, nonce]';
    const head = submitHead(params);
    if (typeof head === 'string') return head;
    return writeNonceEndingWithExtranonce1(params[2], en1, n) ?? head;
  },
  suggestedTarget: unit2p224,
  decodeTarget: targetBE,
};
