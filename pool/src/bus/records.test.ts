import { describe, expect, it } from 'vitest';
import { ShareBatch, type ShareRecord } from '../../../proto/gen/shares.js';
import { MemoryBus } from './memory.js';
import { createShareLog, decodeShareMessage } from './records.js';
import { poolTopicSpecs, poolTopics } from './topics.js';
import type { EventBus } from './types.js';

const topics = poolTopics('t');

function share(i: number): ShareRecord {
  return {
    shareId: `1:${i}`,
    user: `u${i % 3}`,
    worker: 'w',
    jobId: 1,
    difficulty: i,
    isBlock: false,
    acceptedAt: 1n,
    replica: 4,
    channelId: 1,
    nonce: new Uint8Array(16),
  };
}

describe('ShareLog', () => {
  it('packs concurrent appends into ShareBatch messages, in order, keyed by replica', async () => {
    const bus = new MemoryBus();
    await bus.ensureTopics(poolTopicSpecs(topics, 1));
    const log = createShareLog(bus, topics, { maxShares: 4, lingerMs: 1 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => log.append(share(i))));
    const messages = bus.messages(topics.shares);
    const batches = messages.map((m) => ShareBatch.decode(m.value).shares.map((s) => s.difficulty));
    expect(batches).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(messages.every((m) => m.key === '4')).toBe(true);
    await log.append(share(10));
    expect(bus.messages(topics.shares)).toHaveLength(4);
  });

  it('rejects every append of a batch the bus could not write, and flush waits for pending sends', async () => {
    const failing: EventBus = {
      ensureTopics: async () => {},
      publish: async () => {
        throw new Error('broker down');
      },
      subscribe: async () => ({ stop: async () => {} }),
      healthy: () => false,
      close: async () => {},
    };
    const log = createShareLog(failing, topics, { lingerMs: 50 });
    const appends = [log.append(share(1)), log.append(share(2))];
    await log.flush();
    for (const a of appends) await expect(a).rejects.toThrow('broker down');
  });
});

describe('decodeShareMessage', () => {
  it('derives the share id of records written without one (job id and nonce), keeps the ones written', () => {
    const nonce = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
    const value = ShareBatch.encode({
      shares: [
        { ...share(1), shareId: '', jobId: 42, nonce },
        { ...share(2), shareId: 'legacy:1' },
      ],
    }).finish();
    expect(decodeShareMessage(value).map((s) => s.shareId)).toEqual([
      '42:00112233445566778899aabbccddeeff',
      'legacy:1',
    ]);
  });

  it('refuses a record with neither a share id nor a 16-byte nonce (nothing to deduplicate by)', () => {
    const value = ShareBatch.encode({
      shares: [{ ...share(1), shareId: '', nonce: new Uint8Array(3) }],
    }).finish();
    expect(() => decodeShareMessage(value)).toThrow('3-byte nonce');
  });
});
