export type { EventBus, BusMessage, OutMessage, SubscribeOptions, Subscription, TopicSpec } from './types.js';
export { MemoryBus, type MemoryBusOptions } from './memory.js';
export { KafkaBus, type KafkaBusOptions } from './kafka.js';
export { poolTopics, poolTopicSpecs, type PoolTopics } from './topics.js';
export {
  FoundBlock,
  Job,
  ShareBatch,
  ShareRecord,
  SolvedBlock,
  shareIdFor,
  toHex,
  createShareLog,
  decodeShareMessage,
  logBlockCandidate,
  publishJob,
  publishFoundBlock,
  type ShareLog,
  type ShareLogOptions,
} from './records.js';
export { createBus } from './create.js';
