/**
 * Redis PoolStore (ioredis). Multi-key updates that must be atomic (lease compare-and-set,
 * share accounting with its share-log position, block recording) are Lua scripts; reads use
 * pipelines. Keys are built inside the scripts from a prefix, so this targets a single
 * Redis (or a Sentinel-managed primary), not Redis Cluster.
 */
import type { ConnectionOptions } from 'node:tls';
import { Redis } from 'ioredis';
import { FoundBlock } from '../../../proto/gen/blocks.js';
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

const ACQUIRE_LEASE = `
local v = redis.call('GET', KEYS[1])
if v == false or v == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

const RELEASE_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`;

// ARGV: prefix, bucketSec, bucketTtlSec, pplnsWindow, the log partition, M = the number of
// messages, then M pairs (offset, share count), then 5 per share: the share id for a block
// share ('' otherwise: only a block's PPLNS snapshot is keyed by it), user, worker,
// difficulty, accepted_at ms.
// Exactly once at O(1) per partition: `log:pos` holds, per share-log partition, the offset after
// the last message accounted, written in this same script; messages below it are skipped
// (redelivery, or another share processor got there first during a rebalance).
// The effects of the fresh shares are summed per key so a batch costs one write per touched
// key, not per share. PPLNS: appending a run of shares and then trimming leaves the same
// window as trimming after each share (the kept part is the shortest suffix summing to >= N
// either way); runs end at block shares, whose snapshot must see exactly the shares before them.
const ACCOUNT_SHARES = `
local p = ARGV[1]
local bucketSec = tonumber(ARGV[2])
local bucketTtl = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local posKey, partition = p .. 'log:pos', ARGV[5]
local stored = redis.call('HGET', posKey, partition)
local from = stored and tonumber(stored) or -1
local function num(x) return string.format('%.17g', x) end

local tot, totOrder = {}, {}
local hr, hrOrder = {}, {}
local workers = {}
local function add(scope, diff, at, bucket)
  local t = tot[scope]
  if not t then t = { n = 0, d = 0, last = 0 }; tot[scope] = t; totOrder[#totOrder + 1] = scope end
  t.n = t.n + 1
  t.d = t.d + diff
  if at > t.last then t.last = at end
  local key = p .. 'hr:' .. scope .. ':' .. bucket
  if not hr[key] then hr[key] = 0; hrOrder[#hrOrder + 1] = key end
  hr[key] = hr[key] + diff
end

local list, totalKey, weightsKey = p .. 'pplns', p .. 'pplns:total', p .. 'pplns:w'
local run, runTotal, runWeights, runUsers = {}, 0, {}, {}
local function flushPplns()
  if #run == 0 then return end
  for i = 1, #run, 1000 do redis.call('RPUSH', list, unpack(run, i, math.min(i + 999, #run))) end
  local total = tonumber(redis.call('INCRBYFLOAT', totalKey, num(runTotal)))
  for _, user in ipairs(runUsers) do redis.call('HINCRBYFLOAT', weightsKey, user, num(runWeights[user])) end
  run, runTotal, runWeights, runUsers = {}, 0, {}, {}
  -- Drop the oldest shares while the rest still fill the window.
  local dropped, dropTotal, dropUsers = {}, 0, {}
  while true do
    local head = redis.call('LINDEX', list, 0)
    if not head or redis.call('LLEN', list) <= 1 then break end
    local sep = string.find(head, '\\0', 1, true)
    local hdiff, huser = tonumber(string.sub(head, 1, sep - 1)), string.sub(head, sep + 1)
    if total - hdiff < window then break end
    redis.call('LPOP', list)
    total = total - hdiff
    dropTotal = dropTotal + hdiff
    if not dropped[huser] then dropped[huser] = 0; dropUsers[#dropUsers + 1] = huser end
    dropped[huser] = dropped[huser] + hdiff
  end
  if dropTotal > 0 then
    redis.call('INCRBYFLOAT', totalKey, num(-dropTotal))
    for _, user in ipairs(dropUsers) do
      if tonumber(redis.call('HINCRBYFLOAT', weightsKey, user, num(-dropped[user]))) <= 1e-9 then
        redis.call('HDEL', weightsKey, user)
      end
    end
  end
end

local function account(i)
  local blockId, user, worker, diffStr, at = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], tonumber(ARGV[i + 4])
  local diff = tonumber(diffStr)
  local bucket = string.format('%d', math.floor(at / 1000 / bucketSec))
  add('pool', diff, at, bucket)
  add('u\\0' .. user, diff, at, bucket)
  add('w\\0' .. user .. '\\0' .. worker, diff, at, bucket)
  workers[user .. '\\0' .. worker] = { user, worker }
  run[#run + 1] = diffStr .. '\\0' .. user
  runTotal = runTotal + diff
  if not runWeights[user] then runWeights[user] = 0; runUsers[#runUsers + 1] = user end
  runWeights[user] = runWeights[user] + diff
  if blockId ~= '' then
    flushPplns()
    local snap = p .. 'pplns:snap:' .. blockId
    local w = redis.call('HGETALL', weightsKey)
    redis.call('DEL', snap)
    if #w > 0 then redis.call('HSET', snap, unpack(w)) end
  end
end

local fresh, last = 0, nil
local messages = tonumber(ARGV[6])
local i = 7 + 2 * messages
for j = 0, messages - 1 do
  local offset, count = tonumber(ARGV[7 + 2 * j]), tonumber(ARGV[8 + 2 * j])
  if offset >= from then
    for k = 0, count - 1 do account(i + 5 * k) end
    fresh = fresh + count
    last = offset
  end
  i = i + 5 * count
end
if last then redis.call('HSET', posKey, partition, string.format('%d', last + 1)) end
flushPplns()

for _, scope in ipairs(totOrder) do
  local t, key = tot[scope], p .. 'tot:' .. scope
  redis.call('HINCRBY', key, 'shares', t.n)
  redis.call('HINCRBYFLOAT', key, 'difficulty', num(t.d))
  local last = tonumber(redis.call('HGET', key, 'last') or '0')
  if t.last > last then redis.call('HSET', key, 'last', string.format('%d', t.last)) end
end
for _, key in ipairs(hrOrder) do
  redis.call('INCRBYFLOAT', key, num(hr[key]))
  redis.call('EXPIRE', key, bucketTtl)
end
for _, uw in pairs(workers) do
  redis.call('SADD', p .. 'users', uw[1])
  if redis.call('SADD', p .. 'workers\\0' .. uw[1], uw[2]) == 1 then
    redis.call('HINCRBY', p .. 'tot:pool', 'workers', 1)
  end
end
return fresh`;

