import { kafkaSecurity } from '../config/connections.js';
import type { PoolConfig } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import { KafkaBus } from './kafka.js';
import { MemoryBus } from './memory.js';
import { poolTopicSpecs, poolTopics } from './topics.js';
import type { EventBus } from './types.js';

/** Kafka when `kafka.brokers` is set, else an in-memory bus; the pool topics exist afterwards. */
export async function createBus(config: PoolConfig, logger: Logger): Promise<EventBus> {
  const topics = poolTopicSpecs(poolTopics(config.kafka.topicPrefix), config.kafka.partitions);
  if (config.kafka.brokers.length === 0) {
    const bus = new MemoryBus();
    await bus.ensureTopics(topics);
    return bus;
  }
  const bus = new KafkaBus({
    brokers: config.kafka.brokers,
    clientId: `${config.kafka.clientId}-${config.instanceId}`,
    lingerMs: config.kafka.lingerMs,
    batchMax: config.kafka.batchMax,
    publishTimeoutMs: config.kafka.publishTimeoutMs,
    maxQueuedBytes: config.kafka.maxQueuedBytes,
    maxRequestBytes: config.kafka.maxRequestBytes,
    replicationFactor: config.kafka.replicationFactor,
    ...kafkaSecurity(config.kafka),
    logger,
  });
  await bus.ensureTopics(topics);
  await bus.connect();
  return bus;
}
