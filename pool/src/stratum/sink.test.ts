import { describe, expect, it } from 'vitest';
import {
  MemoryBus,
  SolvedBlock,
  createShareLog,
  decodeShareMessage,
  poolTopicSpecs,
  poolTopics,
  type EventBus,
  type OutMessage,
} from '../bus/index.js';
import { createLogger } from '../observability/index.js';
import type { AcceptedShare, BlockCandidate } from './engine.js';
import { createPoolSink } from './sink.js';

const topics = poolTopics('sink');

/** A remote-like bus (not `local`) over a MemoryBus whose next `failures` publishes fail. */
class FlakyBus implements EventBus {
  readonly inner = new MemoryBus();
  failures = new Map<string, number>();
  publishes = 0;
  ensureTopics = this.inner.ensureTopics.bind(this.inner);
  subscribe = this.inner.subscribe.bind(this.inner);
  healthy = () => true;
  close = () => this.inner.close();
  publish(topic: string, messages: readonly OutMessage[]): Promise<void> {
    this.publishes++;
    const left = this.failures.get(topic) ?? 0;
    if (left > 0) {
      this.failures.set(topic, left - 1);
      return Promise.reject(new Error(`${topic} unavailable`));
    }
    return this.inner.publish(topic, messages);
  }
}

async function sinkOver(bus: EventBus, submitted: SolvedBlock[] = [], accepted = true) {
  await bus.ensureTopics(poolTopicSpecs(topics, 1));
  const errors: string[] = [];
  const logger = createLogger('test', {
    write: (line, level) => void (level === 'error' && errors.push(line)),
  });
  const sink = createPoolSink({
    shareLog: createShareLog(bus, topics, { lingerMs: 1 }),
    bus,
    topics,
    submitBlock: async (b) => (submitted.push(b), { accepted, blockHash: 'ab', reason: '' }),
    replica: 3,
    logger,
    attempts: 3,
    retryMs: 1,
  });
  return { sink, errors };
}

function share(i: number): AcceptedShare {
  return {
    channelId: 2,
    userIdentity: 'alice.rig1',
    jobId: 1,
    workId: 'w1',
    height: 1n,
    difficulty: 8n,
    nonce: Uint8Array.of(i, ...new Uint8Array(15)),
    isBlock: false,
    timestamp: 1,
  };
}

const block: BlockCandidate = {
  workId: 'w1',
  height: 1n,
  nonce: 5n,
  powHash: new Uint8Array(32),
  hash: new Uint8Array(32),
  userIdentity: 'alice.rig1',
  channelId: 2,
  jobId: 1,
};

const sharesIn = (bus: FlakyBus) =>
  bus.inner.messages(topics.shares).flatMap((m) => decodeShareMessage(m.value).map((s) => s.nonce[0]));

describe('createPoolSink confirmations', () => {
  it('gives the shares of one share-log message one confirmation, settled once the message is written', async () => {
    const bus = new FlakyBus();
    const { sink } = await sinkOver(bus);
    const a = sink.onShare(share(1));
    const b = sink.onShare(share(2));
    expect(a).toBeDefined();
    expect(b).toBe(a);
    expect(sharesIn(bus)).toEqual([]);
    await a;
    expect(sharesIn(bus)).toEqual([1, 2]);
    const c = sink.onShare(share(3));
    expect(c).not.toBe(a);
    await c;
    expect(sharesIn(bus)).toEqual([1, 2, 3]);
  });

  it('logs each share with its own worker, difficulty and time, whatever the shares before it', async () => {
    const bus = new FlakyBus();
    const { sink } = await sinkOver(bus);
    const shares: AcceptedShare[] = [
      { ...share(1), userIdentity: 'alice.rig1', timestamp: 1000 },
      { ...share(2), userIdentity: 'alice.rig1', timestamp: 1000 },
      { ...share(3), userIdentity: 'bob', timestamp: 1000, difficulty: 16n },
      { ...share(4), userIdentity: 'alice.rig2', timestamp: 1001, channelId: 5 },
      { ...share(5), userIdentity: 'alice.rig1', timestamp: 1000 },
    ];
    await Promise.all(shares.map((s) => sink.onShare(s)));
    const logged = bus.inner.messages(topics.shares).flatMap((m) => decodeShareMessage(m.value));
    expect(
      logged.map((r) => [r.nonce[0], r.user, r.worker, r.acceptedAt, r.difficulty, r.channelId]),
    ).toEqual([
      [1, 'alice', 'rig1', 1000n, 8, 2],
      [2, 'alice', 'rig1', 1000n, 8, 2],
      [3, 'bob', '', 1000n, 16, 2],
      [4, 'alice', 'rig2', 1001n, 8, 5],
      [5, 'alice', 'rig1', 1000n, 8, 2],
    ]);
    expect(logged.map((r) => r.shareId)).toEqual(
      [1, 2, 3, 4, 5].map((i) => `1:${i.toString(16).padStart(2, '0')}${'00'.repeat(15)}`),
    );
  });

  it('retries a failed message and confirms once it is written', async () => {
    const bus = new FlakyBus();
    bus.failures.set(topics.shares, 1);
    const { sink, errors } = await sinkOver(bus);
    await Promise.all([sink.onShare(share(1)), sink.onShare(share(2))]);
    expect(sharesIn(bus)).toEqual([1, 2]);
    expect(errors).toEqual([]);
  });

  it('rejects the confirmation (and logs) when every attempt fails', async () => {
    const bus = new FlakyBus();
    bus.failures.set(topics.shares, 100);
    const { sink, errors } = await sinkOver(bus);
    await expect(sink.onShare(share(1))).rejects.toThrow('unavailable');
    expect(errors.join('\n')).toContain('share log append failed');
    await sink.settle();
    expect(sink.inFlight).toBe(0);
  });

  it('with the in-memory bus, shares and blocks are durable at once (no confirmation to wait for)', async () => {
    const bus = new MemoryBus();
    const submitted: SolvedBlock[] = [];
    const { sink } = await sinkOver(bus, submitted);
    expect(sink.onShare(share(1))).toBeUndefined();
    expect(sink.onBlock(block)).toBeUndefined();
    await sink.settle();
    expect(bus.messages(topics.shares)).toHaveLength(1);
    expect(bus.messages(topics.blockCandidates)).toHaveLength(1);
    expect(submitted).toHaveLength(1);
  });

  it('submits a block at once and confirms it when the candidate is in the block-candidates log', async () => {
    const bus = new FlakyBus();
    const submitted: SolvedBlock[] = [];
    const { sink } = await sinkOver(bus, submitted);
    const confirmation = sink.onBlock(block);
    expect(submitted).toHaveLength(1); // not waiting for the log
    await confirmation;
    const logged = bus.inner.messages(topics.blockCandidates).map((m) => SolvedBlock.decode(m.value));
    expect(logged.map((b) => b.shareId)).toEqual([submitted[0]!.shareId]);
  });

  it('confirms a block whose candidate log failed only if the block maker accepted it', async () => {
    const accepted = new FlakyBus();
    accepted.failures.set(topics.blockCandidates, 100);
    await expect((await sinkOver(accepted, [], true)).sink.onBlock(block)).resolves.toBeUndefined();

    const refused = new FlakyBus();
    refused.failures.set(topics.blockCandidates, 100);
    const { sink, errors } = await sinkOver(refused, [], false);
    await expect(sink.onBlock(block)).rejects.toThrow('unavailable');
    expect(errors.join('\n')).toContain('block candidate log failed');
  });
});
