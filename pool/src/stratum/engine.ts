/**
 * The pool side of the SV2 Mining Protocol for CKB, without I/O.
 *
 * Responsibilities:
 * - channels (Open{Standard,Extended}MiningChannel, UpdateChannel, CloseChannel) per connection;
 * - jobs: one JobBook for the server, per-channel NewMiningJob / NewExtendedMiningJob /
 *   SetNewPrevHash messages built from one template per job (only channel_id differs);
 * - share validation with the job's Eaglesong midstate, error codes as the SV2 spec / SRI
 *   spell them, batched SubmitShares.Success, vardiff with SetTarget, block detection.
 * Usage: the server edge creates one `StratumEngine`, calls `connect(send)` for each SV2
 * connection after SetupConnection, feeds its messages to `MiningConnection.handle`, pushes
 * jobs with `newJob` + `MiningConnection.sendJob` and calls `tick` about once a second.
 * Notes: time comes from the injected clock; accepted shares and block candidates are
 * reported through `EngineEvents` synchronously. An acknowledgement means "durable": the
 * SubmitShares.Success covering a share goes out only once the confirmation `onShare` (and,
 * for a block, `onBlock`) returned has resolved; see `AckQueue` below.
 */
import { targetToU256LE, u256LEToTarget } from '../ckb/target.js';
import type { ErrorCodeOf, Sv2Message } from '../sv2/index.js';
import {
  encodeFrame,
  EXTENSION_TYPE_EAGLEPOOL_LONG_IDENTITY,
  EXTENSION_TYPE_EAGLEPOOL_NONCE_LAYOUT,
  EXTENSION_TYPE_WORKER_HASHRATE_TRACKING,
  NONCE_LAYOUT_PREFIX_LAST,
} from '../sv2/index.js';
import { Channel, type ChannelKind } from './channel.js';
import { ExtranonceAllocator, type CounterSource } from './extranonce.js';
import { identityError } from './identity.js';
import { hashMeetsTarget } from '../mining/target.js';
import { JobBook, type Job, type JobTemplate, type PowHasher } from './jobs.js';
import { extendedNonce, NONCE_BYTES, nonceToU128, standardNonce, type NonceLayout } from '../mining/nonce.js';
import { DEFAULT_VARDIFF, initialTarget, type VardiffConfig } from '../mining/vardiff.js';

type Msg<T extends Sv2Message['type']> = Extract<Sv2Message, { type: T }>;

const U64_MAX = (1n << 64n) - 1n;
const U32_MAX = 0xffffffff;
const GROUP_CHANNEL_ID = 1;

export interface EngineConfig {
  /** Unique id of this replica (1–2 bytes): the first bytes of every extranonce prefix. */
  replicaId: Uint8Array;
  /** Counters reserved in the store (see ExtranonceAllocator); default: from 0 in this process. */
  counters?: CounterSource;
  makeHasher: (powHash: Uint8Array) => PowHasher;
  vardiff?: VardiffConfig;
  /** Accepted shares per SubmitShares.Success at most (SRI default 10). */
  shareBatchSize?: number;
  /**
   * Acknowledgement window: a partial batch waits up to this many ms for more shares before its
   * SubmitShares.Success goes out (fewer bytes per share, that much more ack latency). 0 (default):
   * acknowledge what one socket read brought at the end of that turn.
   */
  ackWindowMs?: number;
  maxChannelsPerConnection?: number;
  /**
   * Extra check of a channel's user name beyond identity.ts (e.g. the account is a CKB address of
   * the pool's network, payout/address.ts): why it is refused, or undefined.
   */
  userCheck?: (userIdentity: string) => string | undefined;
  /** Milliseconds clock (injected for tests). */
  now?: () => number;
}

/** An accepted share, as reported to the share log. */
export interface AcceptedShare {
  channelId: number;
  userIdentity: string;
  jobId: number;
  workId: string;
  height: bigint;
  /** Difficulty credited: 2^256 / share target. */
  difficulty: bigint;
  /** The 16 nonce bytes N (a copy). */
  nonce: Uint8Array;
  isBlock: boolean;
  /** Milliseconds since the epoch. */
  timestamp: number;
}

