import { kafkaBrokers } from '../../../e2e/infra/env.js';
import { silentLogger } from '../observability/logger.js';
import { busContract } from './testing/contract.js';
import { KafkaBus } from './kafka.js';

busContract('kafka', async () => {
  const bus = new KafkaBus({
    brokers: kafkaBrokers(),
    clientId: 'eaglepool-contract',
    lingerMs: 5,
    batchMax: 100,
    replicationFactor: -1,
    logger: silentLogger,
  });
  await bus.connect();
  return bus;
});
