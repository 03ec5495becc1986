/**
 * In-memory PoolStore for the single-process mode and unit tests. Same semantics as the
 * Redis store (the contract tests in contract.ts run against both); TTLs are checked on
 * read with an injectable clock.
 */
import type { FoundBlock } from '../../../proto/gen/blocks.js';
import type { ShareRecord } from '../../../proto/gen/shares.js';
import {
  BUCKET_SEC,
  type AccountingOptions,
  type NetworkInfo,
  type PoolStats,
  type PoolStore,
  type ShareLogRun,
  type ShareTotals,
  type UserStats,
} from './types.js';

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

interface Totals {
  shares: number;
  difficulty: number;
  lastShareAt: number;
  /** bucket index → summed difficulty */
  buckets: Map<number, number>;
}

function newTotals(): Totals {
  return { shares: 0, difficulty: 0, lastShareAt: 0, buckets: new Map() };
}

function addShare(t: Totals, share: ShareRecord, bucket: number, oldest: number): void {
  t.shares += 1;
  t.difficulty += share.difficulty;
  t.lastShareAt = Math.max(t.lastShareAt, Number(share.acceptedAt));
  t.buckets.set(bucket, (t.buckets.get(bucket) ?? 0) + share.difficulty);
  for (const b of t.buckets.keys()) if (b < oldest) t.buckets.delete(b);
}

function view(t: Totals, nowMs: number, windowSec: number): ShareTotals {
  const now = Math.floor(nowMs / 1000 / BUCKET_SEC);
  const count = Math.ceil(windowSec / BUCKET_SEC);
  let sum = 0;
  for (let b = now - count + 1; b <= now; b++) sum += t.buckets.get(b) ?? 0;
  return {
    shares: t.shares,
    difficulty: t.difficulty,
    lastShareAt: t.lastShareAt,
    hashrate: sum / windowSec,
  };
}

export class MemoryStore implements PoolStore {
  private readonly leases = new Map<string, Expiring<string>>();
  private readonly templates = new Map<number, Expiring<string>>();
  private readonly prefixes = new Map<number, number>();
  /** Share-log partition → offset after the last message accounted. */
  private readonly positions = new Map<string, number>();
  private jobId = 0;
  private network: NetworkInfo | undefined;
  private readonly pool = newTotals();
  private readonly users = new Map<string, { totals: Totals; workers: Map<string, Totals> }>();
  private readonly pplns: { user: string; difficulty: number }[] = [];
  private pplnsHead = 0;
  private pplnsTotal = 0;
  private readonly pplnsWeights = new Map<string, number>();
  private readonly snapshots = new Map<string, Map<string, number>>();
  private readonly blocks: FoundBlock[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const lease = this.leases.get(name);
    if (lease && lease.expiresAt > this.now() && lease.value !== holder) return false;
    this.leases.set(name, { value: holder, expiresAt: this.now() + ttlMs });
    return true;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    if (this.leases.get(name)?.value === holder) this.leases.delete(name);
  }

  async nextJobId(after = 0): Promise<number> {
    this.jobId = Math.max(this.jobId, after) + 1;
    return this.jobId;
  }

  async putTemplate(jobId: number, templateJson: string, ttlMs: number): Promise<void> {
    const now = this.now();
    for (const [id, t] of this.templates) if (t.expiresAt <= now) this.templates.delete(id);
    this.templates.set(jobId, { value: templateJson, expiresAt: now + ttlMs });
  }

  async getTemplate(jobId: number): Promise<string | undefined> {
    const t = this.templates.get(jobId);
    return t && t.expiresAt > this.now() ? t.value : undefined;
  }

  async setNetwork(info: NetworkInfo): Promise<void> {
    this.network = { ...info };
  }

  async getNetwork(): Promise<NetworkInfo | undefined> {
    return this.network && { ...this.network };
  }

  async reservePrefixes(replicaId: number, count: number, after: number): Promise<number> {
    const end = Math.max((this.prefixes.get(replicaId) ?? 0) + count, after + count);
    this.prefixes.set(replicaId, end);
    return end - count;
  }

