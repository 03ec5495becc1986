import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FoundBlock } from '../../../proto/gen/blocks.js';
import { CkbRpcClient } from '../ckb-node/rpc.js';
import { blockFromWork, workFromTemplate } from '../ckb/work.js';
import { startDevnet, type Devnet } from '../devnet/index.js';
import { mine } from '../devnet/testing/mine.js';
import { REWARDS, userBalance } from '../ledger/ledger.js';
import { MemoryLedgerStore } from '../ledger/memory-store.js';
import { silentLogger } from '../observability/logger.js';
import { MemoryStore } from '../store/memory.js';
import { ChainReader } from './chain.js';
import type { TrackedBlock } from './lifecycle.js';
import { ShareIndex } from './share-index.js';
import { BlockTracker } from './tracker.js';

let devnet: Devnet;
let rpc: CkbRpcClient;

beforeAll(async () => {
  // Epochs of 4 blocks, cellbase maturity 1 epoch: a reward matures 4 to 8 blocks after it is paid.
  devnet = await startDevnet({
    initialCompactTarget: 0x20010000,
    blockTimeMs: 1000,
    epochLength: 4,
    cellbaseMaturity: { number: 1n, index: 0, length: 1 },
  });
  rpc = new CkbRpcClient({ url: devnet.url, registry: new Registry() });
});

afterAll(async () => {
  rpc.close();
  await devnet.stop();
});

async function mineBlocks(n: number): Promise<string[]> {
  const hashes: string[] = [];
  for (let i = 0; i < n; i++) {
    const work = workFromTemplate(await rpc.getBlockTemplate());
    hashes.push(await rpc.submitBlock(work.workId, blockFromWork(work, mine(work))));
  }
  return hashes;
}

const found = (hash: string, number: bigint, shareId: string): FoundBlock => ({
  blockHash: hash,
  number,
  jobId: 1,
  shareId,
  user: 'alice',
  worker: 'rig1',
  foundAt: 1n,
  reward: '0',
  status: 'accepted',
  reason: '',
});

describe('block tracker on the devnet', () => {
  it('follows a found block to finalized (allocated exactly) and matured, reward from the node', async () => {
    const store = new MemoryStore();
    const ledger = new MemoryLedgerStore();
    const shares = new ShareIndex(0);
    shares.add([
      { shareId: 's1', user: 'alice', difficulty: 3, acceptedAt: 1n },
      { shareId: 's2', user: 'bob', difficulty: 1, acceptedAt: 2n },
      { shareId: 'blk', user: 'alice', difficulty: 0, acceptedAt: 3n },
    ]);
    const tracker = new BlockTracker({
      chain: new ChainReader(rpc),
      store,
      ledger,
      shares,
      fee: { address: 'pool-fee', rateBps: 100 },
      pplns: { factorPermille: 2000, minWeight: 1n },
      orphanDepth: 20n,
      poolLock: devnet.lock,
      logger: silentLogger,
    });
    const [hash] = await mineBlocks(1);
    const number = devnet.tipNumber();
    await store.recordBlock(found(hash!, number, 'blk'));
    await tracker.tick();
    expect(await ledger.block(hash!)).toMatchObject({ state: 'main', confirmations: 1n });

    await mineBlocks(10);
    await tracker.tick();
    expect((await ledger.block(hash!))?.state).toBe('main'); // tip = N + 10: not finalized yet
    await mineBlocks(1);
    await tracker.tick();
    const b = (await ledger.block(hash!)) as TrackedBlock;
    expect(b.state).toBe('finalized');
    // The reward the paying cellbase (N + 11) carries, as the node reports it.
    const paying = devnet.blocks()[Number(number) + 11]!;
    const paid = BigInt(paying.view.transactions[0]!.outputs[0]!.capacity);
    expect(b.reward!.primary).toBe(paid);
    expect(b.finalizedAt).toBe(paying.hash);
    const balances = await ledger.balances();
    expect(balances.get(REWARDS)).toBe(-paid);
    const fee = (paid * 100n) / 10_000n;
    const alice = userBalance('alice', balances).immature;
    const bob = userBalance('bob', balances).immature;
    expect(userBalance('pool-fee', balances).immature).toBe(fee);
    expect(alice + bob + fee).toBe(paid);
    expect(alice).toBe(((paid - fee) * 3n) / 4n + ((paid - fee) % 4n > 0n ? 1n : 0n));

    await mineBlocks(8);
    await tracker.tick();
    expect((await ledger.block(hash!))?.state).toBe('matured');
    const after = await ledger.balances();
    expect(userBalance('alice', after)).toMatchObject({ immature: 0n, available: alice });
    expect([...after.values()].reduce((x, y) => x + y, 0n)).toBe(0n);
    // Idempotent: another pass posts nothing new.
    const entries = (await ledger.entries()).length;
    await tracker.tick();
    expect((await ledger.entries()).length).toBe(entries);
  });
});