/** A share whose hash also meets the network target. */
export interface BlockCandidate {
  workId: string;
  height: bigint;
  /** u128 nonce for submit_block (N read little-endian). */
  nonce: bigint;
  powHash: Uint8Array;
  hash: Uint8Array;
  userIdentity: string;
  channelId: number;
  jobId: number;
}

/**
 * Settles when a share (or block candidate) is durably logged; `undefined` means durable
 * already (in-memory bus, tests): the fast path, acknowledged in the same turn as before.
 */
export type Confirmation = PromiseLike<void> | undefined;

/** SubmitShares.Error code for accepted shares whose share-log write failed (not credited). */
export const SHARE_NOT_LOGGED: ErrorCodeOf<'SubmitSharesError'> = 'share-not-logged';

export interface EngineEvents {
  /** Returns when the share is durable (see `Confirmation`). */
  onShare(share: AcceptedShare): Confirmation;
  /** Returns when the candidate is durable in the block-candidates log. */
  onBlock(block: BlockCandidate): Confirmation;
  /** Every rejected submission with its SV2 error code (metrics). */
  onReject?(code: string, channel: Channel | undefined): void;
  /** Accepted shares answered with `SHARE_NOT_LOGGED` because their confirmation failed. */
  onNotLogged?(count: number, err: unknown, channel: Channel): void;
}

/** A sink's return value as a `Confirmation`: anything that is not a thenable means durable now. */
export function toConfirmation(value: unknown): Confirmation {
  return typeof value === 'object' &&
    value !== null &&
    typeof (value as PromiseLike<void>).then === 'function'
    ? (value as PromiseLike<void>)
    : undefined;
}

/** Both confirmations (a block share: its share-log write and its candidate write). */
function bothConfirmed(a: Confirmation, b: Confirmation): Confirmation {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Promise.all([a, b]).then(noop);
}

function noop(): void {}

const PENDING = 0;
const CONFIRMED = 1;
const FAILED = 2;

/**
 * Accepted shares of one channel waiting for their confirmation, in sequence order. Shares
 * with the same confirmation object (one share-log message) form one group, so the cost is
 * one group and one `then` per channel per share-log message, not per share.
 */
interface AckGroup {
  readonly confirmation: Confirmation;
  readonly seqs: number[];
  sum: bigint;
  state: typeof PENDING | typeof CONFIRMED | typeof FAILED;
  error: unknown;
}

/** Per-job messages built once; per channel only channelId is set. */
interface JobMessages {
  standard: Msg<'NewMiningJob'>;
  extended: Msg<'NewExtendedMiningJob'>;
  prevHash: Msg<'SetNewPrevHash'>;
}

/**
 * The same messages as plain SV2 frames, encoded once per job for fan-out: every one starts its
 * payload with channel_id (U32 LE at frame offset 6), which is patched per channel.
 */
interface JobFrames {
  jobId: number;
  /** NewMiningJob as a future job (min_ntime absent) and as an active one. */
  standardFuture: Uint8Array;
  standardActive: Uint8Array;
  extendedFuture: Uint8Array;
  extendedActive: Uint8Array;
  prevHash: Uint8Array;
}

/** Where a connection's pre-encoded frames go (the SV2 session); consumed synchronously. */
export interface FrameSink {
  sendFrame(frame: Uint8Array): void;
}

const CHANNEL_ID_OFFSET = 6;

/** Sets channel_id in a pre-encoded job frame (in place) and returns the frame. */
function withChannel(frame: Uint8Array, channelId: number): Uint8Array {
  frame[CHANNEL_ID_OFFSET] = channelId & 0xff;
  frame[CHANNEL_ID_OFFSET + 1] = (channelId >>> 8) & 0xff;
  frame[CHANNEL_ID_OFFSET + 2] = (channelId >>> 16) & 0xff;
  frame[CHANNEL_ID_OFFSET + 3] = (channelId >>> 24) & 0xff;
  return frame;
}

