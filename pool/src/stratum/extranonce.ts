/**
 * Extranonce prefix allocation (ckb-sv2 binding, "The 128-bit nonce").
 *
 * Every channel gets a prefix `replica id (R bytes) || channel counter (3 bytes, big-endian)`,
 * the "core" prefix. Extended channels use the core prefix as-is (R + 3 >= 4 bytes) and roll
 * `extranonce_size = 12 - R - 3` bytes themselves; standard channels pad the core prefix with
 * zeros to 8 bytes. Counters are never shared by two open channels of one replica, and two
 * replicas never share an id, so the nonce spaces `core || *` of any two channels are disjoint
 * whatever their kinds are. Channels in the prefix-last layout (extension 0x4e02) carry the core
 * prefix at the END of N (`* || core`, standard prefixes padded with zeros in front), drawn from
 * the same counters: disjoint among themselves the same way. Across the two layouts the spaces
 * cannot be disjoint (each leaves free the bytes the other fixes); the same N in both is the same
 * work, refused as `duplicate-share` on one replica (the job's seen set) and counted once by the
 * share processor (share id = job id + N) across replicas (docs/protocol.md §9).
 */
import { NONCE_BYTES, NONCE_U32_BYTES, type NonceLayout } from '../mining/nonce.js';
import type { ErrorCodeOf } from '../sv2/index.js';

/** Bytes of the channel counter inside a prefix: 16,777,216 channels per replica at a time. */
export const COUNTER_BYTES = 3;
/** Prefix length of a standard channel (miner part = version u32 LE || nonce u32 LE). */
export const STANDARD_PREFIX_BYTES = 8;

export interface ExtranonceAllocation {
  /** Counter value that identifies the allocation; pass it back to `release`. */
  readonly counter: number;
  /** The prefix sent in Open*MiningChannel.Success. */
  readonly prefix: Uint8Array;
  /** Bytes the client rolls (0 for standard channels). */
  readonly extranonceSize: number;
}

/** Where counters come from when they must survive restarts (`PrefixRanges`); undefined when none is left. */
export interface CounterSource {
  take(): number | undefined;
}

export class ExtranonceAllocator {
  readonly replicaId: Uint8Array;
  private readonly limit: number;
  private readonly inUse = new Set<number>();
  private next = 0;

  /**
   * @param replicaId unique id of this stratum replica (1 or 2 bytes; a lease from the store).
   * @param source counters reserved in the store (a stratum service); without one counters start
   *   at 0 with the process (in-memory pools and tests, where nothing outlives the process).
   */
  constructor(
    replicaId: Uint8Array,
    private readonly source?: CounterSource,
  ) {
    if (replicaId.length < 1 || replicaId.length > 2) {
      throw new RangeError(`replica id must be 1 or 2 bytes, got ${replicaId.length}`);
    }
    this.replicaId = Uint8Array.from(replicaId);
    this.limit = 2 ** (8 * COUNTER_BYTES);
  }

  /** Length of the core prefix (replica id || counter). */
  get corePrefixBytes(): number {
    return this.replicaId.length + COUNTER_BYTES;
  }

  /** Extranonce bytes an extended channel rolls: prefix + extranonce + u32 nonce = 16. */
  get extendedExtranonceSize(): number {
    return NONCE_BYTES - NONCE_U32_BYTES - this.corePrefixBytes;
  }

  /** Number of prefixes handed out and not released. */
  get size(): number {
    return this.inUse.size;
  }

  /**
   * A standard-channel prefix (8 bytes: the core prefix then zeros, or zeros then the core prefix
   * for the prefix-last layout, so the core sits at the same end of N as an extended channel's),
   * or undefined when all counters are taken.
   */
  allocateStandard(layout: NonceLayout = 'prefix-first'): ExtranonceAllocation | undefined {
    const counter = this.take();
    if (counter === undefined) return undefined;
    const prefix = this.prefixFor(counter, STANDARD_PREFIX_BYTES, layout);
    return { counter, prefix, extranonceSize: 0 };
  }

  /**
   * An extended-channel prefix, or a reason string when the request cannot be met
   * (the SV2 OpenMiningChannel.Error code).
   */
  allocateExtended(minExtranonceSize: number): ExtranonceAllocation | ErrorCodeOf<'OpenMiningChannelError'> {
    const size = this.extendedExtranonceSize;
    if (minExtranonceSize > size) return 'min-extranonce-size-too-large';
    const counter = this.take();
    if (counter === undefined) return 'extranonce-space-exhausted';
    return { counter, prefix: this.prefixFor(counter, this.corePrefixBytes), extranonceSize: size };
  }

  /** Returns a counter to the pool once its channel is closed. */
  release(counter: number): void {
    this.inUse.delete(counter);
  }

  /** Hands out counters in increasing order and only reuses released ones after wrapping. */
  private take(): number | undefined {
    if (this.inUse.size >= this.limit) return undefined;
    if (this.source) {
      // After a wrap of the 24-bit space, skip counters of channels still open.
      for (let tries = 0; tries < 1024; tries++) {
        const counter = this.source.take();
        if (counter === undefined) return undefined;
        if (this.inUse.has(counter)) continue;
        this.inUse.add(counter);
        return counter;
      }
      return undefined;
    }
    while (this.inUse.has(this.next)) this.next = (this.next + 1) % this.limit;
    const counter = this.next;
    this.inUse.add(counter);
    this.next = (this.next + 1) % this.limit;
    return counter;
  }

  private prefixFor(counter: number, length: number, layout: NonceLayout = 'prefix-first'): Uint8Array {
    const prefix = new Uint8Array(length);
    const start = layout === 'prefix-first' ? 0 : length - this.corePrefixBytes;
    prefix.set(this.replicaId, start);
    const at = start + this.replicaId.length;
    prefix[at] = (counter >>> 16) & 0xff;
    prefix[at + 1] = (counter >>> 8) & 0xff;
    prefix[at + 2] = counter & 0xff;
    return prefix;
  }
}
