import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { userBalance } from '../ledger/ledger.js';
import { MemoryLedgerStore } from '../ledger/memory-store.js';
import { silentLogger } from '../observability/logger.js';
import { PayoutMachine } from './machine.js';
import { occupiedCapacity, planPayouts } from './plan.js';
import { FakeChain } from './testing/fake-chain.js';
import { seedOwed } from './testing/seed.js';

const CKB = 100_000_000n;

const machine = (ledger: MemoryLedgerStore, chain: FakeChain, beforeAction?: (a: string) => void) =>
  new PayoutMachine({
    ledger,
    chain,
    threshold: 100n * CKB,
    maxOutputs: 2,
    feeUser: 'fee',
    feeReserve: 1n * CKB,
    logger: silentLogger,
    beforeAction,
  });

describe('payout plan', () => {
  it('pays balances above both the threshold and the lock floor, largest first, at most maxOutputs', () => {
    expect(occupiedCapacity(20)).toBe(61n * CKB);
    const out = planPayouts(
      [
        { user: 'a', address: 'a', lockArgsBytes: 20, available: 70n * CKB },
        { user: 'b', address: 'b', lockArgsBytes: 200, available: 150n * CKB }, // floor 241 CKB
        { user: 'c', address: 'c', lockArgsBytes: 20, available: 300n * CKB },
        { user: 'fee', address: 'fee', lockArgsBytes: 20, available: 80n * CKB },
      ],
      { threshold: 60n * CKB, maxOutputs: 5, feeUser: 'fee', feeReserve: 20n * CKB },
    );
    expect(out.map((o) => [o.user, o.amount])).toEqual([
      ['c', 300n * CKB],
      ['a', 70n * CKB],
    ]);
  });
});

describe('payout machine', () => {
  it('walks built → signed → broadcast → committed and pays each user exactly once', async () => {
    const ledger = new MemoryLedgerStore();
    const chain = new FakeChain();
    chain.fund(1000n * CKB);
    await seedOwed(ledger, { alice: 200n * CKB, bob: 150n * CKB, carol: 10n * CKB, bad1: 500n * CKB });
    const m = machine(ledger, chain);
    expect(await m.step()).toBe('built');
    const reserved = await ledger.balances();
    expect(userBalance('alice', reserved)).toMatchObject({ available: 0n, pending: 200n * CKB });
    expect(await m.step()).toBe('signed');
    expect(await m.step()).toBe('broadcast');
    expect(await m.step()).toBe('broadcast'); // pending in the pool
    chain.mine();
    expect(await m.step()).toBe('committed');
    const b = await ledger.balances();
    expect(userBalance('alice', b)).toMatchObject({ pending: 0n, paid: 200n * CKB });
    expect(userBalance('carol', b).available).toBe(10n * CKB); // below the threshold
    expect(userBalance('bad1', b).available).toBe(500n * CKB); // not an address of this network
    expect(chain.received).toEqual(
      new Map([
        ['alice', 200n * CKB],
        ['bob', 150n * CKB],
      ]),
    );
    expect(await m.step()).toBe('idle');
  });

  it('resends a dropped transaction, rebuilds a refused one on the same inputs', async () => {
    const ledger = new MemoryLedgerStore();
    const chain = new FakeChain();
    chain.fund(1000n * CKB);
    await seedOwed(ledger, { alice: 200n * CKB });
    const m = machine(ledger, chain);
    await m.step();
    await m.step();
    await m.step(); // broadcast
    chain.drop();
    expect(await m.step()).toBe('broadcast'); // status unknown → sent again
    expect(chain.pool.size).toBe(1);
    const p = (await m.open())!;
    p.state = 'failed'; // e.g. refused for its fee rate
    await ledger.apply({ payouts: [p] });
    expect(await m.step()).toBe('built'); // same inputs, a second attempt
    expect((await m.open())!.attempts).toHaveLength(2);
    chain.mine(); // the first attempt, still pooled, commits
    await m.step(); // signed
    expect(await m.step()).toBe('failed'); // its inputs are spent: refused
    expect(await m.step()).toBe('committed'); // by the first attempt
    expect(chain.received.get('alice')).toBe(200n * CKB);
    expect(userBalance('alice', await ledger.balances()).paid).toBe(200n * CKB);
  });

  it('a crash before or after any chain action, drops and blocks in any order: nothing paid twice, nothing lost (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('step', 'step', 'crash', 'mine', 'drop'), { minLength: 5, maxLength: 80 }),
        fc.boolean(),
        fc.array(fc.bigInt({ min: 61n * CKB, max: 900n * CKB }), { minLength: 1, maxLength: 5 }),
        async (script, afterAction, owed) => {
          const ledger = new MemoryLedgerStore();
          const chain = new FakeChain();
          chain.fund(10_000n * CKB);
          const users = Object.fromEntries(owed.map((v, i) => [`u${i}`, v + 100n * CKB]));
          await seedOwed(ledger, users);
          let crashNext = false;
          const crash = (action: string) => {
            const after = ['built', 'signed', 'sent'].includes(action);
            if (crashNext && after === afterAction) {
              crashNext = false;
              throw new Error('crash');
            }
          };
          let m = machine(ledger, chain, crash);
          for (const op of script) {
            if (op === 'crash') {
              crashNext = true;
              m = machine(ledger, chain, crash); // a new process on the same store and chain
            } else if (op === 'mine') chain.mine();
            else if (op === 'drop') chain.drop();
            else await m.step().catch((e: Error) => expect(e.message).toBe('crash'));
          }
          // Settle: keep stepping and mining until idle.
          crashNext = false;
          for (let i = 0; i < 200; i++) {
            const s = await m.step();
            chain.mine();
            if (s === 'idle') break;
          }
          const b = await ledger.balances();
          for (const [u, v] of Object.entries(users)) {
            expect(chain.received.get(u) ?? 0n).toBe(userBalance(u, b).paid);
            expect(userBalance(u, b).paid + userBalance(u, b).available + userBalance(u, b).pending).toBe(v);
            expect(userBalance(u, b).paid).toBe(v);
          }
          expect([...b.values()].reduce((x, y) => x + y, 0n)).toBe(0n);
        },
      ),
      { numRuns: 200 },
    );
  });
});