export class StratumEngine {
  readonly jobs: JobBook;
  readonly extranonce: ExtranonceAllocator;
  readonly connections = new Set<MiningConnection>();
  readonly vardiffConfig: VardiffConfig;
  readonly shareBatchSize: number;
  readonly ackWindowMs: number;
  readonly maxChannelsPerConnection: number;
  readonly now: () => number;
  readonly userCheck: ((userIdentity: string) => string | undefined) | undefined;
  /** Scratch buffers of the share hot path, shared by all connections (single-threaded). */
  readonly nonceScratch = new Uint8Array(NONCE_BYTES);
  readonly hashScratch = new Uint8Array(32);
  private messages: JobMessages | undefined;
  private frames: JobFrames | undefined;

  constructor(
    cfg: EngineConfig,
    readonly events: EngineEvents,
  ) {
    this.jobs = new JobBook(cfg.makeHasher);
    this.extranonce = new ExtranonceAllocator(cfg.replicaId, cfg.counters);
    this.vardiffConfig = cfg.vardiff ?? DEFAULT_VARDIFF;
    this.shareBatchSize = cfg.shareBatchSize ?? 10;
    this.ackWindowMs = cfg.ackWindowMs ?? 0;
    this.maxChannelsPerConnection = cfg.maxChannelsPerConnection ?? 1024;
    this.now = cfg.now ?? Date.now;
    this.userCheck = cfg.userCheck;
  }

  /** A new connection past SetupConnection; `send` queues one message to it. */
  connect(
    send: (msg: Sv2Message) => void,
    opts: {
      requiresStandardJobs?: boolean;
      /** Jobs go out as pre-encoded frames here (fan-out without a per-channel encode). */
      frames?: FrameSink;
    } = {},
  ): MiningConnection {
    const conn = new MiningConnection(this, send, opts.requiresStandardJobs ?? false, opts.frames);
    this.connections.add(conn);
    return conn;
  }

  /** Number of open channels over all connections. */
  get channelCount(): number {
    return this.extranonce.size;
  }

  /**
   * Registers a job from the job maker. The caller then calls `sendJob(job)` on every
   * connection (in slices, so share handling is not starved).
   */
  newJob(template: JobTemplate): { job: Job; newTip: boolean } {
    const added = this.jobs.add(template);
    this.messages = buildJobMessages(added.job);
    return added;
  }

  /**
   * Resolves once every share accepted so far has had its confirmation settle and its
   * SubmitShares.Success (or Error) sent (graceful drain).
   */
  async confirmed(): Promise<void> {
    const waiting: PromiseLike<void>[] = [];
    for (const conn of this.connections) conn.collectUnconfirmed(waiting);
    // The groups' own handlers were attached first, so they have run when these settle.
    await Promise.allSettled(waiting);
  }

  /** Runs vardiff over every channel; sends SetTarget where the target moved. */
  tick(): void {
    const now = this.now();
    for (const conn of this.connections) conn.retarget(now);
  }

  /** @internal messages of the newest job */
  jobMessages(job: Job): JobMessages {
    if (this.messages && this.messages.standard.jobId === job.id) return this.messages;
    return buildJobMessages(job);
  }

  /** @internal pre-encoded frames of the newest job (built on first use) */
  jobFrames(job: Job): JobFrames {
    if (this.frames?.jobId === job.id) return this.frames;
    const m = this.jobMessages(job);
    const frames: JobFrames = {
      jobId: job.id,
      standardFuture: encodeFrame({ ...m.standard, minNtime: undefined }),
      standardActive: encodeFrame({ ...m.standard, minNtime: job.ntime }),
      extendedFuture: encodeFrame({ ...m.extended, minNtime: undefined }),
      extendedActive: encodeFrame({ ...m.extended, minNtime: job.ntime }),
      prevHash: encodeFrame(m.prevHash),
    };
    if (m === this.messages) this.frames = frames;
    return frames;
  }
}

function buildJobMessages(job: Job): JobMessages {
  const t = job.template;
  const minNtime = job.ntime;
  return {
    standard: {
      type: 'NewMiningJob',
      channelId: 0,
      jobId: job.id,
      minNtime,
      version: t.version,
      merkleRoot: t.powHash,
    },
    extended: {
      type: 'NewExtendedMiningJob',
      channelId: 0,
      jobId: job.id,
      minNtime,
      version: t.version,
      versionRollingAllowed: true,
      merklePath: [],
      coinbaseTxPrefix: t.powHash,
      coinbaseTxSuffix: new Uint8Array(0),
    },
    prevHash: {
      type: 'SetNewPrevHash',
      channelId: 0,
      jobId: job.id,
      prevHash: t.parentHash,
      minNtime: job.ntime,
      nbits: t.compactTarget,
    },
  };
}

