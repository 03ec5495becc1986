/**
 * BTCPool / UUPool (the de facto public CKB V1 spec: btccom/btcpool `src/ckb/`, leifjacky
 * ckb-gominer-demo README): flat subscribe `[null, extranonce1, size]`, big-endian
 * `mining.set_target`, notify `[job, pow_hash, height, parent_hash, clean]`, submit
 * `[worker, job, extranonce2]`, difficulties in Eaglepool's unit (2^256 / target: neither source
 * sends a difficulty). The default for user agents no other family claims.
 *
 * Tolerated as before: a 5-field submit whose params[4] is the full 16-byte nonce beginning with
 * this miner's extranonce1 (then its tail is the extranonce2).
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
  writeFullNonce,
  type Dialect,
} from '../dialect.js';
import { isHex, strip0x } from '../../mining/v1-wire.js';

export const btcpool: Dialect = {
  name: 'btcpool',
  nonceLayout: 'prefix-first',
  extranonce2Size: 8,
  subscribeResult: flatSubscribe,
  resumeExtranonce1: noResume,
  targetLines: setTargetBE,
  notifyLine: notifyWith((job) => job.parentHashHex),
  parseSubmit(params, en1, n) {
    const head = submitHead(params);
    if (typeof head === 'string') return head;
    const full = typeof params[4] === 'string' ? strip0x(params[4]) : '';
    const err =
      isHex(full, 16) && full.toLowerCase().startsWith(hexOf(en1))
        ? writeFullNonce(full, en1, n)
        : writeExtranonce2(params[2], en1, n);
    return err ?? head;
  },
  suggestedTarget: unit2p256,
  decodeTarget: targetBE,
};
