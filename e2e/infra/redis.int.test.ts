import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUrl } from './env.js';

describe('infra: Redis', () => {
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('answers PING and round-trips SET/GET', async () => {
    await redis.connect();
    expect(await redis.ping()).toBe('PONG');
    const key = `infra-smoke:${process.pid}:${Date.now()}`;
    expect(await redis.set(key, 'eaglepool', 'EX', 60)).toBe('OK');
    expect(await redis.get(key)).toBe('eaglepool');
    expect(await redis.del(key)).toBe(1);
    expect(await redis.get(key)).toBeNull();
  });

  it('runs without persistence', async () => {
    const [, save] = (await redis.config('GET', 'save')) as [string, string];
    const [, aof] = (await redis.config('GET', 'appendonly')) as [string, string];
    expect(save).toBe('');
    expect(aof).toBe('no');
  });
});
