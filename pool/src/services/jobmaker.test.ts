import { setTimeout as delay } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory.js';
import { publishFoundBlock } from '../bus/records.js';
import { poolTopicSpecs, poolTopics } from '../bus/topics.js';
import { bytesToHex } from '../ckb/hex.js';
import { CkbRpcClient } from '../ckb-node/rpc.js';
import { mainnetBlockRaw } from '../ckb/testing/fixtures/index.js';
import { templateFromBlock } from '../ckb/testing/fixtures/template.js';
import { loadConfig } from '../config/load.js';
import { startDevnet } from '../devnet/index.js';
import { mineBlocks } from '../devnet/testing/mine.js';
import { silentLogger } from '../observability/logger.js';
import { MemoryStore } from '../store/memory.js';
import { startJobmaker, templateBehindTip } from './jobmaker.js';

describe('templateBehindTip', () => {
  const mined = mainnetBlockRaw();
  const t = templateFromBlock(mined, 9); // number N, parent P
  const n = BigInt(t.number);
  const other = '0x' + 'cd'.repeat(32);

  it('follows when it builds on the tip, or no tip is known', () => {
    expect(templateBehindTip(t, { hash: t.parent_hash, number: n - 1n })).toBe(false);
    expect(templateBehindTip(t, undefined)).toBe(false);
  });

  it('is behind when the tip moved to its height or past it on another block', () => {
    expect(templateBehindTip(t, { hash: mined.header.hash, number: n })).toBe(true);
    expect(templateBehindTip(t, { hash: other, number: n + 5n })).toBe(true);
    // A reorg at the parent's height: same height, another parent.
    expect(templateBehindTip(t, { hash: other, number: n - 1n })).toBe(true);
  });

  it('is not behind when it is for a later height than the tip (the watcher lags)', () => {
    expect(templateBehindTip(t, { hash: other, number: n - 2n })).toBe(false);
  });
});

describe('job maker: the pool’s own blocks from the blocks topic (multi-process)', () => {
  it('takes a block the block maker recorded as accepted for the new tip: the next job builds on it without the node’s push or a poll', async () => {
    // No TCP subscription and a 60 s poll (the longest allowed): within the 20 s deadline only the blocks topic can tell the job maker.
    const devnet = await startDevnet({ initialCompactTarget: 0x20010000, subscriptionPort: false });
    const rpc = new CkbRpcClient({ url: devnet.url, registry: new Registry() });
    const config = loadConfig({
      file: null,
      env: {},
      base: { ckb: { rpcUrl: devnet.url, pollIntervalMs: 60_000 }, jobmaker: { healthPort: 0 } },
    });
    const topics = poolTopics(config.kafka.topicPrefix);
    const bus = new MemoryBus({ retryMs: 10 });
    await bus.ensureTopics(poolTopicSpecs(topics, 1));
    const store = new MemoryStore();
    const jobmaker = await startJobmaker(config, {
      bus,
      store,
      rpc,
      logger: silentLogger,
      healthServer: false,
      listen: false,
    });
    const jobOn = async (parent: string, what: string) => {
      for (const until = Date.now() + 20_000; Date.now() < until; await delay(20)) {
        const job = jobmaker.jobs.current();
        if (job && bytesToHex(job.parentHash) === parent) return job;
      }
      throw new Error(`no job on ${what} (${parent}) within 20 s`);
    };
    try {
      await jobOn(devnet.tip().hash, 'genesis');
      const [hash] = await mineBlocks(rpc, 1);
      await publishFoundBlock(bus, topics, {
        blockHash: hash!,
        number: 1n,
        jobId: 1,
        shareId: '1:00',
        user: 'alice',
        worker: '',
        foundAt: BigInt(Date.now()),
        reward: '0',
        status: 'accepted',
        reason: '',
      });
      expect((await jobOn(hash!, 'the pool’s accepted block')).number).toBe(2n);
    } finally {
      await jobmaker.stop();
      rpc.close();
      await bus.close();
      await store.close();
      await devnet.stop();
    }
  });
});
