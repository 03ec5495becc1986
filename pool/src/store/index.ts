export {
  BUCKET_SEC,
  type PoolStore,
  type AccountingOptions,
  type ShareTotals,
  type WorkerStats,
  type UserStats,
  type PoolStats,
  type NetworkInfo,
} from './types.js';
export { MemoryStore } from './memory.js';
export { RedisStore, type RedisStoreOptions } from './redis.js';
export { leaseReplicaId, holdLease, replicaLeaseName, type HeldLease, type LeaseOptions } from './leases.js';
export { pplnsSplit } from './pplns.js';
export { createStore } from './create.js';
