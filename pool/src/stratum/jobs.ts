/**
 * Server-wide job state for the SV2 stratum server.
 *
 * A CKB job is `(pow_hash, network target)`. Job ids are allocated here, once per job for the
 * whole server: every channel receives the same job id (only channel_id differs per channel).
 * A job on a new parent is sent as a future job and activated with SetNewPrevHash, which makes
 * every job on the previous parent stale. Jobs on the current parent stay valid (the latest
 * `keepJobs` of them); shares for stale jobs are told apart from unknown job ids for a while.
 */
import { targetToBytesBE } from '../ckb/target.js';
import type { Work } from '../ckb/work.js';
import { NonceSet } from './nonce-set.js';

/** The part of a CKB `Work` the stratum layer needs, plus the job maker's job id. */
export type JobTemplate = Pick<
  Work,
  'workId' | 'number' | 'parentHash' | 'timestamp' | 'compactTarget' | 'target' | 'powHash' | 'version'
> & {
  /** Pool-wide job id from the job maker (proto Job.job_id); allocated here when absent. */
  jobId?: number;
};

/** Per-job Eaglesong midstate (`EaglesongJob` satisfies it). */
export interface PowHasher {
  hash(nonce: Uint8Array, out?: Uint8Array): Uint8Array;
  free(): void;
}

export interface Job {
  readonly id: number;
  readonly template: JobTemplate;
  /** Increases whenever the parent changes; a channel that has not seen it needs SetNewPrevHash. */
  readonly tip: number;
  /** SV2 min_ntime / ntime: header timestamp in seconds (u32). */
  readonly ntime: number;
  readonly networkTargetBE: Uint8Array;
  readonly hasher: PowHasher;
  /** Nonces N (as latin1 strings) of accepted shares, for duplicate detection. */
  readonly seen: NonceSet;
}

export type JobLookup = Job | 'stale' | 'unknown';

export interface JobBookOptions {
  /** Jobs kept valid on the current parent (older ones are dropped as stale). */
  keepJobs?: number;
  /** Stale job ids remembered so their shares get `stale-share` rather than `invalid-job-id`. */
  keepStaleIds?: number;
}

export class JobBook {
  private readonly active = new Map<number, Job>();
  private readonly staleIds = new Set<number>();
  private readonly keepJobs: number;
  private readonly keepStaleIds: number;
  private nextId = 1;
  private tipParent: Uint8Array | undefined;
  private tip = 0;
  private latest: Job | undefined;

  constructor(
    private readonly makeHasher: (powHash: Uint8Array) => PowHasher,
    opts: JobBookOptions = {},
  ) {
    this.keepJobs = opts.keepJobs ?? 8;
    this.keepStaleIds = opts.keepStaleIds ?? 256;
  }

  /** The newest job, the one a newly opened channel starts on. */
  get current(): Job | undefined {
    return this.latest;
  }

  /** A lower bound of the next job's id (ids increase). */
  get nextJobId(): number {
    return this.latest ? this.latest.id + 1 : this.nextId;
  }

  /**
   * Registers a job. `newTip` is true when its parent differs from the current one: the
   * caller sends it as a future job followed by SetNewPrevHash; all older jobs are now stale.
   * Otherwise it is sent as an active job (min_ntime set) beside the others.
   */
  add(template: JobTemplate): { job: Job; newTip: boolean } {
    const newTip = this.tipParent === undefined || !sameBytes(this.tipParent, template.parentHash);
    if (newTip) {
      for (const id of this.active.keys()) this.retire(id);
      this.tipParent = template.parentHash;
      this.tip++;
    }
    const id = template.jobId ?? this.nextId;
    if (this.active.has(id)) throw new RangeError(`job id ${id} is already in use`);
    const job: Job = {
      id,
      template,
      tip: this.tip,
      ntime: Number((template.timestamp / 1000n) & 0xffffffffn),
      networkTargetBE: targetToBytesBE(template.target),
      hasher: this.makeHasher(template.powHash),
      seen: new NonceSet(),
    };
    this.nextId = id >= 0xffffffff ? 1 : id + 1;
    this.active.set(job.id, job);
    this.latest = job;
    while (this.active.size > this.keepJobs) {
      const oldest = this.active.keys().next().value as number;
      this.retire(oldest);
    }
    return { job, newTip };
  }

  lookup(jobId: number): JobLookup {
    const job = this.active.get(jobId);
    if (job) return job;
    return this.staleIds.has(jobId) ? 'stale' : 'unknown';
  }

  /** Frees every job's midstate. */
  clear(): void {
    for (const id of [...this.active.keys()]) this.retire(id);
    this.latest = undefined;
    this.tipParent = undefined;
  }

  private retire(id: number): void {
    const job = this.active.get(id);
    if (!job) return;
    this.active.delete(id);
    job.hasher.free();
    job.seen.clear();
    this.staleIds.add(id);
    if (this.staleIds.size > this.keepStaleIds) {
      this.staleIds.delete(this.staleIds.values().next().value as number);
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