// KEYS: prefixes:<replica id>; ARGV: count, the end of the caller's previous range. Returns the range's end.
const RESERVE_PREFIXES = `
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
local floor = tonumber(ARGV[2]) + tonumber(ARGV[1])
if v < floor then
  v = floor
  redis.call('SET', KEYS[1], v)
end
return v`;

// KEYS: jobid; ARGV: the newest id the caller knows.
const NEXT_JOB_ID = `
local v = redis.call('INCR', KEYS[1])
local after = tonumber(ARGV[1])
if v <= after then
  v = after + 1
  redis.call('SET', KEYS[1], v)
end
return v`;

// KEYS: block:share:<id>, blocks list, block:hash:<hash> (or ''); ARGV: encoded block, share id.
const RECORD_BLOCK = `
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return 0 end
redis.call('LPUSH', KEYS[2], ARGV[2])
if KEYS[3] ~= '' then redis.call('SET', KEYS[3], ARGV[2]) end
return 1`;

interface Scripts {
  acquireLease(key: string, holder: string, ttlMs: number): Promise<number>;
  releaseLease(key: string, holder: string): Promise<number>;
  accountShares(...args: (string | number)[]): Promise<number>;
  nextJobId(key: string, after: number): Promise<number>;
  reservePrefixes(key: string, count: number, after: number): Promise<number>;
  recordBlock(
    shareKey: string,
    listKey: string,
    hashKey: string,
    encoded: Buffer,
    shareId: string,
  ): Promise<number>;
}

function totals(hash: Record<string, string>, buckets: (string | null)[], windowSec: number): ShareTotals {
  let sum = 0;
  for (const b of buckets) if (b !== null) sum += Number(b);
  return {
    shares: Number(hash.shares ?? 0),
    difficulty: Number(hash.difficulty ?? 0),
    lastShareAt: Number(hash.last ?? 0),
    hashrate: sum / windowSec,
  };
}

