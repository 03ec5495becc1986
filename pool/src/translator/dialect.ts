/**
 * A V1 dialect: how one family of CKB miners expects the pool to speak (pure data and small
 * functions, no I/O). The session (`V1Downstream`) is dialect-free: it asks the miner's dialect
 * for the subscribe reply, the target and difficulty messages, the notify line, and to parse a
 * submit into the 16 nonce bytes N the miner hashed. One module per family in `dialects/`;
 * sources and what was proven how: docs/translator.md.
 *
 * Every family gets an 8-byte extranonce1 and rolls the other 8 bytes of N. Where extranonce1 sits
 * is the family's `nonceLayout`: at the head (channel prefix || the miner's slice), or, for
 * firmware that puts the pool's bytes at the tail of N (NerdMiner), at the tail (slice || prefix),
 * on an upstream channel opened in the prefix-last layout (extension 0x4e02).
 */
import type { NonceLayout } from '../mining/nonce.js';
import { DIFF1_2P224, DIFF1_2P256, targetForDifficulty, targetFromHex } from '../mining/target.js';
import { isHex, strip0x } from '../mining/v1-wire.js';

export const DIALECT_NAMES = ['btcpool', 'k7', 'goldshell', 'viabtc', 'nerdminer'] as const;
export type DialectName = (typeof DIALECT_NAMES)[number];

/** What a notify carries, whatever its shape. */
export interface NotifyJob {
  readonly v1Id: string;
  readonly powHashHex: string;
  readonly parentHashHex: string;
  readonly networkTargetBE: Uint8Array;
}

/** A submit the dialect could read: N has been written to the session's buffer. */
export interface ParsedSubmit {
  worker: string;
  jobId: string;
}

export interface Dialect {
  readonly name: DialectName;
  /** Where extranonce1 sits in N: the head (the upstream prefix first) or the tail (prefix last). */
  readonly nonceLayout: NonceLayout;
  /** extranonce2_size announced in the subscribe reply. */
  readonly extranonce2Size: number;
  /** The `result` of the mining.subscribe reply for this extranonce1. */
  subscribeResult(extranonce1Hex: string): unknown;
  /**
   * The extranonce1 (hex) a reconnecting miner asks to resume, from its mining.subscribe params;
   * undefined for families that send no session id.
   */
  resumeExtranonce1(params: readonly unknown[]): string | undefined;
  /** The line(s) that give the miner a new share target. */
  targetLines(target: bigint, targetBE: Uint8Array): string;
  notifyLine(job: NotifyJob, height: number, clean: boolean): string;
  /**
   * Reads a submit's params; writes the 16 bytes the miner hashed into `n` (extranonce1 is
   * already in place: n[0..len], or the tail of n in the prefix-last layout). Returns the worker and job id, or why the params are not this
   * dialect's (answered as error 27, illegal params).
   */
  parseSubmit(params: readonly unknown[], extranonce1: Uint8Array, n: Buffer): ParsedSubmit | string;
  /** mining.suggest_difficulty's number in this family's unit → a share target (undefined: unusable). */
  suggestedTarget(difficulty: number): bigint | undefined;
  /** mining.suggest_target's hex in this family's byte order → a target (undefined: unusable). */
  decodeTarget(hex: string): bigint | undefined;
}

// ---- Helpers the family modules share --------------------------------------------------------

