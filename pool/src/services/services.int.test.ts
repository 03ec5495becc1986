import { kafkaBrokers, redisUrl } from '../../../e2e/infra/env.js';
import { KafkaBus } from '../bus/kafka.js';
import { silentLogger } from '../observability/logger.js';
import { RedisStore } from '../store/redis.js';
import { servicesSuite } from './testing/suite.js';

servicesSuite('Redis and Kafka', async (prefix) => {
  const bus = new KafkaBus({
    brokers: kafkaBrokers(),
    clientId: `eaglepool-${prefix}`,
    lingerMs: 5,
    batchMax: 500,
    replicationFactor: -1,
    logger: silentLogger,
  });
  await bus.connect();
  const store = new RedisStore({ url: redisUrl(), keyPrefix: `${prefix}:` });
  await store.connect();
  return { bus, store, close: async () => (await bus.close(), await store.close()) };
});
