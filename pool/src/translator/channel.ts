/**
 * One upstream SV2 extended channel as the translator sees it (pure, no I/O): its nonce prefix,
 * share target, jobs (with one Eaglesong midstate each, to validate downstream shares) and the
 * per-miner extranonce slices carved out of its extranonce space.
 *
 * Nonce layout (docs/protocol.md §2, docs/translator.md): the pool gives the channel
 * `prefix (P bytes)` and `extranonce_size E = 12 - P`; N = prefix || extranonce (E) || nonce u32 LE.
 * A V1 miner gets
 *
 *   extranonce1 = prefix || slice (S = 16 - P - EXTRANONCE2_SIZE bytes, unique per miner)
 *   extranonce2 = EXTRANONCE2_SIZE (8) bytes it rolls freely
 *
 * so its N = extranonce1 || extranonce2, and the SubmitSharesExtended fields are
 * extranonce = N[P..12], nonce = u32 LE of N[12..16]. A channel opened in the prefix-last layout
 * (extension 0x4e02, for firmware that puts the pool's bytes at the tail of N) mirrors this:
 * extranonce1 = slice || prefix ends N, the miner rolls N[0..8], and the fields are
 * extranonce = N[0..E], nonce = u32 LE of N[E..E+4] (mining/nonce.ts `extendedFields`).
 */
import { compactToTarget, targetToBytesBE, u256LEToTarget } from '../ckb/target.js';
import { EaglesongJob } from '../eaglesong/index.js';
import { extendedFields, NONCE_BYTES, type NonceLayout } from '../mining/nonce.js';
import type { Sv2Message } from '../sv2/index.js';

/** Bytes a V1 miner rolls: K7 firmware requires len(extranonce1) + 8 == 16 (ckb.md §3.3). */
export const EXTRANONCE2_SIZE = 8;
/** Jobs kept per parent (the pool keeps the newest 8 valid too). */
const JOBS_PER_PARENT = 8;

type Of<T extends Sv2Message['type']> = Extract<Sv2Message, { type: T }>;

export interface ChannelJob {
  readonly id: number;
  /** V1 job id: the SV2 job id in lower-case hex (BTCPool's "%x"). */
  readonly v1Id: string;
  readonly powHash: Uint8Array;
  readonly powHashHex: string;
  readonly version: number;
  ntime: number;
  parentHashHex: string;
  networkTarget: bigint;
  networkTargetBE: Uint8Array;
  readonly hasher: EaglesongJob;
  /** N (hex) of shares of this job already taken from miners (duplicate check). */
  readonly seen: Set<string>;
}

/** What a message changed, for the translator to tell the miners. */
export type ChannelEvent =
  { kind: 'job'; job: ChannelJob; clean: boolean } | { kind: 'target'; target: bigint } | undefined;

/** Hands out per-miner slices (S bytes, big-endian counter), never two live ones alike. */
export class SliceAllocator {
  private readonly inUse = new Set<number>();
  private next = 0;
  readonly limit: number;

  constructor(readonly bytes: number) {
    if (bytes < 1 || bytes > 6) throw new RangeError(`slice must be 1..6 bytes, got ${bytes}`);
    this.limit = 2 ** (8 * bytes);
  }

  get size(): number {
    return this.inUse.size;
  }

  /** A free slice value, or undefined when all are taken. Values are reused only after wrapping. */
  allocate(): number | undefined {
    if (this.inUse.size >= this.limit) return undefined;
    while (this.inUse.has(this.next)) this.next = (this.next + 1) % this.limit;
    const v = this.next;
    this.inUse.add(v);
    this.next = (this.next + 1) % this.limit;
    return v;
  }

  /** Takes this value if it is free (a miner resuming its session); false when in use or out of range. */
  claim(value: number): boolean {
    if (!Number.isInteger(value) || value < 0 || value >= this.limit || this.inUse.has(value)) return false;
    this.inUse.add(value);
    return true;
  }

  release(value: number): void {
    this.inUse.delete(value);
  }

  encode(value: number): Uint8Array {
    const out = new Uint8Array(this.bytes);
    let v = value;
    for (let i = this.bytes - 1; i >= 0; i--) {
      out[i] = v % 256;
      v = Math.floor(v / 256);
    }
    return out;
  }
}

export class UpstreamChannel {
  readonly slices: SliceAllocator;
  readonly sliceBytes: number;
  target: bigint;
  targetBE: Uint8Array;
  private readonly jobs = new Map<number, ChannelJob>();
  /** Future jobs waiting for their SetNewPrevHash. */
  private readonly future = new Map<number, Of<'NewExtendedMiningJob'>>();
  private currentJob: ChannelJob | undefined;
  private sequence = 0;

  constructor(
    readonly id: number,
    readonly userIdentity: string,
    readonly prefix: Uint8Array,
    readonly extranonceSize: number,
    target: bigint,
    readonly layout: NonceLayout = 'prefix-first',
  ) {
    if (prefix.length + extranonceSize + 4 !== NONCE_BYTES)
      throw new RangeError(`prefix ${prefix.length} + extranonce ${extranonceSize} + 4 != 16`);
    this.sliceBytes = NONCE_BYTES - prefix.length - EXTRANONCE2_SIZE;
    if (this.sliceBytes < 1)
      throw new RangeError(`extranonce prefix of ${prefix.length} bytes leaves no room for miner slices`);
    this.slices = new SliceAllocator(Math.min(this.sliceBytes, 6));
    this.target = target;
    this.targetBE = targetToBytesBE(target);
  }

