import { MemoryBus } from '../bus/memory.js';
import { MemoryStore } from '../store/memory.js';
import { servicesSuite } from './testing/suite.js';

servicesSuite('in-memory bus and store', async () => {
  const bus = new MemoryBus({ retryMs: 10 });
  const store = new MemoryStore();
  return { bus, store, close: async () => (await bus.close(), await store.close()) };
});
