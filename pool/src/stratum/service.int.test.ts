/**
 * The distributed pool with real Redis and Kafka: devnet, job maker and block maker over gRPC,
 * share processor, a `pool stratum` replica (replica id leased in Redis, Noise keys from files as
 * the operator mounts them) and the CPU miner over TCP + Noise.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { kafkaBrokers, redisUrl } from '../../../e2e/infra/env.js';
import { makeNoiseDir } from '../../../e2e/pool/noise-dir.js';
import { KafkaBus } from '../bus/kafka.js';
import { poolTopicSpecs, poolTopics } from '../bus/topics.js';
import { loadConfig } from '../config/load.js';
import { startDevnet } from '../devnet/index.js';
import { Sv2Miner } from '../miner/sv2-miner.js';
import { silentLogger } from '../observability/logger.js';
import { startPoolServices } from '../services/all.js';
import { RedisStore } from '../store/redis.js';
import { startStratumService } from './service.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function eventually(probe: () => boolean | Promise<boolean>, ms = 90_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('pool stratum with Redis, Kafka, gRPC services and the devnet', () => {
  it('a CPU miner finds a block the devnet accepts; shares reach the share processor', async () => {
    const env = { redisUrl: redisUrl(), kafkaBrokers: kafkaBrokers() };
    const prefix = `st${randomUUID().slice(0, 8)}`;
    // Difficulty 2^20: a block every few seconds for one CPU thread (an easier chain floods submit_block).
    const devnet = await startDevnet({ initialCompactTarget: 0x1e100000, blockTimeMs: 3000 });
    cleanups.push(() => devnet.stop());

    const base = {
      ckb: { rpcUrl: devnet.url, subscribeUrl: devnet.subscriptionUrl, pollIntervalMs: 200 },
      redis: { url: env.redisUrl, keyPrefix: `${prefix}:` },
      kafka: { brokers: env.kafkaBrokers, topicPrefix: prefix, lingerMs: 2 },
      jobmaker: { grpcListen: '127.0.0.1:0', healthPort: 0, leaseTtlMs: 2000 },
      blockmaker: { grpcListen: '127.0.0.1:0', healthPort: 0 },
      shareprocessor: { httpListen: '127.0.0.1:0', healthPort: 0 },
      stratum: { listen: '127.0.0.1:0', healthPort: 0, replicaLeaseTtlMs: 3000 },
    };
    const backends = async (name: string) => {
      const bus = new KafkaBus({
        brokers: env.kafkaBrokers,
        clientId: `${prefix}-${name}`,
        lingerMs: 2,
        batchMax: 500,
        replicationFactor: -1,
        logger: silentLogger,
      });
      await bus.connect();
      const store = new RedisStore({ url: env.redisUrl, keyPrefix: `${prefix}:` });
      await store.connect();
      cleanups.push(async () => (await bus.close(), await store.close()));
      return { bus, store, logger: silentLogger };
    };
    const services = await backends('services');
    await services.bus.ensureTopics(poolTopicSpecs(poolTopics(prefix), 1));
    const config = loadConfig({ file: null, env: {}, base: { ...base, instanceId: 'services' } });
    const {
      jobmaker,
      blockmaker,
      shareprocessor,
      stop: stopServices,
    } = await startPoolServices(config, services);
    cleanups.push(stopServices);

    // The Noise Secret as the operator mounts it: hex files.
    const noise = makeNoiseDir();
    cleanups.push(() => noise.remove());
    const noiseDir = noise.dir;

    const stratumConfig = loadConfig({
      file: null,
      env: {},
      base: {
        ...base,
        instanceId: 'stratum-0',
        services: {
          jobmakerUrl: `127.0.0.1:${jobmaker.grpcPort}`,
          blockmakerUrl: `127.0.0.1:${blockmaker.grpcPort}`,
        },
      },
    });
    const stratum = await startStratumService(stratumConfig, { noiseDir, logger: silentLogger });
    let stopped = false;
    cleanups.push(() => (stopped ? undefined : stratum.stop()));
    expect(stratum.replicaId).toBe(0);

    const miner = await Sv2Miner.start({
      host: '127.0.0.1',
      port: stratum.server.port,
      authorityPublicKey: noise.authorityPublicKey,
      user: 'carol.rig',
      threads: 1,
      mode: 'sv2-standard',
      // The drain below must end the miner (a reconnecting miner would wait for a new replica).
      reconnect: false,
    });
    cleanups.push(() => miner.stop());

    const startHeight = devnet.tipNumber();
    await eventually(() => stratum.server.stats.blocks > 0 && devnet.tipNumber() > startHeight);
    await eventually(async () => (await services.store.listBlocks(10)).some((b) => b.status === 'accepted'));
    const [block] = (await services.store.listBlocks(10)).filter((b) => b.status === 'accepted');
    expect(devnet.blocks().some((b) => b.hash === block!.blockHash)).toBe(true);
    expect(block!.user).toBe('carol');
    await eventually(() => shareprocessor.accounted() > 0);

    // Drain: the miner is told to reconnect.
    const closed = new Promise<string>((resolve) => miner.onClose(resolve));
    await stratum.stop();
    stopped = true;
    expect(await closed).toMatch(/reconnect|closed/);
  }, 180_000);
});
