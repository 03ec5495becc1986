export {
  Translator,
  DEFAULT_CONNECTION_LIMITS,
  type ListenerOptions,
  type TranslatorOptions,
  type TranslatorStats,
} from './translator.js';
export { DIALECT_NAMES, type Dialect, type DialectName } from './dialect.js';
export { DIALECTS, dialectForAgent, isDialectName } from './dialects/index.js';
export { Upstream, type UpstreamOptions } from './upstream.js';
export { UpstreamChannel, SliceAllocator, EXTRANONCE2_SIZE, type ChannelJob } from './channel.js';
export {
  V1Downstream,
  DEFAULT_DOWNSTREAM_LIMITS,
  type DownstreamHub,
  type DownstreamLimits,
} from './downstream.js';
export * from '../mining/v1-wire.js';
export { HeightTracker, rpcHeightLookup, type HeightLookup } from './height.js';
