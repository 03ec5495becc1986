/**
 * LedgerStore contract, run against the in-memory store (memory-store.test.ts) and real Redis
 * (redis-store.int.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TrackedBlock } from '../../blocktracker/lifecycle.js';
import type { PayoutRecord } from '../../payout/record.js';
import { allocationEntry, maturityEntry, creditsOf, REWARDS, UnbalancedEntryError } from '../ledger.js';
import { allocate } from '../pplns.js';
import type { LedgerStore } from '../store.js';

const tracked = (hash: string): TrackedBlock => ({
  hash,
  number: 12n,
  shareId: '1:00',
  user: 'alice',
  worker: 'rig1',
  foundAt: 1n,
  state: 'finalized',
  confirmations: 3n,
  reward: { primary: 10n ** 18n, secondary: 1n, committed: 0n, proposal: 0n },
  generation: 0,
});

const payout: PayoutRecord = {
  id: 'p1',
  createdAt: 1,
  updatedAt: 2,
  state: 'built',
  outputs: [{ user: 'alice', address: 'ckt1...', amount: 6_100_000_000n }],
  inputs: [{ txHash: '0x01', index: 0, capacity: 7_000_000_000n }],
  attempts: [{ txHash: '0x02', tx: '{}', fee: 1000n, signed: false }],
};

export function ledgerStoreContract(name: string, make: () => Promise<LedgerStore>): void {
  describe(`LedgerStore contract (${name})`, () => {
    let store: LedgerStore | undefined;
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });

    it('posts an entry once, with its records, atomically', async () => {
      store = await make();
      const a = allocate(
        1_000_000_007n,
        new Map([
          ['alice', 2n],
          ['bob', 1n],
        ]),
        { address: 'fee', rateBps: 200 },
      );
      const e = allocationEntry('0xaa', a);
      expect(await store.apply({ entries: [e], blocks: [tracked('0xaa')] })).toBe(1);
      expect(await store.apply({ entries: [e] })).toBe(0);
      expect(await store.entry(e.id)).toEqual(e);
      const balances = await store.balances();
      expect(balances.get(REWARDS)).toBe(-1_000_000_007n);
      expect([...balances.values()].reduce((x, y) => x + y, 0n)).toBe(0n);
      expect(await store.block('0xaa')).toEqual(tracked('0xaa'));
      expect(await store.apply({ entries: [e, maturityEntry('0xaa', creditsOf(e))] })).toBe(1);
      expect((await store.entries()).map((x) => x.id)).toEqual(['allocate:0xaa', 'mature:0xaa']);
      expect((await store.balances()).has('user:alice:immature')).toBe(false);
    });

    it('refuses an unbalanced entry before writing anything', async () => {
      store = await make();
      await expect(
        store.apply({
          entries: [{ id: 'x', kind: 'allocate', ref: 'x', postings: [{ account: 'a', amount: 1n }] }],
          blocks: [tracked('0xbb')],
        }),
      ).rejects.toThrow(UnbalancedEntryError);
      expect(await store.block('0xbb')).toBeUndefined();
      expect(await store.entries()).toEqual([]);
    });

    it('keeps amounts above 2^53 exact and reads back records', async () => {
      store = await make();
      const big = 2n ** 62n + 12_345n;
      const a = allocate(big, new Map([['alice', 1n]]), { address: 'fee', rateBps: 0 });
      await store.apply({ entries: [allocationEntry('0xcc', a)], payouts: [payout] });
      expect((await store.balances()).get('user:alice:immature')).toBe(big);
      expect(await store.payout('p1')).toEqual(payout);
      expect(await store.payouts()).toEqual([payout]);
      await store.apply({ payouts: [{ ...payout, state: 'signed' }] });
      expect((await store.payout('p1'))?.state).toBe('signed');
      expect(await store.blocks()).toEqual([]);
    });

    it('keeps the last wallet snapshot, exact', async () => {
      store = await make();
      expect(await store.wallet()).toBeUndefined();
      const w = {
        address: 'ckt1qzda0cr08m85hc8jlnfp3zer7xulejywt49kt2rr0vthywaa50xwsq',
        spendable: 2n ** 60n + 7n,
        immature: 123n,
        cells: 3,
        tip: 42n,
        updatedAt: 1_700_000_000_000,
      };
      await store.putWallet(w);
      await store.putWallet({ ...w, cells: 4 });
      expect(await store.wallet()).toEqual({ ...w, cells: 4 });
    });
  });
}
