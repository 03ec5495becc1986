/**
 * Kafka EventBus on kafkajs: an idempotent producer (acks=all, one request in flight so
 * sequence numbers stay ordered) behind a batcher that lingers `lingerMs` or until
 * `batchMax` messages are queued, and consumer groups with offsets committed only after
 * the handler resolves (at-least-once).
 */
import {
  Kafka,
  Partitioners,
  logLevel,
  type Admin,
  type ConfigResourceTypes,
  type Consumer,
  type Producer,
  type LogEntry,
} from 'kafkajs';
import type { KafkaSecurity } from '../config/connections.js';
import type { Logger } from '../observability/logger.js';
import { PublishQueue, type PublishQueueStats, type QueuedPublish } from './publish-queue.js';
import type { BusMessage, EventBus, OutMessage, SubscribeOptions, Subscription, TopicSpec } from './types.js';

export interface KafkaBusOptions {
  brokers: readonly string[];
  clientId: string;
  lingerMs: number;
  batchMax: number;
  /** Replication factor of created topics (-1 = broker default). */
  replicationFactor: number;
  /** TLS and SASL of the broker connections (config/connections.ts). */
  ssl?: KafkaSecurity['ssl'];
  sasl?: KafkaSecurity['sasl'];
  logger: Logger;
  /** Bytes per produce request at most; also capped by the topics' `max.message.bytes` (default 1,000,000). */
  maxRequestBytes?: number;
  /** A publish not acknowledged within this is refused (`PublishRefusedError`; default 10 s). */
  publishTimeoutMs?: number;
  /** Bytes of publishes waiting at most; more are refused at once (default 64 MiB). */
  maxQueuedBytes?: number;
}

// ConfigResourceTypes.TOPIC: the enum is not among kafkajs's named exports under Node's ESM loader.
const TOPIC_RESOURCE = 2 as ConfigResourceTypes;

