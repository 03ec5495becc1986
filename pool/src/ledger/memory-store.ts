/** In-memory LedgerStore (`pool dev`, unit tests): same semantics as the Redis one (shared contract). */
import type { TrackedBlock } from '../blocktracker/lifecycle.js';
import type { PayoutRecord } from '../payout/record.js';
import { applyEntries, checkBalanced, type Entry } from './ledger.js';
import { fromJson, toJson, type LedgerChange, type LedgerStore, type WalletSnapshot } from './store.js';

export class MemoryLedgerStore implements LedgerStore {
  private readonly posted = new Map<string, string>();
  private readonly balanceMap = new Map<string, bigint>();
  private readonly blockMap = new Map<string, string>();
  private readonly payoutMap = new Map<string, string>();
  private walletJson: string | undefined;

  async apply(change: LedgerChange): Promise<number> {
    for (const e of change.entries ?? []) checkBalanced(e);
    let fresh = 0;
    for (const e of change.entries ?? []) {
      if (this.posted.has(e.id)) continue;
      this.posted.set(e.id, toJson(e));
      applyEntries(this.balanceMap, [e]);
      fresh++;
    }
    for (const b of change.blocks ?? []) this.blockMap.set(b.hash, toJson(b));
    for (const p of change.payouts ?? []) this.payoutMap.set(p.id, toJson(p));
    return fresh;
  }

  async entry(id: string): Promise<Entry | undefined> {
    const e = this.posted.get(id);
    return e === undefined ? undefined : fromJson<Entry>(e);
  }

  async entries(): Promise<Entry[]> {
    return [...this.posted.values()].map((e) => fromJson<Entry>(e));
  }

  async balances(): Promise<Map<string, bigint>> {
    return new Map(this.balanceMap);
  }

  async block(hash: string): Promise<TrackedBlock | undefined> {
    const b = this.blockMap.get(hash);
    return b === undefined ? undefined : fromJson<TrackedBlock>(b);
  }

  async blocks(): Promise<TrackedBlock[]> {
    return [...this.blockMap.values()].map((b) => fromJson<TrackedBlock>(b));
  }

  async payout(id: string): Promise<PayoutRecord | undefined> {
    const p = this.payoutMap.get(id);
    return p === undefined ? undefined : fromJson<PayoutRecord>(p);
  }

  async payouts(): Promise<PayoutRecord[]> {
    return [...this.payoutMap.values()].map((p) => fromJson<PayoutRecord>(p));
  }

  async putWallet(wallet: WalletSnapshot): Promise<void> {
    this.walletJson = toJson(wallet);
  }

  async wallet(): Promise<WalletSnapshot | undefined> {
    return this.walletJson === undefined ? undefined : fromJson<WalletSnapshot>(this.walletJson);
  }

  async close(): Promise<void> {}
}
