/**
 * One SV2 mining channel's state: its nonce prefix, share target (with the superseded one
 * kept for jobs sent before a SetTarget), vardiff and the pending SubmitShares.Success batch.
 */
import { shareTarget, type ShareTarget } from '../mining/target.js';
import type { NonceLayout } from '../mining/nonce.js';
import type { ExtranonceAllocation } from './extranonce.js';
import { Vardiff, type VardiffConfig } from '../mining/vardiff.js';

export type ChannelKind = 'standard' | 'extended';

/** Most channels share a handful of targets: intern their (read-only) encodings. */
const interned = new Map<bigint, ShareTarget>();
const MAX_INTERNED = 4096;

function targetState(target: bigint): ShareTarget {
  let state = interned.get(target);
  if (!state) {
    if (interned.size >= MAX_INTERNED) interned.clear();
    state = shareTarget(target);
    interned.set(target, state);
  }
  return state;
}

export class Channel {
  readonly prefix: Uint8Array;
  readonly extranonceSize: number;
  readonly counter: number;
  readonly vardiff: Vardiff;
  private current: ShareTarget;
  private previous: ShareTarget | undefined;
  /** Jobs with an id below this were sent while `previous` was in force. */
  private changedAtJob = 0;

  /** Newest job id sent on this channel and the tip generation it belongs to. */
  lastJobId = 0;
  lastTip = 0;

  // Pending SubmitShares.Success batch.
  pendingCount = 0;
  pendingSum = 0n;
  lastSequence = 0;
  acceptedShares = 0;
  rejectedShares = 0;

  constructor(
    readonly id: number,
    readonly kind: ChannelKind,
    readonly userIdentity: string,
    readonly groupChannelId: number,
    allocation: ExtranonceAllocation,
    /** Where the prefix sits in N (extension 0x4e02 may ask for prefix-last). */
    readonly layout: NonceLayout,
    target: bigint,
    maxTarget: bigint,
    vardiffConfig: VardiffConfig,
    now: number,
  ) {
    this.prefix = allocation.prefix;
    this.extranonceSize = allocation.extranonceSize;
    this.counter = allocation.counter;
    this.current = targetState(target);
    this.vardiff = new Vardiff(vardiffConfig, target, now, maxTarget);
  }

  get target(): bigint {
    return this.current.target;
  }

  /**
   * Installs a new share target that applies to jobs with id >= `firstJobId` (SV2 SetTarget
   * applies to jobs sent after it). Older jobs keep the easier of the two targets, since many
   * devices apply a SetTarget at once.
   */
  setTarget(target: bigint, firstJobId: number): void {
    this.previous = this.current;
    this.current = targetState(target);
    this.changedAtJob = firstJobId;
  }

  /** The target a share of job `jobId` must meet, with the difficulty it is credited with. */
  targetForJob(jobId: number): ShareTarget {
    const prev = this.previous;
    if (prev && jobId < this.changedAtJob && prev.target > this.current.target) return prev;
    return this.current;
  }

  /** Adds an accepted share to the pending acknowledgement batch. */
  recordAccepted(sequenceNumber: number, difficulty: bigint): void {
    this.pendingCount++;
    this.pendingSum += difficulty;
    this.lastSequence = sequenceNumber;
    this.acceptedShares++;
    this.vardiff.onShare(difficulty);
  }
}
