/**
 * In-memory EventBus for the single-process mode (`pool dev`) and unit tests. One
 * partition per topic; a consumer group's committed offset advances only after its
 * handler resolves, and a rejected batch is redelivered, as with Kafka.
 */
import type { BusMessage, EventBus, OutMessage, SubscribeOptions, Subscription, TopicSpec } from './types.js';

interface Group {
  committed: number;
  /** Only one member of a group consumes (one partition); the others wait. */
  active: boolean;
}

export interface MemoryBusOptions {
  /** Largest batch handed to a handler. */
  batchMax?: number;
  /** Pause before redelivering a batch whose handler failed. */
  retryMs?: number;
}

export class MemoryBus implements EventBus {
  readonly local = true;
  private readonly logs = new Map<string, BusMessage[]>();
  private readonly groups = new Map<string, Group>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;
  private readonly batchMax: number;
  private readonly retryMs: number;

  constructor(opts: MemoryBusOptions = {}) {
    this.batchMax = opts.batchMax ?? 1000;
    this.retryMs = opts.retryMs ?? 100;
  }

  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    for (const t of topics) if (!this.logs.has(t.name)) this.logs.set(t.name, []);
  }

  private log(topic: string): BusMessage[] {
    const log = this.logs.get(topic);
    if (!log) throw new Error(`topic ${topic} does not exist (call ensureTopics first)`);
    return log;
  }

  async publish(topic: string, messages: readonly OutMessage[]): Promise<void> {
    if (this.closed) throw new Error('bus is closed');
    const log = this.log(topic);
    for (const m of messages) {
      log.push({ topic, key: m.key, value: m.value, partition: 0, offset: String(log.length) });
    }
    const waiting = this.waiters.get(topic);
    if (waiting) for (const wake of [...waiting]) wake();
  }

  /** Messages of a topic (tests and the benchmark inspect the log). */
  messages(topic: string): readonly BusMessage[] {
    return this.log(topic);
  }

  async subscribe(opts: SubscribeOptions): Promise<Subscription> {
    const log = this.log(opts.topic);
    const groupKey = `${opts.groupId}\u0000${opts.topic}`;
    let group = opts.tail === undefined ? this.groups.get(groupKey) : undefined;
    if (!group) {
      const start =
        opts.tail !== undefined ? Math.max(0, log.length - opts.tail) : opts.fromBeginning ? 0 : log.length;
      group = { committed: start, active: false };
      // A tail reader's position is its own: never stored for the group.
      if (opts.tail === undefined) this.groups.set(groupKey, group);
    }
    if (opts.startOffsets) {
      const start = (await opts.startOffsets([0])).get(0);
      if (start !== undefined) group.committed = Math.min(start, log.length);
    }
    let stopped = false;
    let wake: (() => void) | undefined;
    const waiters = this.waiters.get(opts.topic) ?? new Set();
    this.waiters.set(opts.topic, waiters);
    const sleep = (ms?: number) =>
      new Promise<void>((resolve) => {
        const done = () => {
          waiters.delete(done);
          if (timer) clearTimeout(timer);
          wake = undefined;
          resolve();
        };
        const timer = ms === undefined ? undefined : setTimeout(done, ms);
        wake = done;
        waiters.add(done);
      });
    const g = group;
    const loop = async () => {
      while (!stopped) {
        if (g.active || g.committed >= log.length) {
          await sleep(g.active ? this.retryMs : undefined);
          continue;
        }
        g.active = true;
        const batch = log.slice(g.committed, g.committed + this.batchMax);
        try {
          await opts.handler(batch);
          g.committed += batch.length;
        } catch {
          g.active = false;
          if (!stopped) await sleep(this.retryMs);
          continue;
        }
        g.active = false;
      }
    };
    const running = loop();
    const sub: Subscription = {
      stop: async () => {
        stopped = true;
        wake?.();
        await running;
        this.subscriptions.delete(sub);
      },
    };
    this.subscriptions.add(sub);
    return sub;
  }

  healthy(): boolean {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
  }
}
