/**
 * PoolStore contract tests, run against the in-memory store (unit project, memory.test.ts)
 * and Redis (integration project, redis.int.test.ts). Each test gets a fresh store
 * (a fresh key prefix for Redis).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FoundBlock } from '../../../../proto/gen/blocks.js';
import type { ShareRecord } from '../../../../proto/gen/shares.js';
import { leaseReplicaId } from '../leases.js';
import { pplnsSplit } from '../pplns.js';
import type { AccountingOptions, PoolStore, ShareLogRun } from '../types.js';

const T0 = 1_750_000_000_000; // a fixed Unix ms, on a minute boundary
const MINUTE = 60_000;

export function share(over: Partial<ShareRecord> & { shareId: string; user: string }): ShareRecord {
  return {
    worker: 'rig1',
    jobId: 1,
    difficulty: 1,
    isBlock: false,
    acceptedAt: BigInt(T0),
    replica: 0,
    channelId: 1,
    nonce: new Uint8Array(16),
    ...over,
  };
}

const opts: AccountingOptions = { pplnsWindow: 1e9, hashrateWindowSec: 600 };

/** Share-log offsets for the tests that are not about positions: always past the last one. */
let nextOffset = 0;
/** `shares` as one message of the share log (partition `shares:0`) at a fresh offset. */
function logged(shares: readonly ShareRecord[], offset = nextOffset++): ShareLogRun {
  return { partition: 'shares:0', messages: [{ offset, shares }] };
}

function block(over: Partial<FoundBlock> & { shareId: string }): FoundBlock {
  return {
    blockHash: '',
    number: 10n,
    jobId: 1,
    user: 'alice',
    worker: 'rig1',
    foundAt: BigInt(T0),
    reward: '1000',
    status: 'accepted',
    reason: '',
    ...over,
  };
}

