import { randomUUID } from 'node:crypto';
import { redisUrl } from '../../../e2e/infra/env.js';
import { RedisLedgerStore } from './redis-store.js';
import { ledgerStoreContract } from './testing/contract.js';

ledgerStoreContract('redis', async () => {
  const store = new RedisLedgerStore({ url: redisUrl(), keyPrefix: `ledger:${randomUUID()}:` });
  await store.connect();
  return store;
});
