/**
 * PoW inspection of a header given as CKB RPC JSON: a HeaderView/Header, a Block/BlockView (its
 * `header`), or a JSON-RPC response wrapping either (`result`). Used by `eaglepool ckb pow`.
 */
import { headerFromJson } from './header.js';
import { bytesToHex } from './hex.js';
import { checkHeaderPow } from './pow.js';
import type { PowFunction } from './pow.js';
import { targetToDifficulty } from './target.js';
import type { JsonHeader } from './types.js';

export class HeaderInputError extends Error {
  override name = 'HeaderInputError';
}

/** Finds the header object in any of the accepted JSON shapes. */
export function extractHeader(json: unknown): JsonHeader & { hash?: string } {
  let value = json;
  if (isObject(value) && 'jsonrpc' in value) {
    if (isObject(value.error))
      throw new HeaderInputError(`the RPC response is an error: ${JSON.stringify(value.error)}`);
    value = value.result;
  }
  if (isObject(value) && isObject(value.header)) value = value.header;
  if (!isObject(value) || typeof value.compact_target !== 'string' || typeof value.nonce !== 'string') {
    throw new HeaderInputError(
      'no CKB header found (expected a header, a block, or an RPC response with one)',
    );
  }
  return value as unknown as JsonHeader & { hash?: string };
}

export interface PowReport {
  number: string;
  powHash: string;
  blockHash: string;
  /** The `hash` in the input, when it had one. */
  statedHash?: string;
  nonce: string;
  /** The PoW function's output (Eaglesong, or its ckbhash for EaglesongBlake2b). */
  eaglesong: string;
  compactTarget: string;
  target: string;
  difficulty: string;
  invalidTarget: boolean;
  meets: boolean;
}

export function inspectPow(json: unknown, func: PowFunction = 'Eaglesong'): PowReport {
  const jsonHeader = extractHeader(json);
  let header;
  try {
    header = headerFromJson(jsonHeader);
  } catch (err) {
    throw new HeaderInputError(`malformed header: ${(err as Error).message}`);
  }
  const check = checkHeaderPow(header, func);
  return {
    number: header.number.toString(10),
    powHash: bytesToHex(check.powHash),
    blockHash: bytesToHex(check.blockHash),
    ...(jsonHeader.hash === undefined ? {} : { statedHash: jsonHeader.hash }),
    nonce: jsonHeader.nonce,
    eaglesong: bytesToHex(check.output),
    compactTarget: '0x' + header.compactTarget.toString(16).padStart(8, '0'),
    target: '0x' + check.target.toString(16).padStart(64, '0'),
    difficulty: check.invalidTarget ? 'invalid' : targetToDifficulty(check.target).toString(10),
    invalidTarget: check.invalidTarget,
    meets: check.meets,
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
