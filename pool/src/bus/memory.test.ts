import { busContract } from './contract.js';
import { MemoryBus } from './memory.js';

busContract('memory', async () => new MemoryBus({ retryMs: 10 }));
