/**
 * Pool services throughput: share logging (ShareLog.append → bus, acked) and share
 * accounting (PoolStore.accountShares; the share processor end to end). In-memory always;
 * Kafka and Redis when EAGLEPOOL_KAFKA_BROKERS / EAGLEPOOL_REDIS_URL point at servers
 * (e.g. `eval "$(npx tsx e2e/infra/cli.ts up redis,kafka)"`).
 */
import { randomUUID } from 'node:crypto';
import type { ShareRecord } from '../../proto/gen/shares.js';
import { KafkaBus } from '../src/bus/kafka.js';
import { MemoryBus } from '../src/bus/memory.js';
import { createShareLog, shareIdFor } from '../src/bus/records.js';
import { poolTopicSpecs, poolTopics } from '../src/bus/topics.js';
import type { EventBus } from '../src/bus/types.js';
import { loadConfig } from '../src/config/load.js';
import { silentLogger } from '../src/observability/logger.js';
import { startShareprocessor } from '../src/services/shareprocessor.js';
import { MemoryStore } from '../src/store/memory.js';
import { RedisStore } from '../src/store/redis.js';
import type { AccountingOptions, PoolStore } from '../src/store/types.js';
import { fmt, table, type BenchSection } from './measure.js';

const USERS = 200;

function makeShares(n: number, run: string): ShareRecord[] {
  const now = BigInt(Date.now());
  return Array.from({ length: n }, (_, i) => {
    const nonce = new Uint8Array(16);
    new DataView(nonce.buffer).setUint32(12, i, true);
    new DataView(nonce.buffer).setUint32(0, Number.parseInt(run.slice(0, 8), 16), true);
    return {
      shareId: shareIdFor(1, nonce),
      user: `user${i % USERS}`,
      worker: `rig${i % 7}`,
      jobId: 1,
      difficulty: 1024 + (i % 13),
      isBlock: false,
      acceptedAt: now,
      replica: 0,
      channelId: i % 1000,
      nonce,
    };
  });
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

/** Appends `n` shares with `concurrency` appends in flight (as a stratum replica does), all acked. */
async function logShares(
  bus: EventBus,
  prefix: string,
  shares: ShareRecord[],
  concurrency: number,
): Promise<number> {
  const log = createShareLog(bus, poolTopics(prefix));
  let next = 0;
  return timed(async () => {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < shares.length) await log.append(shares[next++]!);
      }),
    );
  });
}

/** Accounts `shares` as share-log messages of `chunk` shares (offsets from 0), one call per message. */
async function account(
  store: PoolStore,
  shares: ShareRecord[],
  chunk: number,
  partition: string,
): Promise<number> {
  const opts: AccountingOptions = { pplnsWindow: 1e9, hashrateWindowSec: 600 };
  return timed(async () => {
    for (let i = 0; i < shares.length; i += chunk) {
      const messages = [{ offset: i / chunk, shares: shares.slice(i, i + chunk) }];
      await store.accountShares({ partition, messages }, opts);
    }
  });
}

