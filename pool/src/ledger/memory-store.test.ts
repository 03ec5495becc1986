import { MemoryLedgerStore } from './memory-store.js';
import { ledgerStoreContract } from './testing/contract.js';

ledgerStoreContract('memory', async () => new MemoryLedgerStore());
