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
  hexOf,
  notification,
  submitHead,
  targetForDifficulty,
  targetFromHex,
  writeExtranonce2,
  writeFullNonce,
  type Dialect,
} from '../dialect.js';
import { isHex, strip0x } from '../v1-protocol.js';

const ONE = 1n << 256n;

export const btcpool: Dialect = {
  name: 'btcpool',
  extranonce2Size: 8,
  subscribeResult: (en1) => [null, en1, 8],
  resumeExtranonce1: () => undefined,
  targetLines: (_t, be) => notification('mining.set_target', [hexOf(be)]),
  notifyLine: (job, height, clean) =>
    notification('mining.notify', [job.v1Id, job.powHashHex, height, job.parentHashHex, clean]),
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
  suggestedTarget: (d) => targetForDifficulty(d, ONE),
  decodeTarget: (hex) => targetFromHex(hex, true),
};
