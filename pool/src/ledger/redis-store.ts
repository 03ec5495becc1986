/**
 * Redis LedgerStore. One Lua script makes `apply` atomic: entries are posted once (HSETNX on the
 * entry id) with their postings summed into one balances hash (HINCRBY: exact int64, shannons
 * never reach 2^63), and block/payout records are written in the same step. Amounts cross the
 * Lua boundary as strings only (Lua numbers are doubles).
 */
import { Redis } from 'ioredis';
import type { RedisSecurity } from '../config/connections.js';
import type { TrackedBlock } from '../blocktracker/lifecycle.js';
import type { PayoutRecord } from '../payout/record.js';
import { checkBalanced, type Entry } from './ledger.js';
import { fromJson, toJson, type LedgerChange, type LedgerStore, type WalletSnapshot } from './store.js';

// ARGV: prefix, #entries, per entry (id, json, #postings, account, amount, ...), #blocks,
// (hash, json)*, #payouts, (id, json)*.
const APPLY = `
local p = ARGV[1]
local i = 2
local fresh = 0
local n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  local id, json, np = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]); i = i + 3
  if redis.call('HSETNX', p .. 'ledger:entries', id, json) == 1 then
    redis.call('RPUSH', p .. 'ledger:order', id)
    for _ = 1, np do
      redis.call('HINCRBY', p .. 'ledger:balances', ARGV[i], ARGV[i + 1]); i = i + 2
    end
    fresh = fresh + 1
  else
    i = i + 2 * np
  end
end
for _, key in ipairs({ 'ledger:blocks', 'ledger:payouts' }) do
  local m = tonumber(ARGV[i]); i = i + 1
  for _ = 1, m do redis.call('HSET', p .. key, ARGV[i], ARGV[i + 1]); i = i + 2 end
end
return fresh`;

interface Scripts {
  ledgerApply(...args: string[]): Promise<number>;
}

export interface RedisLedgerStoreOptions extends RedisSecurity {
  url: string;
  keyPrefix: string;
  commandTimeoutMs?: number;
}

export class RedisLedgerStore implements LedgerStore {
  private readonly redis: Redis;
  private readonly p: string;

  constructor(opts: RedisLedgerStoreOptions) {
    this.p = opts.keyPrefix;
    this.redis = new Redis(opts.url, {
      maxRetriesPerRequest: 3,
      commandTimeout: opts.commandTimeoutMs ?? 10_000,
      lazyConnect: true,
      ...(opts.username ? { username: opts.username } : {}),
      ...(opts.password ? { password: opts.password } : {}),
      ...(opts.tls ? { tls: opts.tls } : {}),
    });
    this.redis.on('error', () => {}); // reconnects by itself; calls fail meanwhile
    this.redis.defineCommand('ledgerApply', { numberOfKeys: 0, lua: APPLY });
  }

  async connect(): Promise<void> {
    try {
      await this.redis.connect();
    } catch (err) {
      this.redis.disconnect();
      throw err;
    }
  }

  async apply(change: LedgerChange): Promise<number> {
    const entries = change.entries ?? [];
    for (const e of entries) checkBalanced(e);
    const args: string[] = [this.p, String(entries.length)];
    for (const e of entries) {
      args.push(e.id, toJson(e), String(e.postings.length));
      for (const posting of e.postings) args.push(posting.account, posting.amount.toString());
    }
    const blocks = change.blocks ?? [];
    args.push(String(blocks.length));
    for (const b of blocks) args.push(b.hash, toJson(b));
    const payouts = change.payouts ?? [];
    args.push(String(payouts.length));
    for (const p of payouts) args.push(p.id, toJson(p));
    return (this.redis as unknown as Scripts).ledgerApply(...args);
  }

  async entry(id: string): Promise<Entry | undefined> {
    const e = await this.redis.hget(`${this.p}ledger:entries`, id);
    return e === null ? undefined : fromJson<Entry>(e);
  }

  async entries(): Promise<Entry[]> {
    const ids = await this.redis.lrange(`${this.p}ledger:order`, 0, -1);
    if (ids.length === 0) return [];
    const raw = await this.redis.hmget(`${this.p}ledger:entries`, ...ids);
    return raw.filter((e): e is string => e !== null).map((e) => fromJson<Entry>(e));
  }

  async balances(): Promise<Map<string, bigint>> {
    const h = await this.redis.hgetall(`${this.p}ledger:balances`);
    const out = new Map<string, bigint>();
    for (const [account, v] of Object.entries(h)) if (v !== '0') out.set(account, BigInt(v));
    return out;
  }

  async block(hash: string): Promise<TrackedBlock | undefined> {
    const b = await this.redis.hget(`${this.p}ledger:blocks`, hash);
    return b === null ? undefined : fromJson<TrackedBlock>(b);
  }

  async blocks(): Promise<TrackedBlock[]> {
    return Object.values(await this.redis.hgetall(`${this.p}ledger:blocks`)).map((b) =>
      fromJson<TrackedBlock>(b),
    );
  }

  async payout(id: string): Promise<PayoutRecord | undefined> {
    const p = await this.redis.hget(`${this.p}ledger:payouts`, id);
    return p === null ? undefined : fromJson<PayoutRecord>(p);
  }

  async payouts(): Promise<PayoutRecord[]> {
    return Object.values(await this.redis.hgetall(`${this.p}ledger:payouts`)).map((p) =>
      fromJson<PayoutRecord>(p),
    );
  }

  async putWallet(wallet: WalletSnapshot): Promise<void> {
    await this.redis.set(`${this.p}ledger:wallet`, toJson(wallet));
  }

  async wallet(): Promise<WalletSnapshot | undefined> {
    const w = await this.redis.get(`${this.p}ledger:wallet`);
    return w === null ? undefined : fromJson<WalletSnapshot>(w);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
