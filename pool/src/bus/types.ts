/**
 * The event bus contract (Kafka in production, in-memory in `pool dev`): durable,
 * ordered per key, at-least-once delivery to consumer groups.
 */

export interface OutMessage {
  key: string;
  value: Uint8Array;
}

export interface BusMessage extends OutMessage {
  topic: string;
  partition: number;
  /** Offset within the partition (decimal string, as Kafka reports it). */
  offset: string;
}

export interface TopicSpec {
  name: string;
  /** -1 = broker default. */
  partitions: number;
  /** Kafka topic configs, e.g. `{ 'retention.ms': '3600000' }` (ignored in memory). */
  configs?: Record<string, string>;
}

export interface SubscribeOptions {
  topic: string;
  /** Consumer group: each group sees every message once (at least once, see handler). */
  groupId: string;
  /** Where a group with no committed offset starts: true = oldest message, false = only new ones. */
  fromBeginning: boolean;
  /**
   * Follow the tail instead of the group's progress: start at the newest `tail` messages of each
   * partition, whatever the group committed (`fromBeginning` is then ignored), and commit nothing.
   * For followers that only need the latest state: a restarted pod does not replay the topic
   * and leaves no offsets behind.
   */
  tail?: number;
  /**
   * For a handler that stores its own progress atomically with its effects (the share
   * processor keeps each partition's position in Redis with the accounting): whenever
   * partitions are assigned (start, rebalance), each one starts at the offset this returns for
   * it, not at the group's committed offset (a partition it returns nothing for starts there).
   * Its partitions are paused until it answers. The group's offsets are still committed after
   * each batch, for lag monitoring only. The handler must still skip messages below its own
   * position: a batch fetched before a rebalance may arrive late.
   */
  startOffsets?(partitions: readonly number[]): Promise<ReadonlyMap<number, number>>;
  /**
   * Called with batches in offset order (per partition). The batch's offsets are committed
   * only after the promise resolves; if it rejects, the batch is delivered again after a
   * pause. Handlers must therefore be idempotent.
   */
  handler(batch: BusMessage[]): Promise<void>;
}

export interface Subscription {
  stop(): Promise<void>;
}

export interface EventBus {
  /**
   * True for a bus that lives in this process (the in-memory bus): a publish is as durable
   * as it will ever be once called, so nothing waits for it before acknowledging.
   */
  readonly local?: boolean;
  /** Creates the topics that do not exist yet (idempotent). */
  ensureTopics(topics: readonly TopicSpec[]): Promise<void>;
  /**
   * Appends messages; resolves once they are durably written (Kafka: acks=all). Calls
   * made within a few milliseconds are sent as one batch.
   */
  publish(topic: string, messages: readonly OutMessage[]): Promise<void>;
  subscribe(opts: SubscribeOptions): Promise<Subscription>;
  /** Connected and able to produce (for /readyz). */
  healthy(): boolean;
  /** Flushes pending publishes and disconnects. */
  close(): Promise<void>;
}
