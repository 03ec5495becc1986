/**
 * The producer's queue in front of Kafka (#19 items 2 and 3): publishes wait here and go out in
 * order, one request at a time, each request bounded by bytes (so a backlog after an outage
 * drains at full speed instead of turning into one request the broker refuses); a publish not
 * confirmed within `timeoutMs` is refused (the share path answers `share-not-logged` instead of
 * waiting for ever); the waiting bytes are bounded (a publish past `maxQueuedBytes` is refused at
 * once); `stalled()` says when the log is not being written (readiness).
 */
import type { OutMessage } from './types.js';

/** A publish the bus refused without writing it for sure: it may still reach the log (credited, never acknowledged). */
export class PublishRefusedError extends Error {
  override readonly name = 'PublishRefusedError';
}

/** Per-message overhead counted on top of key and value bytes (record headers, varints, batch share). */
const MESSAGE_OVERHEAD = 70;

export function messageBytes(messages: readonly OutMessage[]): number {
  let n = 0;
  for (const m of messages) n += m.value.byteLength + m.key.length + MESSAGE_OVERHEAD;
  return n;
}

export interface QueuedPublish {
  readonly topic: string;
  readonly messages: readonly OutMessage[];
  readonly bytes: number;
}

interface Entry extends QueuedPublish {
  readonly at: number;
  settled: boolean;
  resolve(): void;
  reject(err: unknown): void;
}

export interface PublishQueueOptions {
  /** Bytes per request at most (a single larger publish goes alone). */
  maxRequestBytes: number;
  /** Waiting (queued and in-flight) bytes at most. */
  maxQueuedBytes: number;
  /** A publish not confirmed within this is refused. */
  timeoutMs: number;
  /** Writes one request; resolves when the broker acknowledged all of it. */
  send(batch: readonly QueuedPublish[]): Promise<void>;
  now?: () => number;
}

export interface PublishQueueStats {
  /** Bytes waiting now (queued + in flight). */
  waitingBytes: number;
  /** Largest `waitingBytes` seen. */
  peakWaitingBytes: number;
  /** Largest request sent, bytes. */
  peakRequestBytes: number;
  requests: number;
  refusedTimeout: number;
  refusedFull: number;
}

export class PublishQueue {
  private queue: Entry[] = [];
  private inFlight: Entry[] = [];
  private sendStartedAt = 0;
  private lastFailed = false;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  readonly stats: PublishQueueStats = {
    waitingBytes: 0,
    peakWaitingBytes: 0,
    peakRequestBytes: 0,
    requests: 0,
    refusedTimeout: 0,
    refusedFull: 0,
  };

  /** Bytes per request at most (lowered by the bus to what the broker accepts). */
  maxRequestBytes: number;

  constructor(private readonly opts: PublishQueueOptions) {
    this.now = opts.now ?? Date.now;
    this.maxRequestBytes = opts.maxRequestBytes;
  }

  /** Number of publishes waiting (queued, not yet in a request). */
  get queued(): number {
    return this.queue.length;
  }

  add(topic: string, messages: readonly OutMessage[]): Promise<void> {
    const bytes = messageBytes(messages);
    if (this.stats.waitingBytes + bytes > this.opts.maxQueuedBytes) {
      this.stats.refusedFull++;
      return Promise.reject(
        new PublishRefusedError(`share log backlog full (${this.stats.waitingBytes} bytes waiting)`),
      );
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ topic, messages, bytes, at: this.now(), settled: false, resolve, reject });
      this.stats.waitingBytes += bytes;
      if (this.stats.waitingBytes > this.stats.peakWaitingBytes)
        this.stats.peakWaitingBytes = this.stats.waitingBytes;
      this.sweeper ??= setInterval(() => this.sweep(), Math.max(50, Math.min(1000, this.opts.timeoutMs / 4)));
    });
  }

  /**
   * Sends the next request unless one is in flight; the following one starts when it finishes.
   * The promise resolves once the queue ran dry (never rejects).
   */
  kick(): Promise<void> | undefined {
    if (this.inFlight.length > 0 || this.queue.length === 0) return undefined;
    const batch: Entry[] = [];
    let bytes = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (batch.length > 0 && bytes + next.bytes > this.maxRequestBytes) break;
      this.queue.shift();
      if (next.settled) continue;
      batch.push(next);
      bytes += next.bytes;
    }
    if (batch.length === 0) return this.kick();
    this.inFlight = batch;
    this.sendStartedAt = this.now();
    this.stats.requests++;
    if (bytes > this.stats.peakRequestBytes) this.stats.peakRequestBytes = bytes;
    return this.opts.send(batch).then(
      (): Promise<void> | undefined => this.finish(batch, undefined),
      (err: unknown): Promise<void> | undefined => this.finish(batch, err ?? new Error('send failed')),
    );
  }

  private finish(batch: Entry[], err: unknown): Promise<void> | undefined {
    this.inFlight = [];
    this.lastFailed = err !== undefined;
    for (const e of batch) {
      if (e.settled) continue;
      this.settle(e);
      if (err === undefined) e.resolve();
      else e.reject(err);
    }
    return this.kick();
  }

  private settle(e: Entry): void {
    e.settled = true;
    this.stats.waitingBytes -= e.bytes;
  }

  /** Refuses what waited longer than `timeoutMs` (queued ones are then never sent). */
  private sweep(): void {
    const before = this.now() - this.opts.timeoutMs;
    for (const list of [this.inFlight, this.queue]) {
      for (const e of list) {
        if (e.at > before) break; // both lists are in arrival order
        if (e.settled) continue;
        this.settle(e);
        this.stats.refusedTimeout++;
        e.reject(new PublishRefusedError(`share log not written within ${this.opts.timeoutMs} ms`));
      }
    }
    this.queue = this.queue.filter((e) => !e.settled);
    if (this.queue.length === 0 && this.inFlight.length === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  /**
   * The log is not being written: the last request failed, or a request (or the oldest waiting
   * publish) has been waiting longer than `stallMs`.
   */
  stalled(stallMs: number): boolean {
    if (this.lastFailed) return true;
    const since = this.now() - stallMs;
    if (this.inFlight.length > 0 && this.sendStartedAt < since) return true;
    const oldest = this.queue.find((e) => !e.settled);
    return oldest !== undefined && oldest.at < since;
  }

  /** Stops the sweeper (close). */
  stop(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
