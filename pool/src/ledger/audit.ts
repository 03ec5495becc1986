/**
 * `pool audit BLOCK` (pure part): the allocation recomputed from the share log against the one the
 * ledger holds, user by user.
 */
import type { AllocationInputs, TrackedBlock } from '../blocktracker/lifecycle.js';
import { rewardTotal } from '../blocktracker/lifecycle.js';
import { allocationEntry, creditsOf, type Entry } from './ledger.js';
import { allocate } from './pplns.js';

export interface AuditRow {
  user: string;
  expected: bigint;
  recorded: bigint;
}

export interface AuditResult {
  block: string;
  entryId: string;
  reward: bigint;
  match: boolean;
  rows: AuditRow[];
}

/** Recomputes the block's allocation from `weights` (cut from the share log) and compares. */
export function auditAllocation(
  b: TrackedBlock & { reward: NonNullable<TrackedBlock['reward']>; allocation: AllocationInputs },
  weights: ReadonlyMap<string, bigint>,
  recorded: Entry | undefined,
): AuditResult {
  const a = allocate(rewardTotal(b.reward), weights, {
    address: b.allocation.feeAddress,
    rateBps: b.allocation.feeBps,
  });
  const expected = allocationEntry(b.hash, a, b.generation);
  const got = recorded ? creditsOf(recorded).credits : new Map<string, bigint>();
  const users = [...new Set([...a.credits.keys(), ...got.keys()])].sort();
  const rows = users.map((user) => ({
    user,
    expected: a.credits.get(user) ?? 0n,
    recorded: got.get(user) ?? 0n,
  }));
  const match =
    recorded !== undefined &&
    recorded.id === expected.id &&
    JSON.stringify(recorded.postings, big) === JSON.stringify(expected.postings, big);
  return { block: b.hash, entryId: expected.id, reward: a.reward, match, rows };
}

const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);
