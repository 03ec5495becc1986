/**
 * Issuance for the devnet, after CKB's rules with dev-chain constants (`resource/specs/dev.toml`):
 * each epoch issues a fixed primary and secondary reward, split evenly over the epoch's blocks with the
 * remainder going to the first blocks (`EpochExt::block_reward`). Halving (every 8760 epochs) is ignored.
 *
 * The DAO field (RFC 0023: C total issued, AR accumulated rate, S unissued secondary, U occupied, each a
 * u64 LE) is computed with the simplification that nothing is ever deposited in the Nervos DAO and every
 * cell created is a cellbase output: all secondary issuance accrues to S (the treasury share).
 */
import { ckbHash } from '../ckb/hash.js';

export const SHANNONS_PER_CKB = 100_000_000n;
/** dev.toml `initial_primary_epoch_reward`. */
export const PRIMARY_EPOCH_REWARD = 1_917_808_21917808n;
/** dev.toml `secondary_epoch_reward`. */
export const SECONDARY_EPOCH_REWARD = 613_698_63013698n;
/** Genesis issuance assumed by the devnet DAO field (33.6 G CKB, mainnet's order of magnitude). */
export const GENESIS_ISSUANCE = 33_600_000_000n * SHANNONS_PER_CKB;
/** Initial accumulated rate AR_0 = 10^16 (RFC 0023). */
export const GENESIS_AR = 10_000_000_000_000_000n;

/** Per-block share of an epoch reward (`block_reward`): quotient, plus one for the first `remainder` blocks. */
export function blockShare(epochReward: bigint, index: number, length: number): bigint {
  const len = BigInt(length);
  return epochReward / len + (BigInt(index) < epochReward % len ? 1n : 0n);
}

export interface Dao {
  /** Total issued capacity. */
  c: bigint;
  /** Accumulated rate. */
  ar: bigint;
  /** Unissued secondary issuance. */
  s: bigint;
  /** Occupied capacity. */
  u: bigint;
}

export function daoToBytes(d: Dao): Uint8Array {
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, d.c, true);
  view.setBigUint64(8, d.ar, true);
  view.setBigUint64(16, d.s, true);
  view.setBigUint64(24, d.u, true);
  return out;
}

export function daoFromBytes(b: Uint8Array): Dao {
  const view = new DataView(b.buffer, b.byteOffset, 32);
  return {
    c: view.getBigUint64(0, true),
    ar: view.getBigUint64(8, true),
    s: view.getBigUint64(16, true),
    u: view.getBigUint64(24, true),
  };
}

/** The DAO field of a block issuing `primary` + `secondary` and creating cells that occupy `occupied`. */
export function nextDao(parent: Dao, primary: bigint, secondary: bigint, occupied: bigint): Dao {
  return {
    c: parent.c + primary + secondary,
    ar: parent.ar + (parent.ar * secondary) / parent.c,
    s: parent.s + secondary,
    u: parent.u + occupied,
  };
}

/** Occupied capacity of a cell with no type script and no data: 8 (capacity) + lock (32 + 1 + args). */
export function occupiedCapacity(lockArgsBytes: number): bigint {
  return BigInt(8 + 32 + 1 + lockArgsBytes) * SHANNONS_PER_CKB;
}

/**
 * Stand-in for the RFC 0044 chain-root MMR hash that a real node puts in the first 32 bytes of the
 * extension: a hash chained over the parent's, so it differs per block and commits to history.
 */
export function chainRoot(parentRoot: Uint8Array, parentHash: Uint8Array): Uint8Array {
  return ckbHash(parentRoot, parentHash);
}
