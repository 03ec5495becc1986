/**
 * How each family of CKB V1 miners talks to its pool, from the miner's side, for `V1Miner`
 * (`eaglepool miner --mode v1 --dialect NAME`). Written from the same public sources as the
 * translator's dialects (docs/translator.md) but independently of them, so that a miner built
 * here checks the translator rather than echoing it:
 *
 * - btcpool: agent `eaglepool-v1/1.0` (no family claims it), reads `[null, en1, size]`, takes the
 *   share target from `mining.set_target` (big-endian), submits `[worker, job, extranonce2]`.
 * - k7: agent `ckbminer-v1.0.0` (the K7-era agent in the Nervos forum post and ckb-interim-pool),
 *   otherwise as btcpool (set_target big-endian; notify params[3] is not read).
 * - goldshell: agent `intminer/1.0.0`, reads the nested subscribe result and keeps its session id
 *   to send back in subscribe params[1] on reconnect; takes the share target from
 *   `mining.set_difficulty` (difficulty 1 = target 2^224, solo-proxy: "set_difficulty
 *   (Goldshell/intminer)"); rolls 4 bytes of extranonce2 and 4 of its own and submits
 *   `[worker, job, extranonce2, ntime, full nonce]`.
 * - viabtc: agent `ckb-stratum-proxy/1.1` (what proxy.js says to ViaBTC), set_target big-endian,
 *   submits `[worker, job, extranonce2, ntime, full nonce]` as proxy.js relays it.
 * - nerdminer: agent `NerdMinerCKB/CKB-V0.1.0` (toastmanAu/NerdMiner_CKB `src/stratum.cpp`
 *   `tx_mining_subscribe`, `src/version.h`), set_target big-endian, N = its 64-bit counter
 *   (little-endian) || extranonce1, submitted as `[worker, job, hex(N)]` (`tx_mining_submit`).
 *   Unlike the firmware, which picks the share with the best difficulty reading the hash
 *   little-endian (`diff_from_target`), this miner compares as CKB does (big-endian).
 */
import { targetToBytesBE } from '../ckb/target.js';
import { DIFF1_2P224, targetForDifficulty } from '../mining/target.js';

export const MINER_DIALECTS = ['btcpool', 'k7', 'goldshell', 'viabtc', 'nerdminer'] as const;
export type MinerDialectName = (typeof MINER_DIALECTS)[number];

export interface MinerDialect {
  readonly agent: string;
  /** Which message sets the share target. */
  readonly targetFrom: 'set_target' | 'set_difficulty';
  /** Bytes of N the device rolls beyond extranonce1 + extranonce2 (0: extranonce2 fills N). */
  readonly ownNonceBytes: number;
  /** Sends its last session id back when it resubscribes. */
  readonly resumes: boolean;
  /** Where it puts extranonce1 in N: first, or last (after its own 8 bytes). */
  readonly extranonce1At: 'head' | 'tail';
  submitParams(worker: string, jobId: string, n: Uint8Array, en1Length: number, en2Size: number): unknown[];
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** How the device fills N: extranonce1 at `en1At`, the workers roll N[rollAt..+rollLength] and search the u32 at `searchAt`. */
export interface NonceFill {
  en1At: number;
  rollAt: number;
  rollLength: number;
  searchAt: number;
}

export function nonceFill(d: MinerDialect, en1Length: number): NonceFill {
  if (d.extranonce1At === 'tail') return { en1At: 16 - en1Length, rollAt: 4, rollLength: 4, searchAt: 0 };
  return { en1At: 0, rollAt: en1Length, rollLength: Math.max(0, Math.min(4, 12 - en1Length)), searchAt: 12 };
}

const threeField: MinerDialect['submitParams'] = (worker, jobId, n, en1Length) => [
  worker,
  jobId,
  hex(n.subarray(en1Length)),
];

const fiveField: MinerDialect['submitParams'] = (worker, jobId, n, en1Length, en2Size) => [
  worker,
  jobId,
  hex(n.subarray(en1Length, en1Length + en2Size)),
  Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0'),
  hex(n),
];

export const MINER_DIALECT: Readonly<Record<MinerDialectName, MinerDialect>> = {
  btcpool: {
    agent: 'eaglepool-v1/1.0',
    targetFrom: 'set_target',
    ownNonceBytes: 0,
    resumes: false,
    extranonce1At: 'head',
    submitParams: threeField,
  },
  k7: {
    agent: 'ckbminer-v1.0.0',
    targetFrom: 'set_target',
    ownNonceBytes: 0,
    resumes: false,
    extranonce1At: 'head',
    submitParams: threeField,
  },
  goldshell: {
    agent: 'intminer/1.0.0',
    targetFrom: 'set_difficulty',
    ownNonceBytes: 4,
    resumes: true,
    extranonce1At: 'head',
    submitParams: fiveField,
  },
  viabtc: {
    agent: 'ckb-stratum-proxy/1.1',
    targetFrom: 'set_target',
    ownNonceBytes: 0,
    resumes: false,
    extranonce1At: 'head',
    submitParams: fiveField,
  },
  nerdminer: {
    agent: 'NerdMinerCKB/CKB-V0.1.0',
    targetFrom: 'set_target',
    ownNonceBytes: 0,
    resumes: false,
    extranonce1At: 'tail',
    submitParams: (worker, jobId, n) => [worker, jobId, hex(n)],
  },
};

/** mining.set_difficulty's number (difficulty 1 = 2^224) → 32 big-endian target bytes. */
export function targetBEFromDifficulty2p224(d: number): Uint8Array<ArrayBuffer> | undefined {
  const t = targetForDifficulty(d, DIFF1_2P224);
  return t === undefined ? undefined : Uint8Array.from(targetToBytesBE(t));
}
