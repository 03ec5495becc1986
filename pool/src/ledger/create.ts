import { redisSecurity } from '../config/connections.js';
import type { PoolConfig } from '../config/schema.js';
import { MemoryLedgerStore } from './memory-store.js';
import { RedisLedgerStore } from './redis-store.js';
import type { LedgerStore } from './store.js';

/** Redis when `redis.url` is set (connected before returning), else in memory (single process only). */
export async function createLedgerStore(config: PoolConfig): Promise<LedgerStore> {
  if (!config.redis.url) return new MemoryLedgerStore();
  const store = new RedisLedgerStore({
    url: config.redis.url,
    keyPrefix: config.redis.keyPrefix,
    ...redisSecurity(config.redis),
  });
  await store.connect();
  return store;
}
