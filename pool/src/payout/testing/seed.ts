/** Test helper: credits users' available balances (a balanced `mature` entry against chain:rewards). */
import { userAccount } from '../../ledger/ledger.js';
import type { LedgerStore } from '../../ledger/store.js';

export async function seedOwed(ledger: LedgerStore, owed: Record<string, bigint>): Promise<void> {
  const postings = Object.entries(owed).map(([user, amount]) => ({
    account: userAccount(user, 'available'),
    amount,
  }));
  const total = postings.reduce((s, p) => s + p.amount, 0n);
  await ledger.apply({
    entries: [
      {
        id: 'seed',
        kind: 'mature',
        ref: 'seed',
        postings: [...postings, { account: 'chain:rewards', amount: -total }],
      },
    ],
  });
}
