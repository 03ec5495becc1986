import { redisSecurity } from '../config/connections.js';
import type { PoolConfig } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import { MemoryStore } from './memory.js';
import { RedisStore } from './redis.js';
import type { PoolStore } from './types.js';

/** Redis when `redis.url` is set (connected before returning), else an in-memory store. */
export async function createStore(config: PoolConfig, logger?: Logger): Promise<PoolStore> {
  if (!config.redis.url) return new MemoryStore();
  const store = new RedisStore({
    url: config.redis.url,
    keyPrefix: config.redis.keyPrefix,
    ...redisSecurity(config.redis),
    onError: (err) => logger?.warn('redis connection error', { error: err.message }),
  });
  await store.connect();
  return store;
}