export default async function bench(): Promise<BenchSection> {
  const rows: string[][] = [];
  const row = (what: string, n: number, seconds: number) => rows.push([what, fmt(n), fmt(n / seconds)]);
  const kafka = process.env.EAGLEPOOL_KAFKA_BROKERS?.split(',').filter(Boolean);
  const redisUrl = process.env.EAGLEPOOL_REDIS_URL;

  // --- share logging -------------------------------------------------------------------
  {
    const bus = new MemoryBus();
    const prefix = 'bench-mem';
    await bus.ensureTopics(poolTopicSpecs(poolTopics(prefix), 1));
    const n = 200_000;
    row(
      'ShareLog.append, in-memory bus (ShareBatch of ≤500, linger 2 ms), 1000 in flight',
      n,
      await logShares(bus, prefix, makeShares(n, randomUUID()), 1000),
    );
    await bus.close();
  }
  if (kafka) {
    const bus = new KafkaBus({
      brokers: kafka,
      clientId: 'bench',
      lingerMs: 5,
      batchMax: 500,
      replicationFactor: -1,
      logger: silentLogger,
    });
    await bus.connect();
    const prefix = `bench-${randomUUID().slice(0, 8)}`;
    await bus.ensureTopics(poolTopicSpecs(poolTopics(prefix), 1));
    await logShares(bus, prefix, makeShares(5000, randomUUID()), 1000); // warm-up
    for (const inFlight of [100, 1000, 5000]) {
      const n = 50_000;
      row(
        `ShareLog.append, Kafka (ShareBatch of ≤500, linger 2 ms; idempotent, acks=all), ${inFlight} in flight`,
        n,
        await logShares(bus, prefix, makeShares(n, randomUUID()), inFlight),
      );
    }
    await bus.close();
  }

  // --- accounting ------------------------------------------------------------------------
  {
    const n = 200_000;
    row(
      'accountShares, in-memory store, chunks of 500',
      n,
      await account(new MemoryStore(), makeShares(n, randomUUID()), 500, 'bench:0'),
    );
  }
  if (redisUrl) {
    const store = new RedisStore({ url: redisUrl, keyPrefix: `bench:${randomUUID()}:` });
    await store.connect();
    const n = 50_000;
    row(
      'accountShares, Redis (one Lua call per 500 shares)',
      n,
      await account(store, makeShares(n, randomUUID()), 500, 'bench:0'),
    );
    const again = makeShares(n, randomUUID());
    await account(store, again, 500, 'bench:1');
    row(
      'accountShares, Redis, all redelivered (below the position)',
      n,
      await account(store, again, 500, 'bench:1'),
    );
    await store.close();
  }

  // --- share processor end to end: shares already in the topic → accounted -------------
  if (kafka && redisUrl) {
    const prefix = `bench-${randomUUID().slice(0, 8)}`;
    const bus = new KafkaBus({
      brokers: kafka,
      clientId: 'bench-sp',
      lingerMs: 5,
      batchMax: 500,
      replicationFactor: -1,
      logger: silentLogger,
    });
    await bus.connect();
    await bus.ensureTopics(poolTopicSpecs(poolTopics(prefix), 1));
    const n = 50_000;
    await logShares(bus, prefix, makeShares(n, randomUUID()), 2000);
    const store = new RedisStore({ url: redisUrl, keyPrefix: `${prefix}:` });
    await store.connect();
    const config = loadConfig({
      file: null,
      env: {},
      base: {
        kafka: { topicPrefix: prefix },
        shareprocessor: { httpListen: '127.0.0.1:0', groupId: `${prefix}-sp` },
      },
    });
    const started = performance.now();
    const sp = await startShareprocessor(config, { store, bus, logger: silentLogger, healthServer: false });
    while (sp.accounted() === 0) await new Promise((r) => setTimeout(r, 5));
    const firstAt = performance.now();
    while (sp.accounted() < n) await new Promise((r) => setTimeout(r, 5));
    const seconds = (performance.now() - firstAt) / 1000;
    row('share processor, Kafka → Redis, from the first share accounted to the last', n, seconds);
    rows.push(['(consumer group join before the first share)', '', `${fmt(firstAt - started)} ms`]);
    await sp.stop();
    await bus.close();
    await store.close();
  }

  const missing = [
    !kafka && 'Kafka (EAGLEPOOL_KAFKA_BROKERS)',
    !redisUrl && 'Redis (EAGLEPOOL_REDIS_URL)',
  ].filter(Boolean);
  return {
    title: 'Pool services: share logging and accounting',
    markdown: [
      table(['Operation', 'Shares', 'Shares/s'], rows),
      '',
      `${USERS} users × 7 workers. Kafka and Redis are the single local servers of the infra harness (loopback).` +
        (missing.length > 0 ? ` Not measured (not configured): ${missing.join(', ')}.` : ''),
    ].join('\n'),
  };
}
