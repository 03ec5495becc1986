/**
 * The distributed pool for end-to-end tests, against the harness's real Redis and Kafka:
 * devnet, job maker, block maker and share processor in the test process (their start
 * functions, gRPC on loopback), stratum replicas as child processes (`ReplicaProcess`),
 * and probes on what the pipeline recorded (the share log, Redis accounting, consumer-group lag).
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaBrokers, redisUrl } from '../infra/env.js';
import { KafkaBus } from '../../pool/src/bus/kafka.js';
import { decodeShareMessage } from '../../pool/src/bus/records.js';
import { poolTopicSpecs, poolTopics, type PoolTopics } from '../../pool/src/bus/topics.js';
import { difficultyToTarget, targetToCompact } from '../../pool/src/ckb/target.js';
import { loadConfig } from '../../pool/src/config/load.js';
import { startDevnet, type Devnet } from '../../pool/src/devnet/index.js';
import { silentLogger } from '../../pool/src/observability/logger.js';
import { startPoolServices } from '../../pool/src/services/all.js';
import type { BlockmakerHandle } from '../../pool/src/services/blockmaker.js';
import type { JobmakerHandle } from '../../pool/src/services/jobmaker.js';
import { startShareprocessor, type ShareprocessorHandle } from '../../pool/src/services/shareprocessor.js';
import { RedisStore } from '../../pool/src/store/redis.js';
import { makeNoiseDir } from './noise-dir.js';
import { ReplicaProcess } from './replica.js';

export interface Pipeline {
  prefix: string;
  topics: PoolTopics;
  devnet: Devnet;
  store: RedisStore;
  jobmaker: JobmakerHandle;
  blockmaker: BlockmakerHandle;
  /** The running share processor (a new one after resumeAccounting). */
  readonly shareprocessor: ShareprocessorHandle;
  authorityPublicKey: string;
  /** The Noise key directory as the operator mounts it (for a stratum service in this process). */
  noiseDir: string;
  /** Starts `eaglepool pool stratum` in a child process against this pipeline. */
  startReplica(
    name: string,
    opts?: { blockmakerUrl?: string; sets?: Record<string, string | number> },
  ): Promise<ReplicaProcess>;
  /**
   * Stops the share processor (its group keeps its committed offsets); `resumeAccounting`
   * starts a new one that goes on from there. Benchmarks use it to keep accounting off the
   * cores they measure.
   */
  pauseAccounting(): Promise<void>;
  resumeAccounting(): Promise<void>;
  /**
   * Which of these share ids the share processor accounted. Accounting keeps no per-share
   * state (a position per log partition), so this reads the shares topic to its end and
   * checks that the accounted total is exactly the number of records logged, none of them
   * twice; then the accounted shares are the logged ones. Call once the topic is drained.
   */
  accountedOf(shareIds: readonly string[]): Promise<Set<string>>;
  /** Shares accounted pool-wide (the share processor's totals in Redis). */
  accountedTotal(): Promise<number>;
  /** True when the share processor's group has committed every message of the shares topic. */
  sharesDrained(): Promise<boolean>;
  /**
   * Share ids of the block candidates in the block-candidates topic (what replicas logged
   * durably), once a probe consumer has read up to the topic's end.
   */
  loggedCandidates(): Promise<Set<string>>;
  stop(): Promise<void>;
}

export interface PipelineOptions {
  /** Devnet difficulty (expected hashes per block). */
  networkDifficulty: bigint;
  blockTimeMs: number;
}

