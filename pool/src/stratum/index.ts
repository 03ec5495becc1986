/**
 * The SV2 stratum layer for CKB: pure channel logic (engine, jobs, channels, vardiff, nonce and
 * extranonce handling), the server I/O edge, the pool adapters and the replica service.
 * See docs/stratum.md and docs/protocol.md.
 */
export { ExtranonceAllocator, COUNTER_BYTES, NONCE_BYTES, STANDARD_PREFIX_BYTES } from './extranonce.js';
export type { ExtranonceAllocation } from './extranonce.js';
export { standardNonce, extendedNonce, nonceToU128, u128ToNonce } from './nonce.js';
export { JobBook, hashMeetsTarget } from './jobs.js';
export type { Job, JobLookup, JobTemplate, PowHasher } from './jobs.js';
export { Vardiff, DEFAULT_VARDIFF, initialTarget } from './vardiff.js';
export type { VardiffConfig } from './vardiff.js';
export { Channel } from './channel.js';
export type { ChannelKind } from './channel.js';
export { StratumEngine, MiningConnection } from './engine.js';
export type { AcceptedShare, BlockCandidate, EngineConfig, EngineEvents } from './engine.js';
export { StratumServer, DEFAULT_LIMITS } from './server.js';
export type { StratumLimits, StratumServerOptions, StratumSink, StratumStats } from './server.js';
export { createPoolSink, jobTemplateFromProto, splitIdentity } from './sink.js';
export type { PoolSink, PoolSinkOptions } from './sink.js';
export { startStratumService, readNoiseKeys } from './service.js';
export type { StratumService, StratumServiceOptions } from './service.js';
export { startDevPool } from './dev-pool.js';
export type { DevPool, DevPoolOptions, DevPoolStatus } from './dev-pool.js';
