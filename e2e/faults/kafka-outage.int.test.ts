/**
 * #19 items 2 and 3 on a Kafka broker of its own, frozen with SIGSTOP while a replica's share
 * path (pool sink → share log → KafkaBus) takes 2,400 shares/s:
 * - a 20 s stall with a wait bound longer than the stall: the backlog drains in order, in
 *   requests under the byte limit, and no share is refused (until 2026-12-07 the whole backlog
 *   went out as one request past the broker's limit: 18,961 refused, Kafka healthy);
 * - 60 s down with the default policy: every share gets a verdict while Kafka is still down
 *   (refused after the wait bound, never waiting for ever), the waiting bytes stay under the
 *   memory bound, the bus reports unhealthy (readiness false), and once Kafka is back new shares
 *   are confirmed again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaBus } from '../../pool/src/bus/kafka.js';
import { createShareLog, decodeShareMessage } from '../../pool/src/bus/records.js';
import { poolTopicSpecs, poolTopics } from '../../pool/src/bus/topics.js';
import { silentLogger } from '../../pool/src/observability/logger.js';
import { createPoolSink } from '../../pool/src/stratum/sink.js';
import { freeze, startPrivateKafka, waitFor, type PrivateKafka } from './processes.js';

const RATE = 2400; // shares per second
const TICK_MS = 10;

/** Drives `onShare` at RATE; each share's index is in its nonce, its verdict recorded. */
class ShareDriver {
  readonly verdicts: ('pending' | 'confirmed' | 'refused')[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly onShare: (nonce: Uint8Array) => PromiseLike<void> | undefined) {}

