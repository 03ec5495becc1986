import type { PoolConfig } from '../config/schema.js';
import { MemoryStore } from './memory.js';
import { RedisStore } from './redis.js';
import type { PoolStore } from './types.js';

/** Redis when `redis.url` is set (connected before returning), else an in-memory store. */
export async function createStore(config: PoolConfig): Promise<PoolStore> {
  if (!config.redis.url) return new MemoryStore();
  const store = new RedisStore({ url: config.redis.url, keyPrefix: config.redis.keyPrefix });
  await store.connect();
  return store;
}
