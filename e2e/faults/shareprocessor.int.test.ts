/**
 * #19 item 6 on the harness's Kafka and Redis: exactly-once share accounting with O(1) state
 * per partition (each partition's position stored with the accounting in one Lua call), and
 * more than one share processor in the group. Shares are logged at a steady rate on a
 * 4-partition topic while `eaglepool pool shareprocessor` processes are SIGKILLed: one
 * mid-stream, and one during the rebalance a new member's join causes. Once the log is
 * drained, the totals in Redis equal the shares logged, exactly, pool-wide and per user.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShareRecord } from '../../proto/gen/shares.js';
import { kafkaBrokers, redisUrl } from '../infra/env.js';
import { KafkaBus } from '../../pool/src/bus/kafka.js';
import { createShareLog, type ShareLog } from '../../pool/src/bus/records.js';
import { poolTopicSpecs, poolTopics } from '../../pool/src/bus/topics.js';
import { silentLogger } from '../../pool/src/observability/logger.js';
import { RedisStore } from '../../pool/src/store/redis.js';
import { shareLogPartition } from '../../pool/src/store/types.js';
import { PoolProcess, waitFor } from './processes.js';

const PARTITIONS = 4;
const REPLICAS = 16; // share-log keys: enough to land on every partition
const USERS = 5;
const RATE = 2000; // shares per second
const TICK_MS = 20;

describe('share processors killed mid-stream and during a rebalance', () => {
  const prefix = `faults-sp-${randomUUID().slice(0, 8)}`;
  const topics = poolTopics(prefix);
  let bus: KafkaBus;
  let store: RedisStore;
  const processes: PoolProcess[] = [];

  beforeAll(async () => {
    bus = new KafkaBus({
      brokers: kafkaBrokers(),
      clientId: `${prefix}-producer`,
      lingerMs: 2,
      batchMax: 500,
      replicationFactor: -1,
      logger: silentLogger,
    });
    await bus.connect();
    await bus.ensureTopics(poolTopicSpecs(topics, PARTITIONS));
    store = new RedisStore({ url: redisUrl(), keyPrefix: `${prefix}:` });
    await store.connect();
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await bus?.close();
    await store?.close();
  });

  function shareprocessor(name: string): PoolProcess {
    const sets: Record<string, string> = {
      instanceId: name,
      'redis.url': redisUrl(),
      'redis.keyPrefix': `${prefix}:`,
      'kafka.brokers': kafkaBrokers().join(','),
      'kafka.topicPrefix': prefix,
      'kafka.partitions': String(PARTITIONS),
      'shareprocessor.httpListen': '127.0.0.1:0',
      'shareprocessor.healthPort': '0',
      logLevel: 'info',
    };
    const proc = new PoolProcess(name, [
      'shareprocessor',
      ...Object.entries(sets).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
    ]);
    processes.push(proc);
    return proc;
  }

  /** Logs shares at RATE across REPLICAS share logs; counts what was confirmed, per user. */
  function produce() {
    const logs: ShareLog[] = Array.from({ length: REPLICAS }, () => createShareLog(bus, topics));
    const confirmed = new Map<string, number>();
    let sent = 0;
    let refused = 0;
    const pending = new Set<Promise<void>>();
    const now = BigInt(Date.now());
    const timer = setInterval(() => {
      for (let i = 0; i < (RATE * TICK_MS) / 1000; i++) {
        const n = sent++;
        const nonce = new Uint8Array(16);
        new DataView(nonce.buffer).setUint32(0, n);
        const share: ShareRecord = {
          shareId: '',
          user: `user${n % USERS}`,
          worker: 'rig',
          jobId: 1,
          difficulty: 1024,
          isBlock: false,
          acceptedAt: now,
          replica: n % REPLICAS,
          channelId: 1,
          nonce,
        };
        const p = logs[n % REPLICAS]!.append(share).then(
          () => void confirmed.set(share.user, (confirmed.get(share.user) ?? 0) + 1),
          () => void refused++,
        );
        pending.add(p);
        void p.finally(() => pending.delete(p));
      }
    }, TICK_MS);
    return {
      confirmed,
      sent: () => sent,
      refused: () => refused,
      async stop() {
        clearInterval(timer);
        await Promise.all(logs.map((l) => l.flush()));
        while (pending.size > 0) await Promise.all([...pending]);
      },
    };
  }

  const accounted = async () => (await store.poolStats(Date.now(), 600)).shares;

  /** The partitions of `proc`'s newest assignment (its `partitions assigned` log lines). */
  const assigned = (proc: PoolProcess): number[] => {
    const line = proc.lines.filter((l) => l.includes('"partitions assigned"')).at(-1);
    return line ? ((JSON.parse(line) as { partitions: number[] }).partitions ?? []) : [];
  };

  /** True once the stored position of every partition is the topic's end: nothing left to account. */
  const drained = async (): Promise<boolean> => {
    const admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      for (const { partition, high } of await admin.fetchTopicOffsets(topics.shares)) {
        const at = await store.shareLogPosition(shareLogPartition(topics.shares, partition));
        if (BigInt(high) > 0n && (at === undefined || BigInt(at) < BigInt(high))) return false;
      }
      return true;
    } finally {
      await admin.disconnect();
    }
  };

  it('accounts every logged share exactly once', async () => {
    const producer = produce();
    const a = shareprocessor('sp-a');
    const b = shareprocessor('sp-b');
    await Promise.all([a.line('partitions assigned'), b.line('partitions assigned')]);
    await waitFor('shares accounted by the two processors', async () => (await accounted()) > 5000, 60_000);

    // 1. kill -9 mid-stream: A's partitions go to B once A's session times out.
    a.kill('SIGKILL');
    await a.exited;
    const killedAt = await accounted();
    await waitFor('B to take over every partition', () => assigned(b).length === PARTITIONS, 90_000);

    // 2. kill -9 during a rebalance: C joins, and B dies the moment C has its partitions.
    const c = shareprocessor('sp-c');
    await c.line('partitions assigned');
    b.kill('SIGKILL');
    await b.exited;
    const d = shareprocessor('sp-d');
    await d.line('partitions assigned');
    await waitFor(
      'accounting to go on after both kills',
      async () => (await accounted()) > killedAt + 5000,
      90_000,
    );

    await producer.stop();
    const logged = producer.sent() - producer.refused();
    expect(producer.refused()).toBe(0);
    // Drained: every partition's stored position is at the topic's end, so nothing more can be
    // accounted; the totals are final.
    await waitFor('the stored positions to reach the end of every partition', drained, 120_000);
    expect(await accounted()).toBe(logged);
    for (let u = 0; u < USERS; u++) {
      const user = `user${u}`;
      expect((await store.userStats(user, Date.now(), 600))?.shares, user).toBe(producer.confirmed.get(user));
    }
    console.info(
      `[e2e/faults] share processors: ${logged} shares logged at ${RATE}/s on ${PARTITIONS} partitions, ` +
        `2 processors SIGKILLed (mid-stream at ${killedAt} accounted, and during a rebalance), ` +
        `${await accounted()} accounted`,
    );
  }, 300_000);
});
