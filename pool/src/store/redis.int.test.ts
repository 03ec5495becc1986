import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redisUrl } from '../../../e2e/infra/env.js';
import { share, storeContract } from './testing/contract.js';
import { RedisStore } from './redis.js';

storeContract('redis', async () => {
  const store = new RedisStore({ url: redisUrl(), keyPrefix: `contract:${randomUUID()}:` });
  await store.connect();
  return store;
});

describe('RedisStore accounting memory', () => {
  it('costs O(1) per share-log partition, not a key per share (#19 item 6)', async () => {
    const prefix = `mem:${randomUUID()}:`;
    const store = new RedisStore({ url: redisUrl(), keyPrefix: prefix });
    await store.connect();
    const redis = new Redis(redisUrl());
    const keys = async () => (await redis.keys(`${prefix}*`)).length;
    const opts = { pplnsWindow: 1e12, hashrateWindowSec: 600 };
    const shares = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => share({ shareId: `9:${from + i}`, user: `u${i % 4}` }));
    try {
      await store.accountShares(
        { partition: 'shares:0', messages: [{ offset: 0, shares: shares(0, 4) }] },
        opts,
      );
      const before = await keys();
      for (let m = 1; m <= 20; m++) {
        const messages = [{ offset: m, shares: shares(m * 500, 500) }];
        expect(await store.accountShares({ partition: 'shares:0', messages }, opts)).toBe(500);
      }
      // 10,000 more shares of the same users and workers: not one key more (the share log
      // position is one hash field per partition; before, one acct:<share_id> key per share).
      expect(await keys()).toBe(before);
      expect((await store.poolStats(Date.now(), 600)).shares).toBe(10_004);
    } finally {
      await store.close();
      redis.disconnect();
    }
  });
});