  async accountShares(run: ShareLogRun, opts: AccountingOptions): Promise<number> {
    const from = this.positions.get(run.partition) ?? -1;
    let fresh = 0;
    for (const m of run.messages) {
      if (m.offset < from) continue;
      for (const share of m.shares) this.account(share, opts);
      fresh += m.shares.length;
      this.positions.set(run.partition, m.offset + 1);
    }
    return fresh;
  }

  async shareLogPosition(partition: string): Promise<number | undefined> {
    return this.positions.get(partition);
  }

  private account(share: ShareRecord, opts: AccountingOptions): void {
    const bucket = Math.floor(Number(share.acceptedAt) / 1000 / BUCKET_SEC);
    const oldest = bucket - Math.ceil(opts.hashrateWindowSec / BUCKET_SEC);
    addShare(this.pool, share, bucket, oldest);
    let user = this.users.get(share.user);
    if (!user) this.users.set(share.user, (user = { totals: newTotals(), workers: new Map() }));
    addShare(user.totals, share, bucket, oldest);
    let worker = user.workers.get(share.worker);
    if (!worker) user.workers.set(share.worker, (worker = newTotals()));
    addShare(worker, share, bucket, oldest);
    this.addToPplns(share.user, share.difficulty, opts.pplnsWindow);
    if (share.isBlock) this.snapshots.set(share.shareId, new Map(this.pplnsWeights));
  }

  private addToPplns(user: string, difficulty: number, window: number): void {
    this.pplns.push({ user, difficulty });
    this.pplnsTotal += difficulty;
    this.pplnsWeights.set(user, (this.pplnsWeights.get(user) ?? 0) + difficulty);
    // Drop the oldest shares while the rest still fill the window.
    while (this.pplnsHead < this.pplns.length - 1) {
      const head = this.pplns[this.pplnsHead]!;
      if (this.pplnsTotal - head.difficulty < window) break;
      this.pplnsHead++;
      this.pplnsTotal -= head.difficulty;
      const left = (this.pplnsWeights.get(head.user) ?? 0) - head.difficulty;
      if (left <= 1e-9) this.pplnsWeights.delete(head.user);
      else this.pplnsWeights.set(head.user, left);
    }
    if (this.pplnsHead > 4096 && this.pplnsHead * 2 > this.pplns.length) {
      this.pplns.splice(0, this.pplnsHead);
      this.pplnsHead = 0;
    }
  }

  async poolStats(nowMs: number, windowSec: number): Promise<PoolStats> {
    let workers = 0;
    for (const u of this.users.values()) workers += u.workers.size;
    return {
      ...view(this.pool, nowMs, windowSec),
      users: this.users.size,
      workers,
      pplnsWindowDifficulty: this.pplnsTotal,
    };
  }

  async userStats(user: string, nowMs: number, windowSec: number): Promise<UserStats | undefined> {
    const u = this.users.get(user);
    if (!u) return undefined;
    const workers = [...u.workers].map(([worker, t]) => ({ worker, ...view(t, nowMs, windowSec) }));
    workers.sort((a, b) => a.worker.localeCompare(b.worker));
    return { user, ...view(u.totals, nowMs, windowSec), workers };
  }

  async pplnsSnapshot(shareId: string): Promise<Map<string, number> | undefined> {
    const s = this.snapshots.get(shareId);
    return s && new Map(s);
  }

  async recordBlock(block: FoundBlock): Promise<boolean> {
    if (this.blocks.some((b) => b.shareId === block.shareId)) return false;
    this.blocks.push({ ...block });
    return true;
  }

  async blockByShare(shareId: string): Promise<FoundBlock | undefined> {
    const b = this.blocks.find((x) => x.shareId === shareId);
    return b && { ...b };
  }

  async blockByHash(hash: string): Promise<FoundBlock | undefined> {
    const b = this.blocks.find((x) => x.blockHash === hash && hash !== '');
    return b && { ...b };
  }

  async listBlocks(limit: number): Promise<FoundBlock[]> {
    return this.blocks
      .slice(-limit)
      .reverse()
      .map((b) => ({ ...b }));
  }

  healthy(): boolean {
    return true;
  }

  async close(): Promise<void> {}
}
