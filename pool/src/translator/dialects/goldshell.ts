/**
 * Goldshell (CK / KD boxes, intminer) as ckb-stratum-proxy `solo-proxy.js` and ckb-interim-pool
 * `src/stratum/miner-family.js` speak to it (no Goldshell firmware is public): Bitcoin-style nested
 * subscribe `[[["mining.set_difficulty", sid], ["mining.notify", sid]], sid, 4]` whose session id
 * is the extranonce1 (a reconnecting box sends it back in subscribe params[1] to resume);
 * extranonce2_size 4; the target little-endian, in `mining.set_target` followed by
 * `mining.set_difficulty` (difficulty 1 = target 2^224, "2^32 hashes"), and the network target,
 * little-endian, in notify params[3]; 5-field submit `[worker, job, extranonce2, ntime, nonce]`
 * whose nonce is the full 16 bytes hashed (zero-padded on the left as the sources read it).
 * Eaglepool requires that nonce to begin with the box's extranonce1 (prefix || slice, 8 bytes):
 * N = extranonce1 (8) || extranonce2 (4) || the box's own 4 bytes.
 */
import { DIFF1_2P224, difficultyOf } from '../../mining/target.js';
import {
  fiveFieldSubmit,
  notification,
  notifyWith,
  reversedHex,
  targetLE,
  unit2p224,
  type Dialect,
} from '../dialect.js';
import { isHex, strip0x } from '../../mining/v1-wire.js';

export const goldshell: Dialect = {
  name: 'goldshell',
  nonceLayout: 'prefix-first',
  extranonce2Size: 4,
  subscribeResult: (en1) => [
    [
      ['mining.set_difficulty', en1],
      ['mining.notify', en1],
    ],
    en1,
    4,
  ],
  resumeExtranonce1(params) {
    const sid = typeof params[1] === 'string' ? strip0x(params[1]).toLowerCase() : '';
    return isHex(sid) && sid.length > 0 ? sid : undefined;
  },
  targetLines: (t, be) =>
    notification('mining.set_target', [reversedHex(be)]) +
    notification('mining.set_difficulty', [difficultyOf(t, DIFF1_2P224)]),
  notifyLine: notifyWith((job) => reversedHex(job.networkTargetBE)),
  parseSubmit: fiveFieldSubmit('Goldshell submit is [worker, job_id, extranonce2, ntime, nonce]', 4),
  suggestedTarget: unit2p224,
  decodeTarget: targetLE,
};