/** Ack-window timer callback (module-level: no closure per connection). */
function flushWindow(conn: MiningConnection): void {
  conn.windowEnded();
}

/**
 * Extensions this pool supports in Extensions Negotiation: 0x0002 Worker-Specific Hashrate
 * Tracking, Eaglepool's 0x4e01 (the same TLV for names up to 255 bytes) and 0x4e02 (the
 * prefix-last nonce layout, asked for per channel).
 */
const SUPPORTED_EXTENSIONS: readonly number[] = [
  EXTENSION_TYPE_WORKER_HASHRATE_TRACKING,
  EXTENSION_TYPE_EAGLEPOOL_LONG_IDENTITY,
  EXTENSION_TYPE_EAGLEPOOL_NONCE_LAYOUT,
];

/** Channel logic of one SV2 connection. */
export class MiningConnection {
  readonly channels = new Map<number, Channel>();
  /** Per channel: accepted shares waiting for their confirmation (absent when none). */
  private readonly awaiting = new Map<Channel, AckGroup[]>();
  private nextChannelId = GROUP_CHANNEL_ID + 1;
  private flushScheduled = false;
  /** Pending flush of partial batches when `ackWindowMs` > 0. */
  private ackTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Extension 0x0002 negotiated: SubmitSharesExtended's user_identity TLV names the worker. */
  workerTracking = false;
  /** Extension 0x4e01 negotiated: the long user_identity TLV names the worker. */
  longIdentity = false;
  /** Extension 0x4e02 negotiated: a channel open may ask for the prefix-last nonce layout. */
  nonceLayouts = false;
  private lastWorker = '';
  private lastWorkerValid = false;

  constructor(
    private readonly engine: StratumEngine,
    private readonly send: (msg: Sv2Message) => void,
    readonly requiresStandardJobs: boolean,
    private readonly frames?: FrameSink,
  ) {}

  /**
   * Handles one client message of the Mining Protocol. Returns false for a message this
   * layer does not take (the caller decides whether that closes the connection).
   */
  handle(msg: Sv2Message): boolean {
    switch (msg.type) {
      case 'SubmitSharesStandard':
        this.submitStandard(msg);
        return true;
      case 'SubmitSharesExtended':
        this.submitExtended(msg);
        return true;
      case 'OpenStandardMiningChannel':
        this.open('standard', msg, 0);
        return true;
      case 'OpenExtendedMiningChannel':
        this.open('extended', msg, msg.minExtranonceSize);
        return true;
      case 'UpdateChannel':
        this.update(msg);
        return true;
      case 'CloseChannel':
        this.closeChannel(msg.channelId);
        return true;
      case 'RequestExtensions':
        this.negotiate(msg);
        return true;
      default:
        return false;
    }
  }

  /**
   * Extensions Negotiation ([SPEC] extensions/0x0001): Success listing the requested extensions
   * this pool supports, or Error when it supports none of them (nothing is required). The answer
   * to the latest request is what holds for the connection.
   */
  private negotiate(msg: Msg<'RequestExtensions'>): void {
    const supported = msg.requestedExtensions.filter((e) => SUPPORTED_EXTENSIONS.includes(e));
    this.workerTracking = supported.includes(EXTENSION_TYPE_WORKER_HASHRATE_TRACKING);
    this.longIdentity = supported.includes(EXTENSION_TYPE_EAGLEPOOL_LONG_IDENTITY);
    this.nonceLayouts = supported.includes(EXTENSION_TYPE_EAGLEPOOL_NONCE_LAYOUT);
    if (supported.length > 0) {
      this.send({
        type: 'RequestExtensionsSuccess',
        requestId: msg.requestId,
        supportedExtensions: supported,
      });
    } else {
      this.send({
        type: 'RequestExtensionsError',
        requestId: msg.requestId,
        unsupportedExtensions: msg.requestedExtensions,
        requiredExtensions: [],
      });
    }
  }

