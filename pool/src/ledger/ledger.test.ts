import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocationEntry,
  applyEntries,
  checkBalanced,
  creditsOf,
  maturityEntry,
  payoutCancelEntry,
  payoutCommitEntry,
  payoutReserveEntry,
  REWARDS,
  reversalEntry,
  UnbalancedEntryError,
  userBalance,
  type Entry,
} from './ledger.js';
import { allocate } from './pplns.js';

const sum = (m: Map<string, bigint>) => [...m.values()].reduce((a, b) => a + b, 0n);

describe('double-entry ledger', () => {
  it('refuses an unbalanced entry, a zero posting and an account posted twice', () => {
    const bad = (postings: Entry['postings']) => () =>
      checkBalanced({ id: 'x', kind: 'allocate', ref: 'x', postings });
    expect(bad([{ account: 'a', amount: 1n }])).toThrow(UnbalancedEntryError);
    expect(bad([{ account: 'a', amount: 0n }])).toThrow(UnbalancedEntryError);
    expect(
      bad([
        { account: 'a', amount: 1n },
        { account: 'a', amount: -1n },
      ]),
    ).toThrow(UnbalancedEntryError);
  });

  it('walks a block and a payout through every bucket, summing to zero all along', () => {
    const a = allocate(
      1_000_000n,
      new Map([
        ['alice', 3n],
        ['bob', 1n],
      ]),
      { address: 'fee', rateBps: 100 },
    );
    const balances = new Map<string, bigint>();
    const alloc = allocationEntry('0xb1', a);
    applyEntries(balances, [alloc]);
    expect(sum(balances)).toBe(0n);
    expect(balances.get(REWARDS)).toBe(-1_000_000n);
    expect(userBalance('alice', balances)).toMatchObject({ immature: 742_500n, available: 0n });
    applyEntries(balances, [maturityEntry('0xb1', creditsOf(alloc))]);
    expect(userBalance('alice', balances)).toMatchObject({ immature: 0n, available: 742_500n });
    const p = { payouts: new Map([['alice', 742_500n]]), txFee: 1000n, feeUser: 'fee' };
    applyEntries(balances, [payoutReserveEntry('p1', p)]);
    expect(userBalance('alice', balances)).toMatchObject({ available: 0n, pending: 742_500n });
    applyEntries(balances, [payoutCommitEntry('p1', p)]);
    expect(userBalance('alice', balances)).toMatchObject({ pending: 0n, paid: 742_500n });
    expect(userBalance('fee', balances).available).toBe(10_000n - 1000n);
    expect(sum(balances)).toBe(0n);
  });

  it('a reversal undoes the allocation exactly; a cancel returns pending to available', () => {
    const a = allocate(999n, new Map([['alice', 1n]]), { address: 'fee', rateBps: 0 });
    const balances = applyEntries(new Map(), [allocationEntry('0xb', a), reversalEntry('0xb', a)]);
    expect(balances.size).toBe(0);
    const p = { payouts: new Map([['alice', 5n]]), txFee: 0n, feeUser: 'fee' };
    const back = applyEntries(
      new Map([
        ['user:alice:available', 5n],
        ['x', -5n],
      ]),
      [payoutReserveEntry('p', p), payoutCancelEntry('p', p)],
    );
    expect(back.get('user:alice:available')).toBe(5n);
  });

  it('every entry built from any allocation is balanced and reversible (property)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.bigInt({ min: 1n, max: 10n ** 12n }), {
          minKeys: 1,
        }),
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.nat({ max: 3 }),
        (dict, reward, bps, gen) => {
          const a = allocate(reward, new Map(Object.entries(dict)), { address: 'pool-fee', rateBps: bps });
          const e = allocationEntry('0xh', a, gen);
          expect(e.id).toBe(gen === 0 ? 'allocate:0xh' : `allocate:0xh#${gen}`);
          const b = applyEntries(new Map(), [e, maturityEntry('0xh', creditsOf(e), gen)]);
          expect(sum(b)).toBe(0n);
          expect(applyEntries(new Map(), [e, reversalEntry('0xh', creditsOf(e), gen)]).size).toBe(0);
        },
      ),
    );
  });
});
