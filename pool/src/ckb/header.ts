/**
 * CKB block header: molecule `RawHeader` (192 bytes) and `Header` (RawHeader ‖ nonce u128 LE, 208 bytes),
 * `pow_hash = ckbhash(RawHeader)`, block hash = `ckbhash(Header)` (`util/gen-types/src/extension/calc_hash.rs`).
 * Molecule structs are plain field concatenations; integers are little-endian.
 */
import { ckbHash } from './hash.js';
import { bytesToHex, hexToBytes, hexToU32, hexToUint, uintToHex } from './hex.js';
import type { JsonHeader } from './types.js';

export const RAW_HEADER_SIZE = 192;
export const HEADER_SIZE = 208;

export interface RawHeader {
  version: number;
  compactTarget: number;
  /** Unix milliseconds. */
  timestamp: bigint;
  number: bigint;
  /** EpochNumberWithFraction packed into a u64 (see packEpoch). */
  epoch: bigint;
  parentHash: Uint8Array;
  transactionsRoot: Uint8Array;
  proposalsHash: Uint8Array;
  extraHash: Uint8Array;
  dao: Uint8Array;
}

export interface Header extends RawHeader {
  nonce: bigint;
}

/** Writes the 192-byte molecule RawHeader into `out` (allocated when absent). */
export function serializeRawHeader(
  h: RawHeader,
  out: Uint8Array = new Uint8Array(RAW_HEADER_SIZE),
): Uint8Array {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(0, h.version, true);
  view.setUint32(4, h.compactTarget, true);
  view.setBigUint64(8, h.timestamp, true);
  view.setBigUint64(16, h.number, true);
  view.setBigUint64(24, h.epoch, true);
  out.set(check32(h.parentHash, 'parentHash'), 32);
  out.set(check32(h.transactionsRoot, 'transactionsRoot'), 64);
  out.set(check32(h.proposalsHash, 'proposalsHash'), 96);
  out.set(check32(h.extraHash, 'extraHash'), 128);
  out.set(check32(h.dao, 'dao'), 160);
  return out;
}

/** The 208-byte molecule Header. */
export function serializeHeader(h: Header): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE);
  serializeRawHeader(h, out.subarray(0, RAW_HEADER_SIZE));
  out.set(nonceToBytes(h.nonce), RAW_HEADER_SIZE);
  return out;
}

/** pow_hash = ckbhash(RawHeader). */
export function powHashOf(h: RawHeader): Uint8Array {
  return ckbHash(serializeRawHeader(h));
}

/** Block hash = ckbhash(Header), nonce included. */
export function headerHashOf(h: Header): Uint8Array {
  return ckbHash(serializeHeader(h));
}

/** u128 nonce → the 16 little-endian bytes fed to Eaglesong after pow_hash (`pow_message`). */
export function nonceToBytes(nonce: bigint): Uint8Array {
  if (nonce < 0n || nonce >> 128n !== 0n) throw new RangeError(`nonce does not fit in u128: ${nonce}`);
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, nonce & 0xffffffffffffffffn, true);
  view.setBigUint64(8, nonce >> 64n, true);
  return out;
}

/** 16 little-endian nonce bytes → u128. */
export function nonceFromBytes(bytes: Uint8Array): bigint {
  if (bytes.length !== 16) throw new RangeError(`nonce must be 16 bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
  return view.getBigUint64(0, true) | (view.getBigUint64(8, true) << 64n);
}

/** JSON header (HeaderView `hash` ignored) → Header. Throws CkbHexError on malformed fields. */
export function headerFromJson(j: JsonHeader): Header {
  return {
    version: hexToU32(j.version),
    compactTarget: hexToU32(j.compact_target),
    timestamp: hexToUint(j.timestamp),
    number: hexToUint(j.number),
    epoch: hexToUint(j.epoch),
    parentHash: hexToBytes(j.parent_hash, 32),
    transactionsRoot: hexToBytes(j.transactions_root, 32),
    proposalsHash: hexToBytes(j.proposals_hash, 32),
    extraHash: hexToBytes(j.extra_hash, 32),
    dao: hexToBytes(j.dao, 32),
    nonce: hexToUint(j.nonce, 128),
  };
}

/** Header → JSON in the node's field order and number format (what `submit_block` accepts). */
export function headerToJson(h: Header): JsonHeader {
  return {
    compact_target: uintToHex(h.compactTarget),
    dao: bytesToHex(h.dao),
    epoch: uintToHex(h.epoch),
    extra_hash: bytesToHex(h.extraHash),
    nonce: uintToHex(h.nonce),
    number: uintToHex(h.number),
    parent_hash: bytesToHex(h.parentHash),
    proposals_hash: bytesToHex(h.proposalsHash),
    timestamp: uintToHex(h.timestamp),
    transactions_root: bytesToHex(h.transactionsRoot),
    version: uintToHex(h.version),
  };
}

/** EpochNumberWithFraction: bits 0-23 epoch number, 24-39 index in the epoch, 40-55 epoch length. */
export interface Epoch {
  number: bigint;
  index: number;
  length: number;
}

export function packEpoch(e: Epoch): bigint {
  if (e.number < 0n || e.number >= 1n << 24n) throw new RangeError(`epoch number out of range: ${e.number}`);
  if (!(e.index >= 0 && e.index < 0x10000) || !(e.length > 0 && e.length < 0x10000) || e.index >= e.length) {
    throw new RangeError(`malformed epoch fraction ${e.index}/${e.length}`);
  }
  return e.number | (BigInt(e.index) << 24n) | (BigInt(e.length) << 40n);
}

export function unpackEpoch(v: bigint): Epoch {
  return {
    number: v & 0xffffffn,
    index: Number((v >> 24n) & 0xffffn),
    length: Number((v >> 40n) & 0xffffn),
  };
}

function check32(b: Uint8Array, field: string): Uint8Array {
  if (b.length !== 32) throw new RangeError(`${field} must be 32 bytes, got ${b.length}`);
  return b;
}