  start(): void {
    let due = Date.now();
    this.timer = setInterval(() => {
      const now = Date.now();
      while (due <= now) {
        for (let i = 0; i < (RATE * TICK_MS) / 1000; i++) this.one();
        due += TICK_MS;
      }
    }, TICK_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private one(): void {
    const index = this.verdicts.length;
    const nonce = new Uint8Array(16);
    new DataView(nonce.buffer).setUint32(0, index);
    this.verdicts.push('pending');
    const c = this.onShare(nonce);
    if (!c) throw new Error('the Kafka sink returned no confirmation');
    c.then(
      () => void (this.verdicts[index] = 'confirmed'),
      () => void (this.verdicts[index] = 'refused'),
    );
  }

  count(v: 'pending' | 'confirmed' | 'refused', from = 0): number {
    let n = 0;
    for (let i = from; i < this.verdicts.length; i++) if (this.verdicts[i] === v) n++;
    return n;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Kafka outage at 2,400 shares/s', () => {
  let kafka: PrivateKafka;
  beforeAll(async () => {
    kafka = await startPrivateKafka();
  });
  afterAll(async () => {
    freeze(kafka.pid, false);
    await kafka.stop();
  });

  async function pipeline(prefix: string, over: { publishTimeoutMs?: number }) {
    const bus = new KafkaBus({
      brokers: kafka.brokers,
      clientId: prefix,
      lingerMs: 5,
      batchMax: 500,
      replicationFactor: -1,
      logger: silentLogger,
      ...over,
    });
    const topics = poolTopics(prefix);
    await bus.ensureTopics(poolTopicSpecs(topics, 1));
    await bus.connect();
    const sink = createPoolSink({
      shareLog: createShareLog(bus, topics),
      bus,
      topics,
      submitBlock: () => Promise.reject(new Error('no blocks here')),
      replica: 7,
      logger: silentLogger,
    });
    const driver = new ShareDriver((nonce) =>
      sink.onShare({
        channelId: 1,
        userIdentity: 'ckb1qyqfaults.rig1',
        jobId: 1,
        workId: 'w',
        height: 1n,
        difficulty: 1024n,
        nonce,
        isBlock: false,
        timestamp: Date.now(),
      }),
    );
    return { bus, topics, sink, driver };
  }

  /** The share indexes in the shares topic, in log order. */
  async function logged(topic: string, expected: number): Promise<number[]> {
    const client = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING });
    const consumer = client.consumer({ groupId: `${topic}-reader` });
    const seen: number[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        for (const s of decodeShareMessage(message.value!))
          seen.push(new DataView(s.nonce.buffer, s.nonce.byteOffset).getUint32(0));
      },
    });
    try {
      await waitFor(
        `${expected} shares in ${topic} (have ${seen.length})`,
        () => seen.length >= expected,
        120_000,
      );
    } finally {
      await consumer.disconnect();
    }
    return seen;
  }

  it('a 20 s stall: the backlog drains in order in requests under the byte limit; nothing refused', async () => {
    const { bus, topics, driver } = await pipeline(`faults-drain-${Date.now()}`, {
      publishTimeoutMs: 180_000,
    });
    try {
      driver.start();
      await sleep(3000);
      freeze(kafka.pid, true);
      await sleep(20_000);
      const backlog = driver.count('pending');
      freeze(kafka.pid, false);
      await sleep(3000);
      driver.stop();
      await waitFor('every share confirmed or refused', () => driver.count('pending') === 0, 120_000);
      const stats = bus.publishStats();
      console.log(
        `[faults] 20 s stall at ${RATE}/s: ${driver.verdicts.length} shares, backlog ${backlog} at recovery, ` +
          `refused ${driver.count('refused')}, peak waiting ${stats.peakWaitingBytes} B, ` +
          `largest request ${stats.peakRequestBytes} B (limit ${stats.maxRequestBytes}), ${stats.requests} requests`,
      );
      expect(backlog).toBeGreaterThan(RATE * 10);
      expect(driver.count('refused')).toBe(0);
      expect(stats.peakRequestBytes).toBeLessThanOrEqual(stats.maxRequestBytes);
      const order = await logged(topics.shares, driver.verdicts.length);
      expect(order).toEqual(Array.from({ length: driver.verdicts.length }, (_, i) => i));
    } finally {
      driver.stop();
      freeze(kafka.pid, false);
      await bus.close();
    }
  });

  it('60 s down with the default policy: a verdict for every share while down, bounded memory, unhealthy, then confirmed again', async () => {
    const { bus, driver } = await pipeline(`faults-down-${Date.now()}`, {});
    try {
      driver.start();
      await sleep(3000);
      expect(bus.healthy()).toBe(true);
      freeze(kafka.pid, true);
      await waitFor('the bus to report unhealthy while Kafka is frozen', () => !bus.healthy(), 30_000);
      await sleep(60_000);
      driver.stop();
      const down = driver.verdicts.length;
      // Still frozen: the shares already sent must all be answered (refused), not wait for ever.
      await waitFor(
        `a verdict for every share while Kafka is down (${driver.count('pending')} pending)`,
        () => driver.count('pending') === 0,
        60_000,
      );
      expect(bus.healthy()).toBe(false);
      const refused = driver.count('refused');
      const stats = bus.publishStats();
      freeze(kafka.pid, false);
      await waitFor('the bus healthy again after Kafka resumed', () => bus.healthy(), 60_000);
      const after = driver.verdicts.length;
      driver.start();
      await sleep(3000);
      driver.stop();
      await waitFor(
        'the shares sent after recovery answered',
        () => driver.count('pending', after) === 0,
        60_000,
      );
      console.log(
        `[faults] 60 s down at ${RATE}/s: ${down} shares while down, ${refused} refused (share-not-logged), ` +
          `peak waiting ${stats.peakWaitingBytes} B (bound ${64 * 1024 * 1024}); ` +
          `after recovery ${driver.verdicts.length - after} shares, ${driver.count('refused', after)} refused`,
      );
      expect(refused).toBeGreaterThan(RATE * 30);
      expect(stats.peakWaitingBytes).toBeLessThanOrEqual(64 * 1024 * 1024);
      expect(driver.count('refused', after)).toBe(0);
      expect(driver.count('confirmed', after)).toBe(driver.verdicts.length - after);
    } finally {
      driver.stop();
      freeze(kafka.pid, false);
      await bus.close();
    }
  });
});