  /**
   * Sends a job (registered with `engine.newJob`) to every channel of this connection: as a
   * future job + SetNewPrevHash to channels that have not seen its parent yet, else as an
   * active job. Channels that already have this job or a newer one are skipped.
   */
  sendJob(job: Job): void {
    if (this.closed || this.channels.size === 0) return;
    const sink = this.frames;
    const m = this.engine.jobMessages(job);
    const f = sink ? this.engine.jobFrames(job) : undefined;
    for (const ch of this.channels.values()) {
      if (ch.lastJobId >= job.id) continue;
      // A share target harder than the network target would hide blocks: ease it first.
      if (ch.target < job.template.target) {
        ch.vardiff.restart(job.template.target, this.engine.now());
        this.applyTarget(ch, job.template.target, job.id);
      }
      const newTip = ch.lastTip !== job.tip;
      if (f && sink) {
        const standard = ch.kind === 'standard';
        const jobFrame = newTip
          ? standard
            ? f.standardFuture
            : f.extendedFuture
          : standard
            ? f.standardActive
            : f.extendedActive;
        sink.sendFrame(withChannel(jobFrame, ch.id));
        if (newTip) sink.sendFrame(withChannel(f.prevHash, ch.id));
      } else {
        const minNtime = newTip ? undefined : job.ntime;
        if (ch.kind === 'standard') this.send({ ...m.standard, channelId: ch.id, minNtime });
        else this.send({ ...m.extended, channelId: ch.id, minNtime });
        if (newTip) this.send({ ...m.prevHash, channelId: ch.id });
      }
      ch.lastJobId = job.id;
      ch.lastTip = job.tip;
    }
  }

  /** Adds the confirmations this connection still waits for to `into`. */
  collectUnconfirmed(into: PromiseLike<void>[]): void {
    for (const queue of this.awaiting.values()) {
      for (const g of queue) if (g.state === PENDING && g.confirmation) into.push(g.confirmation);
    }
  }

  /** Sends the pending SubmitShares.Success of every channel (confirmed shares only). */
  flush(): void {
    this.flushScheduled = false;
    if (this.ackTimer !== undefined) {
      clearTimeout(this.ackTimer);
      this.ackTimer = undefined;
    }
    for (const ch of this.channels.values()) if (ch.pendingCount > 0) this.ack(ch);
  }

  /** Runs vardiff on this connection's channels. */
  retarget(now: number): void {
    for (const ch of this.channels.values()) {
      const wanted = ch.vardiff.retarget(now);
      if (wanted === undefined) continue;
      const target = this.atLeastNetwork(wanted);
      if (target !== wanted) ch.vardiff.restart(target, now);
      if (target !== ch.target) this.applyTarget(ch, target);
    }
  }

  /** Share targets are never harder than the current network target (blocks must count as shares). */
  private atLeastNetwork(target: bigint): bigint {
    const network = this.engine.jobs.current?.template.target;
    return network !== undefined && target < network ? network : target;
  }