  static fromSuccess(
    msg: Of<'OpenExtendedMiningChannelSuccess'>,
    userIdentity: string,
    layout: NonceLayout,
  ): UpstreamChannel {
    return new UpstreamChannel(
      msg.channelId,
      userIdentity,
      Uint8Array.from(msg.extranoncePrefix),
      msg.extranonceSize,
      u256LEToTarget(msg.target),
      layout,
    );
  }

  /** Where a miner's extranonce1 sits in N: its head, or its tail in the prefix-last layout. */
  get extranonce1At(): number {
    return this.layout === 'prefix-first' ? 0 : NONCE_BYTES - this.prefix.length - this.sliceBytes;
  }

  get current(): ChannelJob | undefined {
    return this.currentJob;
  }

  job(v1Id: string): ChannelJob | undefined {
    const id = Number.parseInt(v1Id, 16);
    if (!Number.isSafeInteger(id) || id.toString(16) !== v1Id.toLowerCase()) return undefined;
    return this.jobs.get(id);
  }

  /** extranonce1 for a slice value: prefix || slice (prefix-last layout: slice || prefix). */
  extranonce1(slice: number): Uint8Array {
    const out = new Uint8Array(this.prefix.length + this.sliceBytes);
    const first = this.layout === 'prefix-first';
    out.set(this.prefix, first ? 0 : this.sliceBytes);
    out.set(this.slices.encode(slice), (first ? out.length : this.sliceBytes) - this.slices.bytes);
    return out;
  }

  /** The slice an extranonce1 (hex) of this channel names, or undefined (other prefix, other length). */
  sliceOf(extranonce1Hex: string): number | undefined {
    const en1 = Buffer.from(extranonce1Hex, 'hex');
    if (
      en1.length !== this.prefix.length + this.sliceBytes ||
      en1.toString('hex') !== extranonce1Hex.toLowerCase()
    )
      return undefined;
    const first = this.layout === 'prefix-first';
    const prefixAt = first ? 0 : this.sliceBytes;
    if (!en1.subarray(prefixAt, prefixAt + this.prefix.length).equals(this.prefix)) return undefined;
    const sliceAt = first ? this.prefix.length : 0;
    const pad = this.sliceBytes - this.slices.bytes;
    if (en1.subarray(sliceAt, sliceAt + pad).some((b) => b !== 0)) return undefined;
    return en1.subarray(sliceAt + pad, sliceAt + this.sliceBytes).reduce((v, b) => v * 256 + b, 0);
  }

  /** Applies a channel message from the pool. */
  apply(msg: Sv2Message): ChannelEvent {
    switch (msg.type) {
      case 'NewExtendedMiningJob':
        if (msg.minNtime === undefined) {
          this.future.set(msg.jobId, msg);
          return undefined;
        }
        // Active at once: same parent as the current job (new transactions).
        if (!this.currentJob) return undefined;
        return { kind: 'job', job: this.activate(msg, msg.minNtime, this.currentJob), clean: false };
      case 'SetNewPrevHash': {
        const f = this.future.get(msg.jobId);
        if (!f) return undefined;
        this.future.clear();
        for (const j of this.jobs.values()) j.hasher.free();
        this.jobs.clear();
        const target = compactToTarget(msg.nbits);
        const job = this.newJob(f, msg.minNtime, hex(msg.prevHash), target);
        return { kind: 'job', job, clean: true };
      }
      case 'SetTarget':
        this.target = u256LEToTarget(msg.maximumTarget);
        this.targetBE = targetToBytesBE(this.target);
        return { kind: 'target', target: this.target };
      default:
        return undefined;
    }
  }

  /** The SubmitSharesExtended for N (16 bytes) of `job`. */
  submission(job: ChannelJob, n: Uint8Array): Of<'SubmitSharesExtended'> {
    const { extranonce, nonce } = extendedFields(n, this.prefix.length, this.layout);
    return {
      type: 'SubmitSharesExtended',
      channelId: this.id,
      sequenceNumber: this.sequence++ >>> 0,
      jobId: job.id,
      nonce,
      ntime: job.ntime,
      version: job.version,
      extranonce,
    };
  }

  /** Frees every midstate (channel closed or upstream lost). */
  dispose(): void {
    for (const j of this.jobs.values()) j.hasher.free();
    this.jobs.clear();
    this.future.clear();
    this.currentJob = undefined;
  }

  private activate(msg: Of<'NewExtendedMiningJob'>, ntime: number, on: ChannelJob): ChannelJob {
    const job = this.newJob(msg, ntime, on.parentHashHex, on.networkTarget);
    // Keep the newest JOBS_PER_PARENT jobs of this parent (Map iterates oldest first).
    while (this.jobs.size > JOBS_PER_PARENT) {
      const [oldest, j] = this.jobs.entries().next().value as [number, ChannelJob];
      j.hasher.free();
      this.jobs.delete(oldest);
    }
    return job;
  }

  private newJob(
    msg: Of<'NewExtendedMiningJob'>,
    ntime: number,
    parentHashHex: string,
    networkTarget: bigint,
  ): ChannelJob {
    const powHash = Uint8Array.from(msg.coinbaseTxPrefix.subarray(0, 32));
    const job: ChannelJob = {
      id: msg.jobId,
      v1Id: msg.jobId.toString(16),
      powHash,
      powHashHex: hex(powHash),
      version: msg.version,
      ntime,
      parentHashHex,
      networkTarget,
      networkTargetBE: targetToBytesBE(networkTarget),
      hasher: new EaglesongJob(powHash),
      seen: new Set(),
    };
    this.jobs.get(job.id)?.hasher.free();
    this.jobs.set(job.id, job);
    this.currentJob = job;
    return job;
  }
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