export interface RedisStoreOptions {
  url: string;
  keyPrefix: string;
  /** ACL user, AUTH password (over one in the URL) and TLS (config/connections.ts). */
  username?: string;
  password?: string;
  tls?: ConnectionOptions;
  /** Connection errors (ioredis reconnects by itself; default: ignored, see healthy()). */
  onError?(err: Error): void;
  /**
   * A command unanswered this long rejects (default 10 s). Without it a connection that went
   * silent (no RST) leaves callers waiting for ever: a share-accounting batch holding its Kafka
   * partition, the job maker's template write stopping new jobs.
   */
  commandTimeoutMs?: number;
}

export class RedisStore implements PoolStore {
  private readonly redis: Redis;
  private readonly scripts: Scripts;
  private readonly p: string;
  private lastError: Error | undefined;

  constructor(opts: RedisStoreOptions) {
    this.p = opts.keyPrefix;
    // Auto-pipelining sends the commands issued in one event-loop turn (e.g. a burst of
    // duplicate-share checks) as one write.
    this.redis = new Redis(opts.url, {
      enableAutoPipelining: true,
      maxRetriesPerRequest: 3,
      commandTimeout: opts.commandTimeoutMs ?? 10_000,
      lazyConnect: true,
      ...(opts.username ? { username: opts.username } : {}),
      ...(opts.password ? { password: opts.password } : {}),
      ...(opts.tls ? { tls: opts.tls } : {}),
    });
    this.redis.on('error', (err: Error) => {
      this.lastError = err;
      opts.onError?.(err);
    });
    this.redis.defineCommand('acquireLease', { numberOfKeys: 1, lua: ACQUIRE_LEASE });
    this.redis.defineCommand('releaseLease', { numberOfKeys: 1, lua: RELEASE_LEASE });
    this.redis.defineCommand('accountShares', { numberOfKeys: 0, lua: ACCOUNT_SHARES });
    this.redis.defineCommand('nextJobId', { numberOfKeys: 1, lua: NEXT_JOB_ID });
    this.redis.defineCommand('reservePrefixes', { numberOfKeys: 1, lua: RESERVE_PREFIXES });
    this.redis.defineCommand('recordBlock', { numberOfKeys: 3, lua: RECORD_BLOCK });
    this.scripts = this.redis as unknown as Scripts;
  }

  /** Connects (fails fast with the connection error at service start). */
  async connect(): Promise<void> {
    try {
      await this.redis.connect();
    } catch (err) {
      this.redis.disconnect(); // no reconnect loop behind a failed start
      throw this.lastError ?? err;
    }
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    return (await this.scripts.acquireLease(`${this.p}lease:${name}`, holder, ttlMs)) === 1;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.scripts.releaseLease(`${this.p}lease:${name}`, holder);
  }

  async nextJobId(after = 0): Promise<number> {
    return this.scripts.nextJobId(`${this.p}jobid`, after);
  }

  async putTemplate(jobId: number, templateJson: string, ttlMs: number): Promise<void> {
    await this.redis.set(`${this.p}tpl:${jobId}`, templateJson, 'PX', ttlMs);
  }

  async getTemplate(jobId: number): Promise<string | undefined> {
    return (await this.redis.get(`${this.p}tpl:${jobId}`)) ?? undefined;
  }

  async setNetwork(info: NetworkInfo): Promise<void> {
    await this.redis.hset(`${this.p}network`, {
      difficulty: String(info.difficulty),
      height: String(info.height),
    });
  }

  async getNetwork(): Promise<NetworkInfo | undefined> {
    const h = await this.redis.hgetall(`${this.p}network`);
    if (h.difficulty === undefined || h.height === undefined) return undefined;
    return { difficulty: Number(h.difficulty), height: BigInt(h.height) };
  }

  async reservePrefixes(replicaId: number, count: number, after: number): Promise<number> {
    return (await this.scripts.reservePrefixes(`${this.p}prefixes:${replicaId}`, count, after)) - count;
  }

