import { randomUUID } from 'node:crypto';
import { redisUrl } from '../../../e2e/infra/env.js';
import { storeContract } from './testing/contract.js';
import { RedisStore } from './redis.js';

storeContract('redis', async () => {
  const store = new RedisStore({ url: redisUrl(), keyPrefix: `contract:${randomUUID()}:` });
  await store.connect();
  return store;
});
