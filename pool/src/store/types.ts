/**
 * PoolStore: the pool's shared state (Redis in production, in-memory in `pool dev`):
 * leases (job maker leader, stratum replica ids), job ids and the template cache, share
 * accounting (hashrate windows, PPLNS window) with the share-log position it has reached,
 * found blocks.
 */
import type { FoundBlock } from '../../../proto/gen/blocks.js';
import type { ShareRecord } from '../../../proto/gen/shares.js';

export interface AccountingOptions {
  /** PPLNS window N: the summed difficulty of the last shares that share a block's reward. */
  pplnsWindow: number;
  /** Hashrate buckets live this long (the hashrate window plus one bucket). */
  hashrateWindowSec: number;
}

/** Hashrate buckets are one minute wide. */
export const BUCKET_SEC = 60;

export interface ShareTotals {
  /** Accepted shares ever accounted. */
  shares: number;
  /** Sum of their difficulty. */
  difficulty: number;
  /** Unix ms of the newest share, 0 if none. */
  lastShareAt: number;
  /** Average hashes per second over the window: summed difficulty / window. */
  hashrate: number;
}

export interface WorkerStats extends ShareTotals {
  worker: string;
}

export interface UserStats extends ShareTotals {
  user: string;
  workers: WorkerStats[];
}

export interface PoolStats extends ShareTotals {
  users: number;
  workers: number;
  /** Summed difficulty currently in the PPLNS window. */
  pplnsWindowDifficulty: number;
}

/**
 * Consecutive messages of one partition of the share log, decoded: what one atomic
 * accounting call takes. The store keeps, per partition, the offset after the last message
 * it accounted, in the same atomic update as the accounting.
 */
export interface ShareLogRun {
  /** The log partition, e.g. `eaglepool.shares:3` (`shareLogPartition`). */
  partition: string;
  /** In offset order; a message that did not decode has no shares but still moves the position. */
  messages: readonly { offset: number; shares: readonly ShareRecord[] }[];
}

/** The name a share-log partition's position is kept under. */
export function shareLogPartition(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

export interface NetworkInfo {
  difficulty: number;
  height: bigint;
}

export interface PoolStore {
  /** Acquires the named lease for `holder`, or renews it if `holder` has it; false if another holds it. */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Releases the lease if `holder` has it. */
  releaseLease(name: string, holder: string): Promise<void>;

  /**
   * A pool-wide unique job id (u32, increasing, never 0), greater than `after` (the newest id
   * the caller knows): ids keep increasing even if Redis lost the counter.
   */
  nextJobId(after?: number): Promise<number>;
  putTemplate(jobId: number, templateJson: string, ttlMs: number): Promise<void>;
  getTemplate(jobId: number): Promise<string | undefined>;
  setNetwork(info: NetworkInfo): Promise<void>;
  getNetwork(): Promise<NetworkInfo | undefined>;

  /**
   * Reserves `count` extranonce counters for a stratum replica id: returns the first of a range
   * `[start, start + count)` never returned before for this id (a persisted counter: a restarted
   * replica never re-issues a prefix). `after` is the end of the caller's previous range: the
   * counter never goes below it, even if the store lost it.
   */
  reservePrefixes(replicaId: number, count: number, after: number): Promise<number>;

  /**
   * Accounts the shares of a run of share-log messages exactly once: totals, hashrate buckets,
   * the PPLNS window, and for block shares a snapshot of the PPLNS weights; in the same atomic
   * update it moves the partition's position past the run. Messages below the position (a
   * redelivery, or a run another share processor accounted first during a rebalance) are
   * skipped. O(1) state per partition: no per-share memory. Resolves to the shares newly
   * accounted.
   */
  accountShares(run: ShareLogRun, opts: AccountingOptions): Promise<number>;
  /** The offset of the first message of `partition` not accounted yet; undefined if none was. */
  shareLogPosition(partition: string): Promise<number | undefined>;
  poolStats(nowMs: number, windowSec: number): Promise<PoolStats>;
  userStats(user: string, nowMs: number, windowSec: number): Promise<UserStats | undefined>;
  /** PPLNS weights (user → summed difficulty) at the moment the block share was accounted. */
  pplnsSnapshot(shareId: string): Promise<Map<string, number> | undefined>;

  /** Records a block; false if a block for the same share id was recorded already. */
  recordBlock(block: FoundBlock): Promise<boolean>;
  blockByShare(shareId: string): Promise<FoundBlock | undefined>;
  blockByHash(hash: string): Promise<FoundBlock | undefined>;
  /** Newest first. */
  listBlocks(limit: number): Promise<FoundBlock[]>;

  /** Connected (for /readyz). */
  healthy(): boolean;
  close(): Promise<void>;
}