  /** Releases every channel (the connection is gone). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.ackTimer);
    for (const ch of this.channels.values()) this.engine.extranonce.release(ch.counter);
    this.channels.clear();
    this.awaiting.clear();
    this.engine.connections.delete(this);
  }

  private open(
    kind: ChannelKind,
    msg: Msg<'OpenStandardMiningChannel' | 'OpenExtendedMiningChannel'>,
    minExtranonceSize: number,
  ): void {
    const { requestId, userIdentity, nominalHashRate } = msg;
    const error = (errorCode: ErrorCodeOf<'OpenMiningChannelError'>) =>
      this.send({ type: 'OpenMiningChannelError', requestId, errorCode });
    if (identityError(userIdentity) !== undefined || this.engine.userCheck?.(userIdentity) !== undefined)
      return error('invalid-user-identity');
    if (!Number.isFinite(nominalHashRate) || nominalHashRate < 0) return error('invalid-nominal-hashrate');
    if (kind === 'extended' && this.requiresStandardJobs) {
      return error('extended-channels-not-supported-for-standard-jobs');
    }
    if (this.channels.size >= this.engine.maxChannelsPerConnection) return error('too-many-channels');
    const maxTarget = u256LEToTarget(msg.maxTarget);
    if (maxTarget === 0n) return error('max-target-out-of-range');
    // Extension 0x4e02: without negotiation the TLV is ignored (SV2's layout), as for 0x0002.
    const layout: NonceLayout =
      this.nonceLayouts && msg.nonceLayout === NONCE_LAYOUT_PREFIX_LAST ? 'prefix-last' : 'prefix-first';
    const alloc =
      kind === 'standard'
        ? (this.engine.extranonce.allocateStandard(layout) ?? 'extranonce-space-exhausted')
        : this.engine.extranonce.allocateExtended(minExtranonceSize);
    if (typeof alloc === 'string') return error(alloc);

    const cfg = this.engine.vardiffConfig;
    const target = this.atLeastNetwork(initialTarget(nominalHashRate, maxTarget, cfg));
    const channelId = this.nextChannelId++;
    const ch = new Channel(
      channelId,
      kind,
      userIdentity,
      GROUP_CHANNEL_ID,
      alloc,
      layout,
      target,
      maxTarget,
      cfg,
      this.engine.now(),
    );
    this.channels.set(channelId, ch);
    const targetLE = targetToU256LE(target);
    if (kind === 'standard') {
      this.send({
        type: 'OpenStandardMiningChannelSuccess',
        requestId,
        channelId,
        target: targetLE,
        extranoncePrefix: alloc.prefix,
        groupChannelId: GROUP_CHANNEL_ID,
      });
    } else {
      this.send({
        type: 'OpenExtendedMiningChannelSuccess',
        requestId,
        channelId,
        target: targetLE,
        extranonceSize: alloc.extranonceSize,
        extranoncePrefix: alloc.prefix,
        groupChannelId: GROUP_CHANNEL_ID,
      });
    }
    // The first job after opening is a future job, activated by SetNewPrevHash.
    const job = this.engine.jobs.current;
    if (job) {
      const m = this.engine.jobMessages(job);
      if (kind === 'standard') this.send({ ...m.standard, channelId, minNtime: undefined });
      else this.send({ ...m.extended, channelId, minNtime: undefined });
      this.send({ ...m.prevHash, channelId });
      ch.lastJobId = job.id;
      ch.lastTip = job.tip;
    }
  }

  private update(msg: Msg<'UpdateChannel'>): void {
    const error = (errorCode: ErrorCodeOf<'UpdateChannelError'>) =>
      this.send({ type: 'UpdateChannelError', channelId: msg.channelId, errorCode });
    const ch = this.channels.get(msg.channelId);
    if (!ch) return error('invalid-channel-id');
    if (!Number.isFinite(msg.nominalHashRate) || msg.nominalHashRate < 0)
      return error('invalid-nominal-hashrate');
    const maxTarget = u256LEToTarget(msg.maximumTarget);
    ch.vardiff.setMaxTarget(maxTarget);
    const cfg = this.engine.vardiffConfig;
    const target =
      msg.nominalHashRate > 0
        ? initialTarget(msg.nominalHashRate, maxTarget, cfg)
        : ch.target > maxTarget && maxTarget > 0n
          ? maxTarget
          : ch.target;
    ch.vardiff.restart(target, this.engine.now());
    if (target !== ch.target) this.applyTarget(ch, ch.vardiff.currentTarget);
  }

  private applyTarget(ch: Channel, target: bigint, firstJobId = this.engine.jobs.nextJobId): void {
    ch.setTarget(target, firstJobId);
    this.send({ type: 'SetTarget', channelId: ch.id, maximumTarget: targetToU256LE(target) });
  }

  private closeChannel(channelId: number): void {
    if (channelId === GROUP_CHANNEL_ID) {
      for (const id of [...this.channels.keys()]) this.closeChannel(id);
      return;
    }
    const ch = this.channels.get(channelId);
    if (!ch) return;
    if (ch.pendingCount > 0) this.ack(ch);
    // Shares still unconfirmed stay credited if they get logged; the channel can no longer be answered.
    this.awaiting.delete(ch);
    this.channels.delete(channelId);
    this.engine.extranonce.release(ch.counter);
  }

  private submitStandard(msg: Msg<'SubmitSharesStandard'>): void {
    const ch = this.channels.get(msg.channelId);
    if (!ch || ch.kind !== 'standard')
      return this.reject(msg.channelId, msg.sequenceNumber, 'invalid-channel-id', ch);
    const n = standardNonce(ch.prefix, msg.version, msg.nonce, this.engine.nonceScratch, ch.layout);
    this.validate(ch, msg.sequenceNumber, msg.jobId, msg.ntime, n, ch.userIdentity);
  }

  private submitExtended(msg: Msg<'SubmitSharesExtended'>): void {
    const ch = this.channels.get(msg.channelId);
    if (!ch || ch.kind !== 'extended')
      return this.reject(msg.channelId, msg.sequenceNumber, 'invalid-channel-id', ch);
    if (msg.extranonce.length !== ch.extranonceSize) {
      return this.reject(ch.id, msg.sequenceNumber, 'bad-extranonce-size', ch);
    }
    const n = extendedNonce(ch.prefix, msg.extranonce, msg.nonce, this.engine.nonceScratch, ch.layout);
    // Extension 0x0002 (or 0x4e01 for longer names): the TLV names the worker behind an aggregated
    // channel (a translator's); without negotiation it is ignored, as SRI does. Empty names fall
    // back to the channel's, and so do names that are not valid user names (see identity.ts).
    const worker =
      (this.longIdentity ? msg.longUserIdentity : undefined) ||
      (this.workerTracking ? msg.userIdentity : undefined);
    this.validate(
      ch,
      msg.sequenceNumber,
      msg.jobId,
      msg.ntime,
      n,
      this.checkedWorker(worker) ?? ch.userIdentity,
    );
  }

  /** `name` if it is a valid user name (the last one checked is remembered: one check per worker). */
  private checkedWorker(name: string | undefined): string | undefined {
    if (!name) return undefined;
    if (name !== this.lastWorker) {
      this.lastWorker = name;
      this.lastWorkerValid = identityError(name) === undefined && this.engine.userCheck?.(name) === undefined;
    }
    return this.lastWorkerValid ? name : undefined;
  }

