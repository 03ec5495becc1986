/**
 * The distributed pool with real Redis and Kafka (the end-to-end pipeline: devnet, job maker and
 * block maker over gRPC, share processor), a `pool stratum` service in this process (replica id
 * leased in Redis, Noise keys from files as the operator mounts them) and the CPU miner over TCP +
 * Noise.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { kafkaBrokers, redisUrl } from '../../../e2e/infra/env.js';
import { startPipeline } from '../../../e2e/pool/pipeline.js';
import { loadConfig } from '../config/load.js';
import { Sv2Miner } from '../miner/sv2-miner.js';
import { silentLogger } from '../observability/logger.js';
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
    // Difficulty 2^20: a block every few seconds for one CPU thread (an easier chain floods submit_block).
    const pipeline = await startPipeline({ networkDifficulty: 1n << 20n, blockTimeMs: 3000 });
    cleanups.push(() => pipeline.stop());
    const { devnet, store, jobmaker, blockmaker, shareprocessor, prefix } = pipeline;
    const stratumConfig = loadConfig({
      file: null,
      env: {},
      base: {
        instanceId: 'stratum-0',
        redis: { url: redisUrl(), keyPrefix: `${prefix}:` },
        kafka: { brokers: kafkaBrokers(), topicPrefix: prefix, lingerMs: 2 },
        services: {
          jobmakerUrl: `127.0.0.1:${jobmaker.grpcPort}`,
          blockmakerUrl: `127.0.0.1:${blockmaker.grpcPort}`,
        },
        stratum: { listen: '127.0.0.1:0', healthPort: 0, replicaLeaseTtlMs: 3000 },
      },
    });
    const stratum = await startStratumService(stratumConfig, {
      noiseDir: pipeline.noiseDir,
      logger: silentLogger,
    });
    let stopped = false;
    cleanups.push(() => (stopped ? undefined : stratum.stop()));
    expect(stratum.replicaId).toBe(0);

    const miner = await Sv2Miner.start({
      host: '127.0.0.1',
      port: stratum.server.port,
      authorityPublicKey: pipeline.authorityPublicKey,
      user: 'carol.rig',
      threads: 1,
      mode: 'sv2-standard',
      // The drain below must end the miner (a reconnecting miner would wait for a new replica).
      reconnect: false,
    });
    cleanups.push(() => miner.stop());

    const startHeight = devnet.tipNumber();
    await eventually(() => stratum.server.stats.blocks > 0 && devnet.tipNumber() > startHeight);
    await eventually(async () => (await store.listBlocks(10)).some((b) => b.status === 'accepted'));
    const [block] = (await store.listBlocks(10)).filter((b) => b.status === 'accepted');
    expect(devnet.blocks().some((b) => b.hash === block!.blockHash)).toBe(true);
    expect(block!.user).toBe('carol');
    await eventually(() => shareprocessor.accounted() > 0);

    // Drain: not ready from its first moment (endpoints drop the replica), the miner is told to reconnect.
    expect(stratum.ready()).toEqual({ ready: true });
    const closed = new Promise<string>((resolve) => miner.onClose(resolve));
    const stopping = stratum.stop();
    expect(stratum.ready()).toEqual({ ready: false, reason: 'draining' });
    await stopping;
    stopped = true;
    expect(await closed).toMatch(/reconnect|closed/);
  }, 180_000);
});
