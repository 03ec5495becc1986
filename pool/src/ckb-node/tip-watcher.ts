/**
 * Follows the node's tip. With `subscriptionUrl` (the node's TCP RPC endpoint) new tips are pushed by
 * `subscribe new_tip_header`; while that is not connected (not configured, node restarting, connection
 * lost) the watcher polls get_tip_header. Each distinct tip is emitted once, as a `tip` event and
 * through the async iterator.
 */
import { EventEmitter } from 'node:events';
import type { CkbRpcClient } from './rpc.js';
import { TcpSubscription } from './subscription.js';
import type { JsonHeaderView } from '../ckb/types.js';

export interface TipWatcherOptions {
  client: CkbRpcClient;
  /** tcp://host:port of the node's `[rpc] tcp_listen_address`; polling only when absent. */
  subscriptionUrl?: string;
  /** Polling period while not subscribed (default 1000 ms). */
  pollIntervalMs?: number;
  /** First reconnect delay for the subscription, doubling up to 30 s (default 1000 ms). */
  reconnectDelayMs?: number;
}

export type TipSource = 'subscription' | 'polling';

interface TipWatcherEvents {
  tip: [header: JsonHeaderView, source: TipSource];
  /** Poll or subscription failures; the watcher keeps going. Emitted only when someone listens. */
  error: [err: Error];
  mode: [mode: TipSource];
}

export class TipWatcher extends EventEmitter<TipWatcherEvents> implements AsyncIterable<JsonHeaderView> {
  private readonly client: CkbRpcClient;
  private readonly pollIntervalMs: number;
  private readonly reconnectDelayMs: number;
  private subscription: TcpSubscription | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectAttempt = 0;
  private polling = false;
  private stopped = false;
  private lastHash: string | undefined;
  private readonly abort = new AbortController();
  private readonly waiters = new Set<() => void>();
  private readonly queue: JsonHeaderView[] = [];
  private iterating = false;

  constructor(private readonly opts: TipWatcherOptions) {
    super();
    this.client = opts.client;
    this.pollIntervalMs = opts.pollIntervalMs ?? 1000;
    this.reconnectDelayMs = opts.reconnectDelayMs ?? 1000;
  }

  /** The last tip seen, if any. */
  get tip(): string | undefined {
    return this.lastHash;
  }

  get mode(): TipSource {
    return this.subscription?.subscribed ? 'subscription' : 'polling';
  }

  start(): void {
    this.startPolling();
    if (this.opts.subscriptionUrl) this.connect();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    clearTimeout(this.pollTimer);
    clearTimeout(this.reconnectTimer);
    this.subscription?.close();
    for (const wake of this.waiters) wake();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<JsonHeaderView> {
    if (this.iterating) throw new Error('TipWatcher supports one async iterator at a time');
    this.iterating = true;
    try {
      while (!this.stopped) {
        const next = this.queue.shift();
        if (next) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => {
          const wake = () => (this.waiters.delete(wake), resolve());
          this.waiters.add(wake);
        });
      }
    } finally {
      this.iterating = false;
    }
  }

  private publish(header: JsonHeaderView, source: TipSource): void {
    if (this.stopped || header.hash === this.lastHash) return;
    this.lastHash = header.hash;
    if (this.iterating) {
      this.queue.push(header);
      for (const wake of this.waiters) wake();
    }
    this.emit('tip', header, source);
  }

  private reportError(err: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  private startPolling(): void {
    if (this.polling || this.stopped) return;
    this.polling = true;
    this.emit('mode', 'polling');
    const loop = async () => {
      await this.pollOnce();
      if (this.polling && !this.stopped) this.pollTimer = setTimeout(() => void loop(), this.pollIntervalMs);
    };
    void loop();
  }

  private async pollOnce(): Promise<void> {
    try {
      const header = await this.client.call<JsonHeaderView>('get_tip_header', [], {
        retries: 0,
        signal: this.abort.signal,
      });
      this.publish(header, 'polling');
    } catch (err) {
      if (!this.stopped) this.reportError(err as Error);
    }
  }

  private stopPolling(): void {
    this.polling = false;
    clearTimeout(this.pollTimer);
  }

  private connect(): void {
    if (this.stopped || !this.opts.subscriptionUrl) return;
    const sub = new TcpSubscription({
      url: this.opts.subscriptionUrl,
      topic: 'new_tip_header',
      onSubscribed: () => {
        if (this.subscription !== sub) return;
        this.stopPolling();
        this.reconnectAttempt = 0;
        this.emit('mode', 'subscription');
        // A tip found between the last poll and the subscription would otherwise be missed.
        void this.pollOnce();
      },
      onMessage: (result) => {
        if (this.subscription !== sub) return;
        if (isHeaderView(result)) this.publish(result, 'subscription');
        else this.reportError(new Error('subscription pushed something that is not a HeaderView'));
      },
      onClose: (reason) => {
        if (this.subscription !== sub || this.stopped) return;
        this.subscription = undefined;
        this.reportError(reason);
        this.startPolling();
        const delay = Math.min(this.reconnectDelayMs * 2 ** this.reconnectAttempt++, 30_000);
        this.reconnectTimer = setTimeout(() => this.connect(), delay);
      },
    });
    this.subscription = sub;
  }
}

function isHeaderView(v: unknown): v is JsonHeaderView {
  const h = v as Partial<JsonHeaderView> | null;
  return typeof h === 'object' && h !== null && typeof h.hash === 'string' && typeof h.number === 'string';
}