const KAFKA_LEVEL: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export class KafkaBus implements EventBus {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly consumers = new Set<Consumer>();
  private connected: Promise<void> | undefined;
  private producerUp = false;
  private readonly queue: PublishQueue;
  private readonly publishTimeoutMs: number;
  /** Request bytes: the option, lowered to the smallest `max.message.bytes` of the ensured topics. */
  private requestBytes: number;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly opts: KafkaBusOptions) {
    const log = opts.logger.child({ component: 'kafkajs' });
    const config = {
      clientId: opts.clientId,
      brokers: [...opts.brokers],
      ...(opts.ssl ? { ssl: opts.ssl } : {}),
      ...(opts.sasl ? { sasl: opts.sasl } : {}),
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, log: entry }: LogEntry) => {
          const { message, ...rest } = entry;
          log[KAFKA_LEVEL[level] ?? 'info'](message, rest);
        },
    };
    this.kafka = new Kafka(config);
    this.publishTimeoutMs = opts.publishTimeoutMs ?? 10_000;
    this.requestBytes = opts.maxRequestBytes ?? 1_000_000;
    this.queue = new PublishQueue({
      maxRequestBytes: this.requestBytes,
      maxQueuedBytes: opts.maxQueuedBytes ?? 64 * 1024 * 1024,
      timeoutMs: this.publishTimeoutMs,
      send: (batch) => this.send(batch),
    });
    // The producer's client times a request out after 5 s (default 30 s: a frozen broker held
    // every share that long before the first retry); consumers and admin keep the defaults.
    this.producer = new Kafka({ ...config, requestTimeout: 5000 }).producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Retries stay unbounded (idempotence needs them; the queue bounds the wait), but a hung
      // broker is noticed after 5 s and a recovered one within ~2 s, not kafkajs's 30 s.
      retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: Number.MAX_SAFE_INTEGER },
      createPartitioner: Partitioners.DefaultPartitioner, // murmur2 on the key, as the Java client
    });

    this.producer.on(this.producer.events.CONNECT, () => (this.producerUp = true));
    this.producer.on(this.producer.events.DISCONNECT, () => (this.producerUp = false));
  }

  /** Connects the producer (publish connects lazily; services call this at start to fail fast). */
  connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((err: unknown) => {
      this.connected = undefined;
      throw err;
    });
    return this.connected;
  }

  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    const admin: Admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t.name));
      if (missing.length > 0) await this.createTopics(admin, missing);
      await this.fitRequestsTo(admin, topics);
    } finally {
      await admin.disconnect();
    }
  }

  /** Lowers the request byte limit below the smallest `max.message.bytes` of `topics` (one record batch per partition must fit). */
  private async fitRequestsTo(admin: Admin, topics: readonly TopicSpec[]): Promise<void> {
    if (topics.length === 0) return;
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((t) => ({
        type: TOPIC_RESOURCE,
        name: t.name,
        configNames: ['max.message.bytes'],
      })),
    });
    for (const r of described.resources) {
      const limit = Number(r.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue);
      if (Number.isFinite(limit) && limit > 0)
        this.requestBytes = Math.min(this.requestBytes, Math.floor(limit * 0.9));
    }
    this.queue.maxRequestBytes = this.requestBytes;
  }

  private async createTopics(admin: Admin, missing: readonly TopicSpec[]): Promise<void> {
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: this.opts.replicationFactor,
          configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    } catch (err) {
      // Another replica created them concurrently: fine as long as they exist now.
      const now = new Set(await admin.listTopics());
      if (!missing.every((t) => now.has(t.name))) throw err;
    }
  }

  publish(topic: string, messages: readonly OutMessage[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('bus is closed'));
    if (messages.length === 0) return Promise.resolve();
    const written = this.queue.add(topic, messages);
    if (this.queue.queued >= this.opts.batchMax) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.opts.lingerMs);
    return written;
  }

  /** Starts sending unless a request is in flight (the queue sends the rest, request after request). */
  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sending) return;
    const run = this.queue.kick();
    if (!run) return;
    // Resolves when the queue ran dry: each request's settlement starts the next one.
    this.sending = run.finally(() => (this.sending = undefined));
  }

  /** One produce request (the queue kept it under the request byte limit). */
  private async send(batch: readonly QueuedPublish[]): Promise<void> {
    const byTopic = new Map<string, { key: string; value: Buffer }[]>();
    for (const p of batch) {
      let list = byTopic.get(p.topic);
      if (!list) byTopic.set(p.topic, (list = []));
      for (const m of p.messages) {
        list.push({ key: m.key, value: Buffer.from(m.value.buffer, m.value.byteOffset, m.value.byteLength) });
      }
    }
    await this.connect();
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }

  /** Producer figures: waiting bytes (and their peak), request sizes, refusals. */
  publishStats(): Readonly<PublishQueueStats> & { maxRequestBytes: number } {
    return { ...this.queue.stats, maxRequestBytes: this.requestBytes };
  }

  async subscribe(opts: SubscribeOptions): Promise<Subscription> {
    // Short fetch long-polls: stop() waits for the one in flight (graceful SIGTERM in < 1 s).
    const consumer = this.kafka.consumer({
      groupId: opts.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
    });
    this.consumers.add(consumer);
    // A tail reader keeps its own position (next offset per partition) and seeks to it whenever
    // it joins: GROUP_JOIN is emitted after the assignment and before the first fetch.
    const position = opts.tail === undefined ? undefined : await this.tailOffsets(opts.topic, opts.tail);
    if (position) {
      consumer.on(consumer.events.GROUP_JOIN, () => {
        for (const [partition, offset] of position) {
          consumer.seek({ topic: opts.topic, partition, offset: String(offset) });
        }
      });
    }
    const cancelSeeks = opts.startOffsets && this.seekOnAssignment(consumer, opts.topic, opts.startOffsets);
    await consumer.connect();
    await consumer.subscribe({ topic: opts.topic, fromBeginning: opts.fromBeginning });
    await consumer.run({
      autoCommit: opts.tail === undefined,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch, heartbeat }) => {
        const messages: BusMessage[] = batch.messages.map((m) => ({
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          key: m.key?.toString() ?? '',
          value: m.value ?? new Uint8Array(0),
        }));
        // Keep the group membership alive while a slow handler (a block submit with retries) runs.
        const beat = setInterval(() => void heartbeat().catch(() => undefined), 3000);
        try {
          // A rejection makes kafkajs seek back to the last committed offset and retry: redelivery.
          await opts.handler(messages);
        } finally {
          clearInterval(beat);
        }
        position?.set(batch.partition, BigInt(batch.lastOffset()) + 1n);
        await heartbeat();
      },
    });
    return {
      stop: async () => {
        cancelSeeks?.();
        this.consumers.delete(consumer);
        await consumer.disconnect();
      },
    };
  }

  /**
   * On every assignment: pause the assigned partitions (GROUP_JOIN comes before the first fetch
   * of the generation), ask `startOffsets` (retrying every second while it fails), seek, resume.
   * A newer assignment supersedes an answer still pending. Returns the cancel of a pending one.
   */
  private seekOnAssignment(
    consumer: Consumer,
    topic: string,
    startOffsets: NonNullable<SubscribeOptions['startOffsets']>,
  ): () => void {
    const log = this.opts.logger.child({ component: 'kafka-consumer', topic });
    let generation = 0;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const gen = ++generation;
      const partitions = payload.memberAssignment[topic] ?? [];
      if (partitions.length === 0) return;
      const assigned = [{ topic, partitions }];
      consumer.pause(assigned);
      void (async () => {
        for (;;) {
          try {
            const offsets = await startOffsets(partitions);
            if (gen !== generation) return;
            for (const [partition, offset] of offsets)
              consumer.seek({ topic, partition, offset: String(offset) });
            log.info('partitions assigned', { partitions, from: Object.fromEntries(offsets) });
            consumer.resume(assigned);
            return;
          } catch (err) {
            if (gen !== generation) return;
            log.warn('cannot read the start offsets of the assigned partitions; retrying in 1 s', { err });
            await new Promise((resolve) => setTimeout(resolve, 1000));
          }
        }
      })();
    });
    return () => void ++generation;
  }

  /** The offset of the newest `tail` messages of every partition of `topic`. */
  private async tailOffsets(topic: string, tail: number): Promise<Map<number, bigint>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const start = new Map<number, bigint>();
      for (const p of await admin.fetchTopicOffsets(topic)) {
        const offset = BigInt(p.high) - BigInt(tail);
        const low = BigInt(p.low);
        start.set(p.partition, offset > low ? offset : low);
      }
      return start;
    } finally {
      await admin.disconnect();
    }
  }

  /** Connected, and the log is being written: no request or publish waiting past half the publish timeout. */
  healthy(): boolean {
    return this.producerUp && !this.closed && !this.queue.stalled(this.publishTimeoutMs / 2);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.kick();
    while (this.sending) await this.sending;
    this.queue.stop();
    await Promise.all([...this.consumers].map((c) => c.disconnect()));
    this.consumers.clear();
    await this.producer.disconnect();
  }
}