  /**
   * The share hot path: one Eaglesong permutation on the job midstate, two comparisons.
   * `userIdentity` is who the share is credited to (the channel's, or the 0x0002 TLV's).
   */
  private validate(
    ch: Channel,
    seq: number,
    jobId: number,
    ntime: number,
    n: Uint8Array,
    userIdentity: string,
  ): void {
    const job = this.engine.jobs.lookup(jobId);
    if (job === 'unknown') return this.reject(ch.id, seq, 'invalid-job-id', ch);
    if (job === 'stale') return this.reject(ch.id, seq, 'stale-share', ch);
    if (ntime !== job.ntime) return this.reject(ch.id, seq, 'invalid-share', ch);
    const hash = job.hasher.hash(n, this.engine.hashScratch);
    const isBlock = hashMeetsTarget(hash, job.networkTargetBE);
    const shareTarget = ch.targetForJob(job.id);
    if (!isBlock && !hashMeetsTarget(hash, shareTarget.targetBE)) {
      return this.reject(ch.id, seq, 'difficulty-too-low', ch);
    }
    if (!job.seen.add(n)) return this.reject(ch.id, seq, 'duplicate-share', ch);

    const t = job.template;
    const nonce = Uint8Array.from(n);
    const events = this.engine.events;
    let blockConfirmation: Confirmation;
    if (isBlock) {
      blockConfirmation = events.onBlock({
        workId: t.workId,
        height: t.number,
        nonce: nonceToU128(nonce),
        powHash: t.powHash,
        hash: Uint8Array.from(hash),
        userIdentity,
        channelId: ch.id,
        jobId: job.id,
      });
    }
    const shareConfirmation = events.onShare({
      channelId: ch.id,
      userIdentity,
      jobId: job.id,
      workId: t.workId,
      height: t.number,
      difficulty: shareTarget.difficulty,
      nonce,
      isBlock,
      timestamp: this.engine.now(),
    });
    const confirmation = isBlock ? bothConfirmed(blockConfirmation, shareConfirmation) : shareConfirmation;
    if (confirmation !== undefined || (this.awaiting.size > 0 && this.awaiting.has(ch))) {
      // Never acknowledge past an unconfirmed share: queue behind the pending ones.
      ch.acceptedShares++;
      ch.vardiff.onShare(shareTarget.difficulty);
      this.enqueue(ch, seq, shareTarget.difficulty, confirmation);
      return;
    }
    ch.recordAccepted(seq, shareTarget.difficulty);
    this.scheduleAck(ch);
  }

