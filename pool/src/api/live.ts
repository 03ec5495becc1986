/**
 * The dashboard's live feed: one timer samples the pool (stats, network, newest blocks) and
 * keeps a short hashrate history for the chart; every sample is pushed to the connected
 * server-sent-event clients, and each client watching a miner also gets that miner's stats
 * (computed once per distinct miner per tick, however many pages watch it).
 */
import type { ServerResponse } from 'node:http';
import type { LedgerStore } from '../ledger/store.js';
import type { Logger } from '../observability/logger.js';
import type { NetworkInfo, PoolStats, PoolStore, UserStats } from '../store/types.js';
import { withLifecycle, type BlockWithLifecycle } from './money.js';

export interface HashrateSample {
  /** Unix ms. */
  t: number;
  hashrate: number;
}

export interface PoolSnapshot {
  at: number;
  pool: PoolStats & { windowSec: number };
  network: NetworkInfo | null;
  blocks: BlockWithLifecycle[];
  sample: HashrateSample;
}

export interface LiveFeedOptions {
  store: PoolStore;
  /** Gives the blocks their lifecycle (state, confirmations, reward), when the process has it. */
  ledger?: LedgerStore | undefined;
  windowSec: number;
  /** Sampling (and push) interval. */
  intervalMs: number;
  /** Samples kept for the hashrate chart. */
  historyLength: number;
  /** Blocks sent with each snapshot. */
  blocks: number;
  logger: Logger;
}

interface Client {
  res: ServerResponse;
  user: string | undefined;
}

/** JSON with bigints as decimal strings (the API's convention). */
export function toJson(body: unknown): string {
  return JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

export class LiveFeed {
  private readonly samples: HashrateSample[] = [];
  private readonly clients = new Set<Client>();
  private latest: PoolSnapshot | undefined;
  private readonly timer: NodeJS.Timeout;
  private running: Promise<void> | undefined;

  constructor(private readonly opts: LiveFeedOptions) {
    this.timer = setInterval(() => void this.tick(), opts.intervalMs);
    this.timer.unref();
    void this.tick();
  }

  history(): HashrateSample[] {
    return this.samples.slice();
  }

  get intervalMs(): number {
    return this.opts.intervalMs;
  }

  /** Holds `res` open as an event stream until the client goes away. */
  attach(res: ServerResponse, user: string | undefined): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: ${this.opts.intervalMs}\n\n`);
    const client: Client = { res, user };
    this.clients.add(client);
    res.on('close', () => this.clients.delete(client));
    if (this.latest) this.send(client, 'pool', this.latest);
    if (user)
      void this.minerStats(user, Date.now()).then(
        (stats) => this.send(client, 'miner', stats),
        (err: unknown) => this.opts.logger.warn('live miner stats failed', { user, err }),
      );
  }

  /** Ends every open stream (server shutdown). */
  close(): void {
    clearInterval(this.timer);
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }

  private async minerStats(user: string, now: number): Promise<UserStats | { user: string; unknown: true }> {
    return (await this.opts.store.userStats(user, now, this.opts.windowSec)) ?? { user, unknown: true };
  }

  private send(client: Client, event: string, data: unknown): void {
    client.res.write(`event: ${event}\ndata: ${toJson(data)}\n\n`);
  }

  private tick(): Promise<void> {
    // A slow store must not stack ticks.
    return (this.running ??= this.sample()
      .catch((err: unknown) => this.opts.logger.warn('live feed sample failed', { err }))
      .finally(() => (this.running = undefined)));
  }

  private async sample(): Promise<void> {
    const { store, windowSec } = this.opts;
    const now = Date.now();
    const [pool, network, blocks] = await Promise.all([
      store.poolStats(now, windowSec),
      store.getNetwork(),
      store.listBlocks(this.opts.blocks),
    ]);
    const sample = { t: now, hashrate: pool.hashrate };
    this.samples.push(sample);
    if (this.samples.length > this.opts.historyLength) this.samples.shift();
    const snapshot: PoolSnapshot = {
      at: now,
      pool: { ...pool, windowSec },
      network: network ?? null,
      blocks: await withLifecycle(blocks, this.opts.ledger),
      sample,
    };
    this.latest = snapshot;
    if (this.clients.size === 0) return;
    const users = new Set<string>();
    for (const c of this.clients) {
      this.send(c, 'pool', snapshot);
      if (c.user) users.add(c.user);
    }
    for (const user of users) {
      const stats = await this.minerStats(user, now);
      for (const c of this.clients) if (c.user === user) this.send(c, 'miner', stats);
    }
  }
}