describe('block tracker across a reorg (scripted chain)', () => {
  it('reverses the credits of a finalized block that leaves the main chain, re-allocates when it returns', async () => {
    const lock = {
      code_hash: '0x' + '11'.repeat(32),
      hash_type: 'type' as const,
      args: '0x' + '22'.repeat(20),
    };
    const { ccc } = await import('@ckb-ccc/core');
    const witness = ccc.hexFrom(
      ccc.mol.table({ lock: ccc.Script, message: ccc.mol.Bytes }).encode({
        lock: ccc.Script.from({ codeHash: lock.code_hash, hashType: 'type', args: lock.args }),
        message: '0x',
      }),
    );
    const ours = '0x' + 'aa'.repeat(32);
    const chain = {
      main: true,
      tipNumber: 20n,
      consensus: async () => ({
        cellbaseMaturity: { number: 100n, index: 0, length: 1 },
        finalizationDelay: 11n,
      }),
      tip: async () => ({ number: chain.tipNumber, epoch: { number: 5n, index: 0, length: 4 }, hash: '0x' }),
      mainHash: async (n: bigint) => (n === 5n && chain.main ? ours : '0x' + 'bb'.repeat(32)),
      header: async () => ({ compact_target: '0x20010000' }),
      block: async (hash: string) => ({
        header: { epoch: '0x0', hash },
        uncles: [],
        transactions: [{ witnesses: [witness], outputs: [{ capacity: '0x3e8', lock }] }],
      }),
      blockByNumber: async () => null,
      economicState: async () =>
        chain.main
          ? {
              reward: { primary: 1000n, secondary: 0n, committed: 0n, proposal: 0n },
              txsFee: 0n,
              finalizedAt: '0xf',
            }
          : null,
    };
    const store = new MemoryStore();
    const ledger = new MemoryLedgerStore();
    const shares = new ShareIndex(0);
    shares.add([{ shareId: 'blk', user: 'alice', difficulty: 1, acceptedAt: 1n }]);
    const tracker = new BlockTracker({
      chain: chain as unknown as ChainReader,
      store,
      ledger,
      shares,
      fee: { address: 'fee', rateBps: 0 },
      pplns: { factorPermille: 1000, minWeight: 1n },
      orphanDepth: 20n,
      logger: silentLogger,
    });
    await store.recordBlock(found(ours, 5n, 'blk'));
    await tracker.tick();
    await tracker.tick();
    expect((await ledger.block(ours))?.state).toBe('finalized');
    expect(userBalance('alice', await ledger.balances()).immature).toBe(1000n);

    chain.main = false; // another block took height 5
    await tracker.tick();
    expect(await ledger.block(ours)).toMatchObject({ state: 'side', generation: 1 });
    expect((await ledger.balances()).size).toBe(0);

    chain.main = true; // and the reorg is undone
    await tracker.tick();
    await tracker.tick();
    expect(await ledger.block(ours)).toMatchObject({ state: 'finalized', generation: 1 });
    expect(userBalance('alice', await ledger.balances()).immature).toBe(1000n);
    expect((await ledger.entries()).map((e) => e.id)).toEqual([
      `allocate:${ours}`,
      `reverse:${ours}`,
      `allocate:${ours}#1`,
    ]);
  });
});