/** A loopback port nothing listens on (a dead dependency). */
export async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startPipeline(opts: PipelineOptions): Promise<Pipeline> {
  const env = { redisUrl: redisUrl(), kafkaBrokers: kafkaBrokers() };
  const prefix = `e2e${randomUUID().slice(0, 8)}`;
  const topics = poolTopics(prefix);
  const cleanups: (() => Promise<unknown> | void)[] = [];
  const stop = async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  };
  try {
    const devnet = await startDevnet({
      initialCompactTarget: targetToCompact(difficultyToTarget(opts.networkDifficulty)),
      blockTimeMs: opts.blockTimeMs,
    });
    cleanups.push(() => devnet.stop());

    const bus = new KafkaBus({
      brokers: env.kafkaBrokers,
      clientId: `${prefix}-services`,
      lingerMs: 2,
      batchMax: 500,
      replicationFactor: -1,
      logger: silentLogger,
    });
    await bus.connect();
    cleanups.push(() => bus.close());
    const store = new RedisStore({ url: env.redisUrl, keyPrefix: `${prefix}:` });
    await store.connect();
    cleanups.push(() => store.close());
    // Two partitions: the two replicas' shares (keyed by replica id) may land on different ones.
    await bus.ensureTopics(poolTopicSpecs(topics, 2));

    const base = {
      instanceId: 'services',
      ckb: { rpcUrl: devnet.url, subscribeUrl: devnet.subscriptionUrl, pollIntervalMs: 200 },
      redis: { url: env.redisUrl, keyPrefix: `${prefix}:` },
      kafka: { brokers: env.kafkaBrokers, topicPrefix: prefix, lingerMs: 2 },
      jobmaker: { grpcListen: '127.0.0.1:0', healthPort: 0, leaseTtlMs: 2000 },
      blockmaker: { grpcListen: '127.0.0.1:0', healthPort: 0 },
      shareprocessor: { httpListen: '127.0.0.1:0', healthPort: 0 },
    };
    const config = loadConfig({ file: null, env: {}, base });
    const deps = { bus, store, logger: silentLogger };
    const services = await startPoolServices(config, deps);
    const { jobmaker, blockmaker } = services;
    let { shareprocessor } = services;
    cleanups.push(services.stop);

    // The Noise Secret as the operator mounts it: hex files.
    const noise = makeNoiseDir();
    cleanups.push(() => noise.remove());
    const noiseDir = noise.dir;

    const kafka = new Kafka({
      clientId: `${prefix}-probe`,
      brokers: env.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    const groupId = `${prefix}-shareprocessor`;

    // Probe: reads the block-candidates topic as the block maker's backstop does (own group).
    const candidates = new Set<string>();
    const consumedUpTo = new Map<number, bigint>();
    const probe = kafka.consumer({ groupId: `${prefix}-probe`, maxWaitTimeInMs: 200 });
    await probe.connect();
    cleanups.push(() => probe.disconnect());
    await probe.subscribe({ topic: topics.blockCandidates, fromBeginning: true });
    await probe.run({
      eachMessage: async ({ partition, message }) => {
        candidates.add(message.key!.toString('utf8'));
        consumedUpTo.set(partition, BigInt(message.offset) + 1n);
      },
    });

    // Probe: reads the shares topic (what replicas logged durably), share id → records.
    const loggedShares = new Map<string, number>();
    const sharesReadUpTo = new Map<number, bigint>();
    const sharesProbe = kafka.consumer({ groupId: `${prefix}-shares-probe`, maxWaitTimeInMs: 200 });
    await sharesProbe.connect();
    cleanups.push(() => sharesProbe.disconnect());
    await sharesProbe.subscribe({ topic: topics.shares, fromBeginning: true });
    await sharesProbe.run({
      eachMessage: async ({ partition, message }) => {
        for (const sh of decodeShareMessage(message.value!)) {
          loggedShares.set(sh.shareId, (loggedShares.get(sh.shareId) ?? 0) + 1);
        }
        sharesReadUpTo.set(partition, BigInt(message.offset) + 1n);
      },
    });

    const replicas: ReplicaProcess[] = [];
    cleanups.push(() => Promise.all(replicas.map((r) => r.stop(5000))));

    return {
      prefix,
      topics,
      devnet,
      store,
      jobmaker,
      blockmaker,
      get shareprocessor() {
        return shareprocessor;
      },
      authorityPublicKey: noise.authorityPublicKey,
      noiseDir,
      async startReplica(name, o = {}) {
        const replica = await ReplicaProcess.start({
          name,
          noiseDir,
          sets: {
            instanceId: name,
            'redis.url': env.redisUrl,
            'redis.keyPrefix': `${prefix}:`,
            'kafka.brokers': env.kafkaBrokers.join(','),
            'kafka.topicPrefix': prefix,
            'kafka.lingerMs': 2,
            'services.jobmakerUrl': `127.0.0.1:${jobmaker.grpcPort}`,
            'services.blockmakerUrl': o.blockmakerUrl ?? `127.0.0.1:${blockmaker.grpcPort}`,
            'stratum.listen': '127.0.0.1:0',
            'stratum.healthPort': 0,
            'stratum.replicaLeaseTtlMs': 3000,
            logLevel: 'info',
            ...o.sets,
          },
          // Keep share difficulty at the floor: shares stay cheap for the simulated miners.
          env: { EAGLEPOOL_VARDIFF_TARGET_SECONDS: '0.05' },
        });
        replicas.push(replica);
        return replica;
      },
      async pauseAccounting() {
        await shareprocessor.stop();
      },
      async resumeAccounting() {
        shareprocessor = await startShareprocessor(config, deps);
        cleanups.push(() => shareprocessor.stop());
      },
      async accountedOf(shareIds) {
        const caughtUp = async () =>
          (await admin.fetchTopicOffsets(topics.shares)).every(
            (end) => BigInt(end.high) <= (sharesReadUpTo.get(end.partition) ?? 0n),
          );
        await waitFor('the probe to read the shares topic', caughtUp, 15_000);
        const records = [...loggedShares.values()].reduce((n, c) => n + c, 0);
        const twice = [...loggedShares].filter(([, c]) => c > 1).map(([id]) => id);
        if (twice.length > 0)
          throw new Error(`share ids logged more than once: ${twice.slice(0, 5).join(', ')}`);
        const total = (await store.poolStats(Date.now(), 600)).shares;
        if (total !== records) throw new Error(`accounted ${total} shares, the share log holds ${records}`);
        return new Set(shareIds.filter((id) => loggedShares.has(id)));
      },
      async accountedTotal() {
        return (await store.poolStats(Date.now(), 600)).shares;
      },
      async sharesDrained() {
        const [ends, [committed]] = await Promise.all([
          admin.fetchTopicOffsets(topics.shares),
          admin.fetchOffsets({ groupId, topics: [topics.shares] }),
        ]);
        return ends.every((end) => {
          const c = committed!.partitions.find((p) => p.partition === end.partition);
          return BigInt(end.high) === 0n || (c !== undefined && BigInt(c.offset) >= BigInt(end.high));
        });
      },
      async loggedCandidates() {
        const caughtUp = async () =>
          (await admin.fetchTopicOffsets(topics.blockCandidates)).every(
            (end) => BigInt(end.high) <= (consumedUpTo.get(end.partition) ?? 0n),
          );
        await waitFor('the probe to read the block-candidates topic', caughtUp, 15_000);
        return new Set(candidates);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Waits for `probe` with a deadline; fails with `what` and the probe's last detail. */
export async function waitFor(
  what: string,
  probe: () => boolean | string | Promise<boolean | string>,
  ms: number,
  detail: () => string = () => '',
): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const r = await probe();
    if (r === true) return;
    if (Date.now() > until) {
      throw new Error(
        `timed out after ${ms} ms waiting for ${what}${typeof r === 'string' ? `: ${r}` : ''}\n${detail()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