  async accountShares(run: ShareLogRun, opts: AccountingOptions): Promise<number> {
    if (run.messages.length === 0) return 0;
    const args: (string | number)[] = [
      this.p,
      BUCKET_SEC,
      opts.hashrateWindowSec + BUCKET_SEC,
      opts.pplnsWindow,
      run.partition,
      run.messages.length,
    ];
    for (const m of run.messages) args.push(m.offset, m.shares.length);
    for (const m of run.messages) {
      for (const s of m.shares) {
        args.push(s.isBlock ? s.shareId : '', s.user, s.worker, s.difficulty, Number(s.acceptedAt));
      }
    }
    return this.scripts.accountShares(...args);
  }

  async shareLogPosition(partition: string): Promise<number | undefined> {
    const stored = await this.redis.hget(`${this.p}log:pos`, partition);
    return stored === null ? undefined : Number(stored);
  }

  private bucketKeys(scope: string, nowMs: number, windowSec: number): string[] {
    const now = Math.floor(nowMs / 1000 / BUCKET_SEC);
    const count = Math.ceil(windowSec / BUCKET_SEC);
    return Array.from({ length: count }, (_, i) => `${this.p}hr:${scope}:${now - i}`);
  }

  async poolStats(nowMs: number, windowSec: number): Promise<PoolStats> {
    const [tot, buckets, users, window] = await Promise.all([
      this.redis.hgetall(`${this.p}tot:pool`),
      this.redis.mget(this.bucketKeys('pool', nowMs, windowSec)),
      this.redis.scard(`${this.p}users`),
      this.redis.get(`${this.p}pplns:total`),
    ]);
    return {
      ...totals(tot, buckets, windowSec),
      users,
      workers: Number(tot.workers ?? 0),
      pplnsWindowDifficulty: Number(window ?? 0),
    };
  }

  async userStats(user: string, nowMs: number, windowSec: number): Promise<UserStats | undefined> {
    const scope = `u\0${user}`;
    const [tot, buckets, workers] = await Promise.all([
      this.redis.hgetall(`${this.p}tot:${scope}`),
      this.redis.mget(this.bucketKeys(scope, nowMs, windowSec)),
      this.redis.smembers(`${this.p}workers\0${user}`),
    ]);
    if (tot.shares === undefined) return undefined;
    workers.sort();
    const perWorker = await Promise.all(
      workers.map(async (worker) => {
        const ws = `w\0${user}\0${worker}`;
        const [wt, wb] = await Promise.all([
          this.redis.hgetall(`${this.p}tot:${ws}`),
          this.redis.mget(this.bucketKeys(ws, nowMs, windowSec)),
        ]);
        return { worker, ...totals(wt, wb, windowSec) };
      }),
    );
    return { user, ...totals(tot, buckets, windowSec), workers: perWorker };
  }

  async pplnsSnapshot(shareId: string): Promise<Map<string, number> | undefined> {
    const h = await this.redis.hgetall(`${this.p}pplns:snap:${shareId}`);
    const entries = Object.entries(h);
    return entries.length === 0 ? undefined : new Map(entries.map(([u, w]) => [u, Number(w)]));
  }

  async recordBlock(block: FoundBlock): Promise<boolean> {
    const encoded = Buffer.from(FoundBlock.encode(block).finish());
    const hashKey = block.blockHash ? `${this.p}block:hash:${block.blockHash}` : '';
    const done = await this.scripts.recordBlock(
      `${this.p}block:share:${block.shareId}`,
      `${this.p}blocks`,
      hashKey,
      encoded,
      block.shareId,
    );
    return done === 1;
  }

  async blockByShare(shareId: string): Promise<FoundBlock | undefined> {
    const b = await this.redis.getBuffer(`${this.p}block:share:${shareId}`);
    return b ? FoundBlock.decode(b) : undefined;
  }

  async blockByHash(hash: string): Promise<FoundBlock | undefined> {
    const shareId = await this.redis.get(`${this.p}block:hash:${hash}`);
    return shareId === null ? undefined : this.blockByShare(shareId);
  }

  async listBlocks(limit: number): Promise<FoundBlock[]> {
    const ids = await this.redis.lrange(`${this.p}blocks`, 0, limit - 1);
    if (ids.length === 0) return [];
    const raw = await this.redis.mgetBuffer(ids.map((id) => `${this.p}block:share:${id}`));
    return raw.filter((b): b is Buffer => b !== null).map((b) => FoundBlock.decode(b));
  }

  healthy(): boolean {
    return this.redis.status === 'ready';
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
