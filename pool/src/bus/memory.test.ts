import { busContract } from './testing/contract.js';
import { MemoryBus } from './memory.js';

busContract('memory', async () => new MemoryBus({ retryMs: 10 }));