  /**
   * Sends the channel's ready batch now when full; else at the end of this turn, or with an ack
   * window within `ackWindowMs` (one timer per connection, armed by its first partial batch).
   */
  private scheduleAck(ch: Channel): void {
    if (ch.pendingCount >= this.engine.shareBatchSize) this.ack(ch);
    else if (this.engine.ackWindowMs > 0) {
      this.ackTimer ??= setTimeout(flushWindow, this.engine.ackWindowMs, this);
    } else if (!this.flushScheduled) {
      // Acknowledge everything that arrived in this read at once, after the current turn.
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** @internal the ack window of this connection ended */
  windowEnded(): void {
    this.ackTimer = undefined;
    if (!this.closed) this.flush();
  }

  private enqueue(ch: Channel, seq: number, difficulty: bigint, confirmation: Confirmation): void {
    let queue = this.awaiting.get(ch);
    if (!queue) this.awaiting.set(ch, (queue = []));
    const last = queue[queue.length - 1];
    if (last && last.confirmation === confirmation && last.state !== FAILED) {
      last.seqs.push(seq);
      last.sum += difficulty;
      return;
    }
    const group: AckGroup = {
      confirmation,
      seqs: [seq],
      sum: difficulty,
      state: confirmation ? PENDING : CONFIRMED,
      error: undefined,
    };
    queue.push(group);
    if (!confirmation) return;
    confirmation.then(
      () => {
        group.state = CONFIRMED;
        this.release(ch, queue);
      },
      (err: unknown) => {
        group.state = FAILED;
        group.error = err;
        this.release(ch, queue);
      },
    );
  }

  /**
   * Answers the settled groups at the head of the channel's queue, in order: confirmed shares
   * join the ready batch, failed ones get a SubmitShares.Error each (after the Success for the
   * shares before them, so no Success ever covers a share that is not logged).
   */
  private release(ch: Channel, queue: AckGroup[]): void {
    if (this.awaiting.get(ch) !== queue) return; // channel or connection closed meanwhile
    let head = 0;
    for (; head < queue.length; head++) {
      const g = queue[head]!;
      if (g.state === PENDING) break;
      if (g.state === CONFIRMED) {
        ch.pendingCount += g.seqs.length;
        ch.pendingSum += g.sum;
        ch.lastSequence = g.seqs[g.seqs.length - 1]!;
        continue;
      }
      if (ch.pendingCount > 0) this.ack(ch);
      ch.acceptedShares -= g.seqs.length;
      this.engine.events.onNotLogged?.(g.seqs.length, g.error, ch);
      for (const seq of g.seqs) {
        this.send({
          type: 'SubmitSharesError',
          channelId: ch.id,
          sequenceNumber: seq,
          errorCode: SHARE_NOT_LOGGED,
        });
      }
    }
    if (head === queue.length) this.awaiting.delete(ch);
    else queue.splice(0, head);
    if (ch.pendingCount === 0) return;
    if (this.engine.ackWindowMs > 0) this.scheduleAck(ch);
    else this.ack(ch);
  }

  private ack(ch: Channel): void {
    this.send({
      type: 'SubmitSharesSuccess',
      channelId: ch.id,
      lastSequenceNumber: ch.lastSequence,
      newSubmitsAcceptedCount: Math.min(ch.pendingCount, U32_MAX),
      newSharesSum: ch.pendingSum > U64_MAX ? U64_MAX : ch.pendingSum,
    });
    ch.pendingCount = 0;
    ch.pendingSum = 0n;
  }

  private reject(
    channelId: number,
    sequenceNumber: number,
    errorCode: ErrorCodeOf<'SubmitSharesError'>,
    ch: Channel | undefined,
  ): void {
    if (ch) ch.rejectedShares++;
    this.engine.events.onReject?.(errorCode, ch);
    this.send({ type: 'SubmitSharesError', channelId, sequenceNumber, errorCode });
  }
}
