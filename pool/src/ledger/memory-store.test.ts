import { MemoryLedgerStore } from './memory-store.js';
import { ledgerStoreContract } from './store-contract.js';

ledgerStoreContract('memory', async () => new MemoryLedgerStore());