export function storeContract(name: string, makeStore: () => Promise<PoolStore>): void {
  describe(`PoolStore contract: ${name}`, () => {
    const open: PoolStore[] = [];
    const store = async () => {
      const s = await makeStore();
      open.push(s);
      return s;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });

    it('leases: exclusive, renewable by the holder, free after release or TTL', async () => {
      const s = await store();
      expect(await s.acquireLease('leader', 'a', 60_000)).toBe(true);
      expect(await s.acquireLease('leader', 'b', 60_000)).toBe(false);
      expect(await s.acquireLease('leader', 'a', 60_000)).toBe(true);
      await s.releaseLease('leader', 'b'); // not the holder: no effect
      expect(await s.acquireLease('leader', 'b', 60_000)).toBe(false);
      await s.releaseLease('leader', 'a');
      expect(await s.acquireLease('leader', 'b', 60_000)).toBe(true);
      expect(await s.acquireLease('short', 'a', 1000)).toBe(true);
      await new Promise((r) => setTimeout(r, 1100));
      expect(await s.acquireLease('short', 'b', 1000)).toBe(true);
    });

    it('replica ids: no two holders get the same id', async () => {
      const s = await store();
      const ids = await Promise.all(['p0', 'p1', 'p2', 'p3'].map((h) => leaseReplicaId(s, h, 3, 60_000)));
      const granted = ids.filter((id) => id !== undefined);
      expect(granted.sort()).toEqual([0, 1, 2]);
      expect(ids.filter((id) => id === undefined)).toHaveLength(1);
      // A holder renewing gets its own id back.
      const p0 = ids[0]!;
      expect(await s.acquireLease(`replica:${p0}`, 'p0', 60_000)).toBe(true);
    });

    it('job ids increase and templates round-trip with a TTL', async () => {
      const s = await store();
      const a = await s.nextJobId();
      const b = await s.nextJobId();
      expect(b).toBeGreaterThan(a);
      expect(a).toBeGreaterThan(0);
      // A caller that knows a newer id (the counter was lost) still gets increasing ids.
      expect(await s.nextJobId(b + 100)).toBe(b + 101);
      expect(await s.nextJobId()).toBe(b + 102);
      await s.putTemplate(b, '{"work_id":"0x1"}', 60_000);
      expect(await s.getTemplate(b)).toBe('{"work_id":"0x1"}');
      expect(await s.getTemplate(b + 1000)).toBeUndefined();
      await s.setNetwork({ difficulty: 1234.5, height: 99n });
      expect(await s.getNetwork()).toEqual({ difficulty: 1234.5, height: 99n });
    });

    it('prefix ranges: never the same counter twice for a replica id, even after the store lost it', async () => {
      const s = await store();
      const a = await s.reservePrefixes(0, 100, 0);
      const b = await s.reservePrefixes(0, 100, 0); // a restarted replica knows no previous range
      const c = await s.reservePrefixes(1, 100, 0);
      expect(b).toBeGreaterThanOrEqual(a + 100);
      expect(c).toBe(0); // each id its own counter
      // The caller's previous range end is a floor (the counter was lost, or is behind).
      expect(await s.reservePrefixes(2, 10, 5000)).toBe(5000);
      expect(await s.reservePrefixes(2, 10, 0)).toBe(5010);
    });

    it('accounts each logged message exactly once: the position moves with the accounting', async () => {
      const s = await store();
      const first = [
        share({ shareId: '1:00', user: 'alice', difficulty: 4 }),
        share({ shareId: '1:01', user: 'alice', worker: 'rig2', difficulty: 2 }),
      ];
      const second = [share({ shareId: '1:02', user: 'bob', difficulty: 8 })];
      const third = [share({ shareId: '1:03', user: 'bob', difficulty: 1 })];
      const run = (messages: ShareLogRun['messages'], partition = 'shares:0') => ({ partition, messages });
      const firstTwo = run([
        { offset: 10, shares: first },
        { offset: 11, shares: second },
      ]);
      expect(await s.shareLogPosition('shares:0')).toBeUndefined();
      expect(await s.accountShares(firstTwo, opts)).toBe(3);
      expect(await s.shareLogPosition('shares:0')).toBe(12);
      // Redelivered (a handler that failed after the store wrote, a rebalance): nothing twice.
      expect(await s.accountShares(firstTwo, opts)).toBe(0);
      // A run overlapping the position (another processor fetched differently): only the new part.
      expect(
        await s.accountShares(
          run([
            { offset: 11, shares: second },
            { offset: 12, shares: [] }, // a malformed message: no shares, the position still moves
            { offset: 14, shares: third },
          ]),
          opts,
        ),
      ).toBe(1);
      expect(await s.shareLogPosition('shares:0')).toBe(15);
      // Each partition has its own position.
      expect(
        await s.accountShares(
          run([{ offset: 0, shares: [share({ shareId: '2:00', user: 'bob' })] }], 'shares:1'),
          opts,
        ),
      ).toBe(1);
      expect(await s.shareLogPosition('shares:1')).toBe(1);
      expect(await s.shareLogPosition('shares:0')).toBe(15);

      const pool = await s.poolStats(T0, 600);
      expect(pool).toMatchObject({ shares: 5, difficulty: 16, users: 2, workers: 3, lastShareAt: T0 });
      expect(pool.hashrate).toBeCloseTo(16 / 600);
      const alice = await s.userStats('alice', T0, 600);
      expect(alice).toMatchObject({ user: 'alice', shares: 2, difficulty: 6 });
      expect(alice!.workers.map((w) => [w.worker, w.shares, w.difficulty])).toEqual([
        ['rig1', 1, 4],
        ['rig2', 1, 2],
      ]);
      expect(await s.userStats('nobody', T0, 600)).toBeUndefined();
    });

    it('hashrate counts only the buckets inside the window', async () => {
      const s = await store();
      await s.accountShares(
        logged([
          share({ shareId: 'old', user: 'u', difficulty: 600, acceptedAt: BigInt(T0 - 30 * MINUTE) }),
          share({ shareId: 'new', user: 'u', difficulty: 60, acceptedAt: BigInt(T0 - MINUTE) }),
        ]),
        { ...opts, hashrateWindowSec: 3600 },
      );
      expect((await s.userStats('u', T0, 600))!.hashrate).toBeCloseTo(60 / 600);
      expect((await s.userStats('u', T0, 3600))!.hashrate).toBeCloseTo(660 / 3600);
    });

    it('PPLNS window keeps the last N difficulty and snapshots it at a block share', async () => {
      const s = await store();
      const window = { ...opts, pplnsWindow: 10 };
      await s.accountShares(
        logged([
          share({ shareId: 's1', user: 'old', difficulty: 5 }),
          share({ shareId: 's2', user: 'alice', difficulty: 4 }),
          share({ shareId: 's3', user: 'bob', difficulty: 6 }),
        ]),
        window,
      );
      // 15 in the window; dropping "old" (5) leaves exactly 10 >= N, so it goes.
      expect((await s.poolStats(T0, 600)).pplnsWindowDifficulty).toBe(10);
      await s.accountShares(
        logged([share({ shareId: 'blk', user: 'carol', difficulty: 2, isBlock: true })]),
        window,
      );
      // alice 4 + bob 6 + carol 2 = 12; dropping alice would leave 8 < 10: she stays.
      expect(await s.pplnsSnapshot('blk')).toEqual(
        new Map([
          ['alice', 4],
          ['bob', 6],
          ['carol', 2],
        ]),
      );
      expect(await s.pplnsSnapshot('s3')).toBeUndefined();
      const split = pplnsSplit((await s.pplnsSnapshot('blk'))!, 1_000_000_007n);
      expect([...split.values()].reduce((a, b) => a + b, 0n)).toBe(1_000_000_007n);
    });

    it('accounting a batch at once equals accounting its shares one by one', async () => {
      const [batched, single] = [await store(), await store()];
      const window = { ...opts, pplnsWindow: 50 };
      const shares = Array.from({ length: 60 }, (_, i) =>
        share({
          shareId: `b${i}`,
          user: `u${(i * 7) % 5}`,
          worker: `w${i % 3}`,
          difficulty: 1 + ((i * 13) % 9),
          isBlock: i % 17 === 16,
          acceptedAt: BigInt(T0 - (i % 4) * MINUTE),
        }),
      );
      expect(await batched.accountShares(logged(shares), window)).toBe(60);
      for (const sh of shares) await single.accountShares(logged([sh]), window);
      expect(await batched.poolStats(T0, 600)).toEqual(await single.poolStats(T0, 600));
      for (const u of ['u0', 'u1', 'u2', 'u3', 'u4']) {
        expect(await batched.userStats(u, T0, 600)).toEqual(await single.userStats(u, T0, 600));
      }
      for (const id of ['b16', 'b33', 'b50']) {
        const a = await batched.pplnsSnapshot(id);
        expect(a).toBeDefined();
        expect(a).toEqual(await single.pplnsSnapshot(id));
      }
    });

    it('records blocks once per share id, lists newest first', async () => {
      const s = await store();
      expect(await s.recordBlock(block({ shareId: 'a', blockHash: '0xaa', number: 1n }))).toBe(true);
      expect(await s.recordBlock(block({ shareId: 'a', blockHash: '0xaa', number: 1n }))).toBe(false);
      expect(await s.recordBlock(block({ shareId: 'b', status: 'stale', reason: 'tip moved' }))).toBe(true);
      expect(await s.recordBlock(block({ shareId: 'c', blockHash: '0xcc', number: 3n }))).toBe(true);
      expect((await s.listBlocks(10)).map((b) => b.shareId)).toEqual(['c', 'b', 'a']);
      expect((await s.listBlocks(2)).map((b) => b.shareId)).toEqual(['c', 'b']);
      expect(await s.blockByHash('0xaa')).toMatchObject({ shareId: 'a', number: 1n, status: 'accepted' });
      expect(await s.blockByShare('b')).toMatchObject({ status: 'stale', reason: 'tip moved' });
      expect(await s.blockByHash('0xdd')).toBeUndefined();
    });
  });
}