export function hexOf(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function reversedHex(b: Uint8Array): string {
  return Buffer.from(b).reverse().toString('hex');
}

/** A JSON line of a notification (no id reply expected). */
export function notification(method: string, params: unknown[]): string {
  return `{"id":null,"method":"${method}","params":${JSON.stringify(params)}}\n`;
}

/** The worker and job id every submit shape starts with. */
export function submitHead(params: readonly unknown[]): ParsedSubmit | string {
  if (typeof params[0] !== 'string' || typeof params[1] !== 'string')
    return 'submit needs [worker, job_id, …]';
  return { worker: params[0], jobId: params[1] };
}

/** N = extranonce1 || extranonce2 (hex of exactly the rolled bytes). */
export function writeExtranonce2(hex: unknown, extranonce1: Uint8Array, n: Buffer): string | undefined {
  const en2 = typeof hex === 'string' ? strip0x(hex) : '';
  if (!isHex(en2, n.length - extranonce1.length))
    return `extranonce2 must be ${n.length - extranonce1.length} bytes of hex`;
  n.write(en2, extranonce1.length, 'hex');
  return undefined;
}

/**
 * N = the full nonce the miner sent (zero-padded on the left to 16 bytes, as the sources read it),
 * which must begin with this miner's extranonce1: the pool hashes prefix || … so a nonce outside
 * the miner's space can never be credited.
 */
export function writeFullNonce(hex: unknown, extranonce1: Uint8Array, n: Buffer): string | undefined {
  const full = typeof hex === 'string' ? strip0x(hex) : '';
  if (full.length === 0 || full.length > 2 * n.length || !/^[0-9a-fA-F]+$/.test(full))
    return `nonce must be up to ${n.length} bytes of hex`;
  const padded = full.padStart(2 * n.length, '0').toLowerCase();
  if (!padded.startsWith(hexOf(extranonce1)))
    return "nonce does not begin with this connection's extranonce1";
  n.write(padded, 0, 'hex');
  return undefined;
}

/**
 * N = the 16-byte nonce exactly as sent, which must END with this miner's extranonce1 (the
 * prefix-last layout: the pool's bytes close N, so a nonce outside the miner's space is refused).
 */
export function writeNonceEndingWithExtranonce1(
  hex: unknown,
  extranonce1: Uint8Array,
  n: Buffer,
): string | undefined {
  const full = typeof hex === 'string' ? strip0x(hex).toLowerCase() : '';
  if (!isHex(full, n.length)) return `nonce must be ${n.length} bytes of hex`;
  if (!full.endsWith(hexOf(extranonce1))) return "nonce does not end with this connection's extranonce1";
  n.write(full, 0, 'hex');
  return undefined;
}

// ---- Building blocks the families are made of ------------------------------------------------

/** `[null, extranonce1, 8]` with a JSON null (UUPool, K7; not BTCPool's string "null"). */
export const flatSubscribe = (en1: string): unknown => [null, en1, 8];
export const noResume = (): undefined => undefined;
export const setTargetBE = (_t: bigint, be: Uint8Array): string =>
  notification('mining.set_target', [hexOf(be)]);
/** notify `[job, pow_hash, height, <third>, clean]`, the third field as the family has it. */
export function notifyWith(third: (job: NotifyJob) => string): Dialect['notifyLine'] {
  return (job, height, clean) =>
    notification('mining.notify', [job.v1Id, job.powHashHex, height, third(job), clean]);
}
/** Difficulty units: Eaglepool's (2^256 / target) or the Bitcoin-derived 2^224 / target. */
export const unit2p256 = (d: number): bigint | undefined => targetForDifficulty(d, DIFF1_2P256);
export const unit2p224 = (d: number): bigint | undefined => targetForDifficulty(d, DIFF1_2P224);
export const targetBE = (hex: string): bigint | undefined => targetFromHex(hex, true);
export const targetLE = (hex: string): bigint | undefined => targetFromHex(hex, false);

/** A 5-field submit `[worker, job, extranonce2, ntime, nonce]` whose nonce is the full N. */
export function fiveFieldSubmit(shape: string, en2Bytes: number | undefined): Dialect['parseSubmit'] {
  return (params, en1, n) => {
    if (params.length !== 5) return shape;
    const head = submitHead(params);
    if (typeof head === 'string') return head;
    if (en2Bytes !== undefined && (typeof params[2] !== 'string' || !isHex(strip0x(params[2]), en2Bytes)))
      return `extranonce2 must be ${en2Bytes} bytes of hex`;
    return writeFullNonce(params[4], en1, n) ?? head;
  };
}
