/**
 * The devnet's transaction pool (pure), with the node's two-phase commit: a sent transaction is
 * `pending` until a block proposes its short id (the first 10 bytes of its hash), `proposed` from
 * then, and may be committed from `closest` to `farthest` blocks after the proposal
 * (tx_proposal_window 2..10, `get_consensus`); then it leaves the pool and the cell set has it.
 * A pool transaction whose input a committed one spent is `rejected` with the reason.
 */
import type { JsonOutPoint, JsonTransaction } from '../ckb/types.js';
import { outPointKey } from './cells.js';

export const PROPOSAL_WINDOW = { closest: 2n, farthest: 10n } as const;

export interface PoolEntry {
  hash: string;
  tx: JsonTransaction;
  fee: bigint;
  occupiedDelta: bigint;
  status: 'pending' | 'proposed';
  /** Devnet clock when it entered the pool (ms). */
  addedAt: number;
  /** Number of the main-chain block that proposed it. */
  proposedAt?: bigint;
}

export function shortId(txHash: string): string {
  return txHash.slice(0, 22).toLowerCase();
}

export class DevTxPool {
  private readonly entries = new Map<string, PoolEntry>();
  private readonly spending = new Map<string, string>();
  private readonly rejected = new Map<string, string>();

  add(entry: PoolEntry): void {
    this.entries.set(entry.hash, entry);
    this.rejected.delete(entry.hash);
    for (const i of entry.tx.inputs) this.spending.set(outPointKey(i.previous_output), entry.hash);
  }

  get(hash: string): PoolEntry | undefined {
    return this.entries.get(hash.toLowerCase());
  }

  rejection(hash: string): string | undefined {
    return this.rejected.get(hash.toLowerCase());
  }

  spentBy(o: JsonOutPoint): string | undefined {
    return this.spending.get(outPointKey(o));
  }

  /** Short ids a template for block `number` proposes: the pending transactions'. */
  toPropose(): string[] {
    return [...this.entries.values()].filter((e) => e.status === 'pending').map((e) => shortId(e.hash));
  }

  /** Transactions a template for block `number` commits: proposed inside the window. */
  toCommit(number: bigint): PoolEntry[] {
    return [...this.entries.values()].filter(
      (e) =>
        e.status === 'proposed' &&
        e.proposedAt! + PROPOSAL_WINDOW.closest <= number &&
        number <= e.proposedAt! + PROPOSAL_WINDOW.farthest,
    );
  }

  /**
   * A main-chain block was accepted: its proposals move pending entries to proposed; its committed
   * transactions leave the pool; entries whose inputs they spent are rejected; entries whose
   * window passed go back to pending (to be proposed again, as the node does).
   */
  onBlock(
    number: bigint,
    proposals: readonly string[],
    committed: readonly JsonTransaction[],
    hashes: readonly string[],
  ): void {
    const proposed = new Set(proposals.map((p) => p.toLowerCase()));
    for (const e of this.entries.values()) {
      if (e.status === 'pending' && proposed.has(shortId(e.hash))) {
        e.status = 'proposed';
        e.proposedAt = number;
      } else if (e.status === 'proposed' && number >= e.proposedAt! + PROPOSAL_WINDOW.farthest) {
        e.status = 'pending';
        delete e.proposedAt;
      }
    }
    committed.forEach((tx, i) => {
      const hash = hashes[i]!.toLowerCase();
      this.remove(hash);
      for (const input of tx.inputs) {
        const other = this.spending.get(outPointKey(input.previous_output));
        if (other && other !== hash) {
          this.remove(other);
          this.rejected.set(other, `Resolve failed Dead(input spent by committed transaction ${hash})`);
        }
      }
    });
  }

  private remove(hash: string): void {
    const e = this.entries.get(hash);
    if (!e) return;
    this.entries.delete(hash);
    for (const i of e.tx.inputs) {
      const key = outPointKey(i.previous_output);
      if (this.spending.get(key) === hash) this.spending.delete(key);
    }
  }
}
